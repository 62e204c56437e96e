/* memo_many_chains.c: a thread that keeps cycling through far more held-lock chains than the mutex
 * fast path's first per-thread memo holds (so the runtime gives it the larger memo), then locks at the
 * same addresses destroyed and initialised again, then one cycle between the new ones.
 *
 * 1. A walker thread, ROUNDS times over: chain[i] then chain[i+1] for i = 0..198 (about 400 distinct
 *    chains, each taken ROUNDS times, always in index order: no cycle).
 * 2. chain[50] and chain[51] are destroyed and initialised again: new locks at the old addresses.
 * 3. Two threads, one after the other, take the new chain[50] -> chain[51] and chain[51] -> chain[50].
 * Expect: exactly one potential deadlock, on chain[50] and chain[51]; stats.locks 202 (the two new
 * objects count as locks of their own), stats.edges 201, stats.acquisitions exactly 398 * ROUNDS + 4.
 */
#include <pthread.h>
#include <stdlib.h>

#define LOCKS 200
#define ROUNDS 50

static pthread_mutex_t chain[LOCKS];

static void *walk(void *arg)
{
    (void)arg;
    for (int round = 0; round < ROUNDS; round++)
        for (int i = 0; i + 1 < LOCKS; i++) {
            pthread_mutex_lock(&chain[i]);
            pthread_mutex_lock(&chain[i + 1]);
            pthread_mutex_unlock(&chain[i + 1]);
            pthread_mutex_unlock(&chain[i]);
        }
    return NULL;
}

static void *take_pair(void *arg)
{
    pthread_mutex_t **pair = arg;
    pthread_mutex_lock(pair[0]);
    pthread_mutex_lock(pair[1]);
    pthread_mutex_unlock(pair[1]);
    pthread_mutex_unlock(pair[0]);
    return NULL;
}

static void run_alone(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) != 0)
        exit(1);
    pthread_join(t, NULL);
}

int main(void)
{
    for (int i = 0; i < LOCKS; i++)
        pthread_mutex_init(&chain[i], NULL);
    run_alone(walk, NULL);
    for (int i = 50; i <= 51; i++) {
        pthread_mutex_destroy(&chain[i]);
        pthread_mutex_init(&chain[i], NULL);
    }
    pthread_mutex_t *forward[2] = { &chain[50], &chain[51] }, *backward[2] = { &chain[51], &chain[50] };
    run_alone(take_pair, forward);
    run_alone(take_pair, backward);
    return 0;
}
