/* locked_counter: unsafe_counter fixed with a mutex.
 *
 * Same threads, same counter, but each increment happens between pthread_mutex_lock() and
 * pthread_mutex_unlock() on one mutex. Only the thread holding the mutex may run that code, so no
 * other thread can load the counter between a load and its store: every increment counts and the
 * total is exact on every run. The price is that the threads now take turns.
 *
 * Run:
 *   build/labs/locked_counter [-t THREADS] [-n ITERATIONS]   always "lost 0 updates"
 *   build/labs/locked_counter-tsan                           ThreadSanitizer stays quiet
 *   racelab run -- build/labs/locked_counter                 no findings: no race, no lost update
 * Compare with unsafe_counter; next, rlock_nesting.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_options.h"
#include "racelab.h"

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
/* guarded by counter_lock; a racelab shared variable so racelab checks every access */
static racelab_shared counter = RACELAB_SHARED_INIT("counter", 0);
static long iterations = 100000; /* increments per thread */

static void *increment(void *arg)
{
    (void)arg;
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&counter_lock);
        long seen = racelab_load(&counter); /* nobody else can touch counter until we unlock */
        racelab_store(&counter, seen + 1);
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-t THREADS] [-n ITERATIONS]\n"
            "Each of THREADS threads adds 1 to a shared counter ITERATIONS times, holding a mutex\n"
            "for each increment, then the program prints the total (always exact).\n"
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
    long threads = 2;
    const struct lab_options cli = {"locked_counter", "t:n:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 't': threads = lab_count_option(&cli, optarg, "THREADS", 1, 1024); break;
        case 'n': iterations = lab_count_option(&cli, optarg, "ITERATIONS", 0, 1000000000); break;
        }
    }

    pthread_t *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers) {
        perror("locked_counter: calloc");
        return 1;
    }
    for (long t = 0; t < threads; t++) {
        int rc = pthread_create(&workers[t], NULL, increment, NULL);
        if (rc != 0) {
            fprintf(stderr, "locked_counter: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    for (long t = 0; t < threads; t++)
        pthread_join(workers[t], NULL);
    free(workers);

    long expected = threads * iterations;
    long got = racelab_load(&counter);
    printf("expected %ld, got %ld (lost %ld updates)\n", expected, got, expected - got);
    return got == expected ? 0 : 1;
}
