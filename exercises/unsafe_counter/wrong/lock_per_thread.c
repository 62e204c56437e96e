/* counter.c, WRONG: every thread locks a mutex of its own. A lock only keeps out threads that take
 * the SAME lock, so these keep out nobody and increments are still lost. */
#include <pthread.h>
#include <stdlib.h>

#include "counter.h"

static void *count(void *arg)
{
    long iterations = *(const long *)arg;
    pthread_mutex_t my_lock;
    pthread_mutex_init(&my_lock, NULL);
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&my_lock);
        long seen = racelab_load(&counter);
        racelab_store(&counter, seen + 1);
        pthread_mutex_unlock(&my_lock);
    }
    pthread_mutex_destroy(&my_lock);
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
