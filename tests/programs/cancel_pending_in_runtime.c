/* cancel_pending_in_runtime.c (trap): a thread with a cancellation request pending makes calls that
 * are not cancellation points, on locks racelab has not seen yet.
 *
 * pthread_mutex_init, _lock and _unlock are not cancellation points, so the thread must come out of
 * them (racelab records the new locks and the new lock order, writing its event log meanwhile) and be
 * cancelled only at its pthread_testcancel(). If the runtime's own writes acted on the pending cancel,
 * the thread would die inside the runtime, holding its internal lock, and everything after would hang.
 * Expect: no findings; exit status 0.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int cancel_sent;
static atomic_int did_work;

static void *worker(void *arg)
{
    (void)arg;
    while (!atomic_load(&cancel_sent)) /* no cancellation point in this loop */
        ;
    pthread_mutex_t outer, inner;
    pthread_mutex_init(&outer, NULL);
    pthread_mutex_init(&inner, NULL);
    pthread_mutex_lock(&outer);
    pthread_mutex_lock(&inner);
    pthread_mutex_unlock(&inner);
    pthread_mutex_unlock(&outer);
    pthread_mutex_destroy(&inner);
    pthread_mutex_destroy(&outer);
    atomic_store(&did_work, 1);
    pthread_testcancel();
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_cancel(t);
    atomic_store(&cancel_sent, 1);
    void *ret = NULL;
    pthread_join(t, &ret);
    pthread_mutex_t after; /* a new lock: needs the runtime's internal lock */
    pthread_mutex_init(&after, NULL);
    pthread_mutex_lock(&after);
    pthread_mutex_unlock(&after);
    pthread_mutex_destroy(&after);
    printf("worker cancelled: %s, did its work first: %s\n", ret == PTHREAD_CANCELED ? "yes" : "no",
           atomic_load(&did_work) ? "yes" : "no");
    return ret == PTHREAD_CANCELED && atomic_load(&did_work) ? 0 : 1;
}
