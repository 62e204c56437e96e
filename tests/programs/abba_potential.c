/* abba_potential.c: the classic lock-order inversion, kept apart so that it does not deadlock.
 *
 * Thread 1 takes lock_a then lock_b; thread 2 takes lock_b then lock_a. Both threads are alive at the
 * same time, but a barrier makes thread 2 start only after thread 1 has released both locks, so this
 * run always finishes. The order graph still has the cycle lock_a -> lock_b -> lock_a.
 * Expect: findings {potential-deadlock}, one of them, its cycle exactly {lock_a, lock_b};
 * exit status 0 (racelab: 66).
 */
#include <pthread.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t thread1_done;

static void *thread1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    pthread_barrier_wait(&thread1_done);
    return NULL;
}

static void *thread2(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&thread1_done);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a); /* opposite order */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&thread1_done, NULL, 2);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_barrier_destroy(&thread1_done);
    return 0;
}
