/* rwlock_read_read.c (trap): two rwlocks read-locked in opposite orders.
 *
 * Thread 1 read-locks rw_x then rw_y, thread 2 read-locks rw_y then rw_x. They even hold their first
 * read lock at the same moment (a barrier between the two locks), and both still get their second:
 * readers never wait for readers, and no thread writes.
 * Expect: no findings; a suppressed-cycle note with reason "read-only" for {rw_x, rw_y};
 * exit status 0.
 */
#include <pthread.h>

static pthread_rwlock_t rw_x = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_y = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t both_hold_first;

struct order {
    pthread_rwlock_t *first, *second;
};

static void *reader(void *arg)
{
    const struct order *o = arg;
    pthread_rwlock_rdlock(o->first);
    pthread_barrier_wait(&both_hold_first);
    pthread_rwlock_rdlock(o->second); /* the other thread only reads it: no wait */
    pthread_rwlock_unlock(o->second);
    pthread_rwlock_unlock(o->first);
    return NULL;
}

int main(void)
{
    static struct order x_then_y = {&rw_x, &rw_y}, y_then_x = {&rw_y, &rw_x};
    pthread_barrier_init(&both_hold_first, NULL, 2);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, reader, &x_then_y);
    pthread_create(&t2, NULL, reader, &y_then_x);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_barrier_destroy(&both_hold_first);
    return 0;
}
