/* abba_real_known.c: a real lock-order deadlock between two threads that have each taken their own
 * order many times before, so both final requests go through the mutex fast path's memo (a known
 * chain, the mutex found taken: the contended fast path) rather than the general path.
 *
 * Thread 1 takes lock_a then lock_b ROUNDS times while thread 2 waits; then thread 2 takes lock_b then
 * lock_a ROUNDS times while thread 1 waits; then each takes its first lock, both meet at a barrier, and each asks for the
 * other's lock: they wait for each other for ever. The program HANGS without racelab.
 * Expect: findings {deadlock, potential-deadlock}; the deadlock names lock_a and lock_b, each thread
 * waiting at its second lock call (thread1 at the lock_b line, thread2 at the lock_a line); racelab
 * ends the program: status 66, exit.ended_by_racelab "deadlock".
 */
#include <pthread.h>

#define ROUNDS 100

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t thread1_done, thread2_done, both_hold_first;

static void take(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first);
    pthread_mutex_lock(second);
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}

static void *thread1(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++)
        take(&lock_a, &lock_b);
    pthread_barrier_wait(&thread1_done);
    pthread_barrier_wait(&thread2_done);
    pthread_mutex_lock(&lock_a);
    pthread_barrier_wait(&both_hold_first);
    pthread_mutex_lock(&lock_b); /* thread1 waits here for ever */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *thread2(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&thread1_done);
    for (int i = 0; i < ROUNDS; i++)
        take(&lock_b, &lock_a);
    pthread_barrier_wait(&thread2_done);
    pthread_mutex_lock(&lock_b);
    pthread_barrier_wait(&both_hold_first);
    pthread_mutex_lock(&lock_a); /* thread2 waits here for ever */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&thread1_done, NULL, 2);
    pthread_barrier_init(&thread2_done, NULL, 2);
    pthread_barrier_init(&both_hold_first, NULL, 2);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
