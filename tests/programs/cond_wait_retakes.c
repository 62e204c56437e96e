/* cond_wait_retakes.c (potential deadlock): the lock order made when pthread_cond_wait takes its mutex
 * back.
 *
 * The waiter locks wait_mutex, then other, and waits on the condition variable with wait_mutex: the
 * wait gives wait_mutex up and, once signalled, takes it back while the waiter still holds other
 * (other -> wait_mutex, at the wait's line). Later main locks wait_mutex, then other (wait_mutex ->
 * other). Run at the same time, main can take wait_mutex after the signal and block on other while
 * the waiter blocks taking wait_mutex back. This run keeps them apart: main waits for the waiter to end.
 * Expect: one potential deadlock over {other, wait_mutex}, whose edge other -> wait_mutex is thread 1's,
 * taken at the wait's line (marked in the code); exit status 0.
 */
#include <pthread.h>
#include <sched.h>

static pthread_mutex_t wait_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t other = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int waiting, woken; /* guarded by wait_mutex */

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wait_mutex);
    pthread_mutex_lock(&other);
    waiting = 1;
    while (!woken)
        pthread_cond_wait(&wake, &wait_mutex); /* retakes wait_mutex */
    pthread_mutex_unlock(&wait_mutex);
    pthread_mutex_unlock(&other);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    for (;;) { /* until the waiter is in its wait */
        pthread_mutex_lock(&wait_mutex);
        if (waiting)
            break;
        pthread_mutex_unlock(&wait_mutex);
        sched_yield();
    }
    woken = 1;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&wait_mutex);
    pthread_join(t, NULL);

    pthread_mutex_lock(&wait_mutex);
    pthread_mutex_lock(&other);
    pthread_mutex_unlock(&other);
    pthread_mutex_unlock(&wait_mutex);
    return 0;
}
