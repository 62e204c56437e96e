/* counter.c, another correct fix: racelab_add adds atomically (one indivisible read-modify-write), so
 * no increment can be lost and no lock is needed. The grader must accept it. */
#include <pthread.h>
#include <stdlib.h>

#include "counter.h"

static void *count(void *arg)
{
    long iterations = *(const long *)arg;
    for (long i = 0; i < iterations; i++)
        racelab_add(&counter, 1);
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
