/* counter.c: reference solution. One mutex makes the load and the store one step for the other
 * threads: nobody can load between them. (racelab_add(&counter, 1), an atomic add, is as good.) */
#include <pthread.h>
#include <stdlib.h>

#include "counter.h"

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

static void *count(void *arg)
{
    long iterations = *(const long *)arg;
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&counter_lock);
        long seen = racelab_load(&counter);
        racelab_store(&counter, seen + 1);
        pthread_mutex_unlock(&counter_lock);
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
