/* counter.c, WRONG: each thread is joined right after it is created, so only one counts at a time.
 * The count is right and there is no race, but the threads no longer run concurrently: this removes
 * the concurrency instead of making it safe. */
#include <pthread.h>

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
    for (int t = 0; t < threads; t++) {
        pthread_t worker;
        pthread_create(&worker, NULL, count, &iterations);
        pthread_join(worker, NULL);
    }
}
