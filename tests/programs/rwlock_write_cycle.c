/* rwlock_write_cycle.c: two rwlocks write-locked in opposite orders, kept apart.
 *
 * Thread 1 write-locks rw_a then rw_b; thread 2, after a barrier that lets it start only once thread
 * 1 is done, write-locks rw_b then rw_a. Write locks exclude each other just like mutexes, so the
 * order graph's cycle rw_a -> rw_b -> rw_a can deadlock.
 * Expect: findings {potential-deadlock}, one of them, its cycle exactly {rw_a, rw_b};
 * exit status 0 (racelab: 66).
 */
#include <pthread.h>

static pthread_rwlock_t rw_a = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_b = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t thread1_done;

static void *thread1(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw_a);
    pthread_rwlock_wrlock(&rw_b);
    pthread_rwlock_unlock(&rw_b);
    pthread_rwlock_unlock(&rw_a);
    pthread_barrier_wait(&thread1_done);
    return NULL;
}

static void *thread2(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&thread1_done);
    pthread_rwlock_wrlock(&rw_b);
    pthread_rwlock_wrlock(&rw_a); /* opposite order */
    pthread_rwlock_unlock(&rw_a);
    pthread_rwlock_unlock(&rw_b);
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
