/* abba_real.c: the classic lock-order inversion, forced to deadlock.
 *
 * Thread 1 takes lock_a, thread 2 takes lock_b, both meet at a barrier, then thread 1 asks for lock_b
 * and thread 2 for lock_a: each waits for the other for ever. The program HANGS without racelab.
 * Expect: findings {deadlock, potential-deadlock} (the order graph has the cycle too); racelab ends
 * the program: status 66, exit.ended_by_racelab "deadlock".
 */
#include <pthread.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_first;

static void *thread1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_barrier_wait(&both_hold_first);
    pthread_mutex_lock(&lock_b); /* held by thread 2: waits for ever */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *thread2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);
    pthread_barrier_wait(&both_hold_first);
    pthread_mutex_lock(&lock_a); /* held by thread 1: waits for ever */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&both_hold_first, NULL, 2);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
