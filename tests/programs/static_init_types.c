/* static_init_types.c: every static initialiser, and the mutex type it sets, seen by racelab.
 *
 * recursive_static (PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP) is relocked three deep by its owner:
 * legal. checked_static (PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP) is locked twice by one thread: the
 * second lock returns EDEADLK instead of hanging, and is reported as a double-lock. table_lock
 * (PTHREAD_RWLOCK_INITIALIZER) is read by two threads and written by main; ready
 * (PTHREAD_COND_INITIALIZER) hands a flag over under plain_static (PTHREAD_MUTEX_INITIALIZER).
 * No init call is ever made: racelab reads each lock's type from the object on first use.
 * Expect: findings {double-lock} on checked_static, type errorcheck, exactly one; exit status 0
 * (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t recursive_static = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t checked_static = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t plain_static = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int table[4];
static int is_ready; /* guarded by plain_static */

static int depth_sum(int depth)
{
    pthread_mutex_lock(&recursive_static);
    int sum = depth + (depth < 3 ? depth_sum(depth + 1) : 0);
    pthread_mutex_unlock(&recursive_static);
    return sum;
}

static void *reader(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&plain_static);
    while (!is_ready)
        pthread_cond_wait(&ready, &plain_static);
    pthread_mutex_unlock(&plain_static);
    int sum = 0;
    pthread_rwlock_rdlock(&table_lock);
    for (int i = 0; i < 4; i++)
        sum += table[i];
    pthread_rwlock_unlock(&table_lock);
    return (void *)(long)sum;
}

int main(void)
{
    int recursion = depth_sum(1);
    pthread_mutex_lock(&checked_static);
    int relock = pthread_mutex_lock(&checked_static);
    pthread_mutex_unlock(&checked_static);

    pthread_t r1, r2;
    pthread_create(&r1, NULL, reader, NULL);
    pthread_create(&r2, NULL, reader, NULL);
    pthread_rwlock_wrlock(&table_lock);
    for (int i = 0; i < 4; i++)
        table[i] = i + 1;
    pthread_rwlock_unlock(&table_lock);
    pthread_mutex_lock(&plain_static);
    is_ready = 1;
    pthread_cond_broadcast(&ready);
    pthread_mutex_unlock(&plain_static);
    void *s1, *s2;
    pthread_join(r1, &s1);
    pthread_join(r2, &s2);
    printf("recursion %d, relock %s, sums %ld %ld\n", recursion, relock == EDEADLK ? "EDEADLK" : "?",
           (long)s1, (long)s2);
    return recursion == 6 && relock == EDEADLK && (long)s1 == 10 && (long)s2 == 10 ? 0 : 1;
}
