/* unsafe_counter: a lost update, the smallest data race there is.
 *
 * Several threads add 1 to one global counter, each many times, with no lock. "counter = counter + 1"
 * is not one step: the CPU loads the value, adds 1 and stores the result. If thread 1 loads 41, then
 * thread 2 loads 41 too, both store 42 and one of the two increments has vanished. The program
 * prints how many increments it expected, how many it got and the difference.
 *
 * The counter is a racelab shared variable (include/racelab.h): racelab_load and racelab_store are
 * one plain load and one plain store each (volatile, so the compiler cannot merge them into a single
 * addition that would hide the race), and under racelab every access is seen. The threads also wait
 * for each other at a start line (a barrier) before counting: 100000 increments take a fraction of a
 * millisecond, so the first thread could otherwise be done before the next one has even started.
 *
 * Run:
 *   build/labs/unsafe_counter [-t THREADS] [-n ITERATIONS]   usually loses updates; run it again
 *   build/labs/unsafe_counter-tsan                           ThreadSanitizer names the racing lines
 *   racelab run -- build/labs/unsafe_counter                 the data race, the exact number of
 *                                                            lost updates and the interleaving that
 *                                                            lost the first one
 *   racelab run --schedule pct --seed 2 -- build/labs/unsafe_counter -n 100
 *                                                            a seeded schedule: the same loss every time
 * Next: locked_counter, the same program with a mutex.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_options.h"
#include "racelab.h"

/* shared by every thread, guarded by nothing */
static racelab_shared counter = RACELAB_SHARED_INIT("counter", 0);
static long iterations = 100000;      /* increments per thread */
static long threads = 2;              /* counting threads */
static pthread_barrier_t start_line;  /* every thread waits here, then all count at once */

static void *increment(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line);
    for (long i = 0; i < iterations; i++) {
        long seen = racelab_load(&counter);   /* load ...                                     */
        racelab_store(&counter, seen + 1);    /* ... and store: another thread may run between */
    }
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-t THREADS] [-n ITERATIONS]\n"
            "Each of THREADS threads adds 1 to a shared counter ITERATIONS times without a lock,\n"
            "then the program prints how many increments were lost.\n"
            "  -t, --threads N      number of threads (default 2)\n"
            "  -n, --iterations N   increments per thread (default 100000)\n"
            "  -h, --help           show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"threads", required_argument, NULL, 't'},
        {"iterations", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"unsafe_counter", "t:n:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 't': threads = lab_count_option(&cli, optarg, "THREADS", 1, 1024); break;
        case 'n': iterations = lab_count_option(&cli, optarg, "ITERATIONS", 0, 1000000000); break;
        }
    }

    pthread_t *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers) {
        perror("unsafe_counter: calloc");
        return 1;
    }
    pthread_barrier_init(&start_line, NULL, (unsigned)threads);
    for (long t = 0; t < threads; t++) {
        int rc = pthread_create(&workers[t], NULL, increment, NULL);
        if (rc != 0) {
            fprintf(stderr, "unsafe_counter: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    for (long t = 0; t < threads; t++)
        pthread_join(workers[t], NULL);
    free(workers);
    pthread_barrier_destroy(&start_line);

    long expected = threads * iterations;
    long got = racelab_load(&counter); /* every thread has been joined: no race now */
    printf("expected %ld, got %ld (lost %ld updates)\n", expected, got, expected - got);
    return 0;
}
