/* gate_lock.c (trap): opposite lock orders made safe by a common gate lock.
 *
 * Thread 1 takes lock_a then lock_b, thread 2 lock_b then lock_a, both 1000 times and at the same
 * time, but each always holds `gate` around the pair. Only one thread can be inside the gate, so the
 * inverted orders can never meet: the cycle lock_a -> lock_b -> lock_a is not a deadlock.
 * Expect: no findings; a suppressed-cycle note with reason "gate-lock" for {lock_a, lock_b};
 * exit status 0.
 */
#include <pthread.h>

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

struct order {
    pthread_mutex_t *first, *second;
};

static void *worker(void *arg)
{
    const struct order *o = arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&gate);
        pthread_mutex_lock(o->first);
        pthread_mutex_lock(o->second);
        pthread_mutex_unlock(o->second);
        pthread_mutex_unlock(o->first);
        pthread_mutex_unlock(&gate);
    }
    return NULL;
}

int main(void)
{
    static struct order a_then_b = {&lock_a, &lock_b}, b_then_a = {&lock_b, &lock_a};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, worker, &a_then_b);
    pthread_create(&t2, NULL, worker, &b_then_a);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
