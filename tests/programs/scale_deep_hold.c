/* scale_deep_hold.c: one thread holding very many locks at once, and a cycle planted deep inside.
 *
 * Thread 1 takes locks[0], locks[1], ..., locks[N-1] in order (default N 1000; argument 1), holding
 * them all at once, then releases them in reverse. After it is joined, thread 2 takes locks[N-1] and
 * then locks[N/2]: the opposite of thread 1's order for that pair. Thread 1's order alone gives
 * N(N-1)/2 lock-order edges and no cycle; thread 2 adds the one back edge. Every cycle through that
 * back edge and more than one of thread 1's edges is single-thread (not a deadlock); the two-lock cycle
 * locks[N/2] <-> locks[N-1] is the one finding. Prints its peak memory (peak_memory.h).
 * Expect: findings {potential-deadlock} (exactly one, locks[500] and locks[999] for N 1000); exit
 * status 0 (racelab: 66).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "peak_memory.h"

#define MAX_LOCKS 4096
static pthread_mutex_t locks[MAX_LOCKS];
static long n;

static void *hold_all(void *arg)
{
    (void)arg;
    for (long i = 0; i < n; i++)
        pthread_mutex_lock(&locks[i]);
    for (long i = n; i-- > 0;)
        pthread_mutex_unlock(&locks[i]);
    return NULL;
}

static void *back_edge(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[n - 1]);
    pthread_mutex_lock(&locks[n / 2]); /* the planted inversion */
    pthread_mutex_unlock(&locks[n / 2]);
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
    n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    if (n < 4 || n > MAX_LOCKS)
        return 2;
    for (long i = 0; i < n; i++)
        pthread_mutex_init(&locks[i], NULL);
    run_alone(hold_all);
    run_alone(back_edge);
    print_peak_memory();
    return 0;
}
