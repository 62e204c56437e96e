/* counter.c: YOUR FILE. Fix count_concurrently() so that no increment is ever lost.
 *
 * Each thread below adds 1 to the shared counter with a load and a store. Two threads can load the
 * same value, and then both store value + 1: one increment is lost (a data race). Make every
 * increment count, while the threads still run at the same time.
 *
 * Check your work:  racelab check exercises/unsafe_counter
 */
#include <pthread.h>
#include <stdlib.h>

#include "counter.h"

static void *count(void *arg)
{
    long iterations = *(const long *)arg;
    for (long i = 0; i < iterations; i++) {
        long seen = racelab_load(&counter);
        racelab_store(&counter, seen + 1);
    }
    return NULL;
}

void count_concurrently(int threads, long iterations)
{
    pthread_t *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers)
        abort();
    for (int t = 0; t < threads; t++)
        pthread_create(&workers[t], NULL, count, &iterations);
    for (int t = 0; t < threads; t++)
        pthread_join(workers[t], NULL);
    free(workers);
}
