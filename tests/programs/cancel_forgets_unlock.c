/* cancel_forgets_unlock.c: a thread cancelled in pthread_cond_wait ends holding the mutex.
 *
 * POSIX: a thread cancelled in a condition wait takes the mutex back before its cleanup handlers run.
 * This thread's cleanup handler only counts; it does not unlock `forgotten_on_cancel`, so the thread
 * ends holding it (anyone who locks it later would hang). Main does not touch it again.
 * Expect: findings {held-at-exit} on forgotten_on_cancel, exactly one; exit status 0 (racelab: 66).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t forgotten_on_cancel = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_signalled = PTHREAD_COND_INITIALIZER;
static int waiting;  /* guarded by forgotten_on_cancel */
static int cleanups; /* written by the cancelled thread before it ends, read after the join */

static void count_cleanup(void *arg)
{
    (void)arg;
    cleanups++;
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&forgotten_on_cancel);
    pthread_cleanup_push(count_cleanup, NULL);
    waiting = 1;
    for (;;)
        pthread_cond_wait(&never_signalled, &forgotten_on_cancel);
    pthread_cleanup_pop(0);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    pthread_mutex_lock(&forgotten_on_cancel);
    while (!waiting) {
        pthread_mutex_unlock(&forgotten_on_cancel);
        sched_yield();
        pthread_mutex_lock(&forgotten_on_cancel);
    }
    pthread_mutex_unlock(&forgotten_on_cancel);
    pthread_cancel(t);
    void *ret = NULL;
    pthread_join(t, &ret);
    printf("cancelled: %s, cleanup handlers run: %d\n", ret == PTHREAD_CANCELED ? "yes" : "no", cleanups);
    return ret == PTHREAD_CANCELED && cleanups == 1 ? 0 : 1;
}
