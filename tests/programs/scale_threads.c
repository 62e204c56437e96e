/* scale_threads.c: many threads, all alive at once, each taking one shared mutex.
 *
 * Creates N threads (default 1000; argument 1) with small stacks, all started before any is joined,
 * each locking and unlocking `counter_lock` once around an increment; then joins them all and checks
 * the count. Prints its peak memory (peak_memory.h).
 * Expect: no findings; exit status 0; stats.threads N + 1 (the main thread too), stats.acquisitions N.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "peak_memory.h"

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&counter_lock);
    counter++;
    pthread_mutex_unlock(&counter_lock);
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    if (n < 1)
        return 2;
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 0; i < n; i++)
        if (pthread_create(&threads[i], &attr, worker, NULL) != 0) {
            fprintf(stderr, "scale_threads: pthread_create failed at thread %ld\n", i);
            return 1;
        }
    for (long i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    pthread_attr_destroy(&attr);
    free(threads);
    if (counter != n) {
        fprintf(stderr, "scale_threads: counter %ld, expected %ld\n", counter, n);
        return 1;
    }
    print_peak_memory();
    return 0;
}
