/* tls_destructor_locks.c: thread-specific-data destructors that take locks after the thread's start
 * routine has returned (after racelab's end-of-thread check).
 *
 * Four threads each store a value under a pthread_key_create key whose destructor locks
 * `registry_lock` then `stats_lock` to file the value away. Then a fifth thread, the reporter, locks
 * `stats_lock` then `registry_lock`. The destructors' locking is observed like any other: the two
 * orders form a cycle (the destructors and the reporter could deadlock if they overlapped). No
 * crash, no hang, no other finding.
 * Expect: findings {potential-deadlock} on registry_lock and stats_lock; exit status 0 (racelab: 66).
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t scratch_key;
static long filed, total; /* guarded by registry_lock, stats_lock */

static void file_away(void *value)
{
    pthread_mutex_lock(&registry_lock);
    pthread_mutex_lock(&stats_lock);
    filed++;
    total += *(int *)value;
    pthread_mutex_unlock(&stats_lock);
    pthread_mutex_unlock(&registry_lock);
}

static void *worker(void *arg)
{
    pthread_setspecific(scratch_key, arg);
    return NULL;
}

static void *reporter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stats_lock);
    pthread_mutex_lock(&registry_lock);
    printf("filed %ld values, total %ld\n", filed, total);
    pthread_mutex_unlock(&registry_lock);
    pthread_mutex_unlock(&stats_lock);
    return NULL;
}

int main(void)
{
    static int values[4] = { 1, 2, 3, 4 };
    pthread_key_create(&scratch_key, file_away);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, &values[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    pthread_t r;
    pthread_create(&r, NULL, reporter, NULL);
    pthread_join(r, NULL);
    return filed == 4 && total == 10 ? 0 : 1;
}
