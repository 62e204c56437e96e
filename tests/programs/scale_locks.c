/* scale_locks.c: very many distinct locks, and a cycle among them still found.
 *
 * Initialises N heap mutexes (default 100000; argument 1), takes each once alone, then walks them as a
 * chain (holding lock i while taking lock i+1: N - 1 lock-order edges, all in one direction, no
 * cycle). Then two threads, one after the other, take locks[0] -> locks[N-1] and locks[N-1] -> locks[0]:
 * the one cycle. Destroys them all and prints its peak memory (peak_memory.h).
 * Expect: findings {potential-deadlock} (exactly one, between the first and last lock); exit status 0
 * (racelab: 66); stats.locks N, stats.edges N + 1, stats.acquisitions 2N + 4.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "peak_memory.h"

static pthread_mutex_t *locks;
static long n;

static void *first_then_last(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[0]);
    pthread_mutex_lock(&locks[n - 1]);
    pthread_mutex_unlock(&locks[n - 1]);
    pthread_mutex_unlock(&locks[0]);
    return NULL;
}

static void *last_then_first(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[n - 1]);
    pthread_mutex_lock(&locks[0]); /* the opposite order */
    pthread_mutex_unlock(&locks[0]);
    pthread_mutex_unlock(&locks[n - 1]);
    return NULL;
}

static void run_alone(void *(*fn)(void *))
{
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    if (n < 2)
        return 2;
    locks = calloc((size_t)n, sizeof *locks);
    if (!locks)
        return 1;
    for (long i = 0; i < n; i++)
        pthread_mutex_init(&locks[i], NULL);
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&locks[i]);
        pthread_mutex_unlock(&locks[i]);
    }
    pthread_mutex_lock(&locks[0]);
    for (long i = 1; i < n; i++) { /* hand over hand: i-1 -> i */
        pthread_mutex_lock(&locks[i]);
        pthread_mutex_unlock(&locks[i - 1]);
    }
    pthread_mutex_unlock(&locks[n - 1]);
    run_alone(first_then_last);
    run_alone(last_then_first);
    for (long i = 0; i < n; i++)
        pthread_mutex_destroy(&locks[i]);
    print_peak_memory();
    free(locks);
    return 0;
}
