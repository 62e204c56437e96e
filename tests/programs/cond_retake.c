/* cond_retake.c: the lock order, and the deadlock, made by a condition wait taking its mutex back.
 *
 * The waiter locks wait_mutex, then other, and waits on a condition variable with wait_mutex: the wait
 * gives wait_mutex up and, to return, takes it back while the waiter still holds other (other ->
 * wait_mutex, at the wait's line). main waits until the waiter is in its wait, then:
 *   cond_retake apart            signals it, lets it finish, and only then locks wait_mutex, then other
 *                                (wait_mutex -> other): the two orders make a cycle that this run
 *                                keeps apart. Expect one potential deadlock over {other, wait_mutex}
 *                                whose edge other -> wait_mutex is thread 1's, at the line marked in
 *                                the code; exit status 0.
 *   cond_retake deadlock         keeps wait_mutex and locks other, which the waiter holds: the waiter
 *                                cannot return from its wait without wait_mutex, signalled or not, and
 *                                the two threads wait for each other. Expect a deadlock whose cause is
 *                                a cycle, thread 1 waiting in pthread_cond_wait to take wait_mutex back
 *                                ("cond-retake") and main in lock(other); racelab ends the program
 *                                (status 66).
 *   cond_retake deadlock-timed   the same with pthread_cond_timedwait and a 200 ms deadline: once that
 *                                has passed the waiter no longer waits for a signal but, with no
 *                                deadline, to take wait_mutex back, so the same deadlock forms.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t wait_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t other = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int waiting, woken; /* guarded by wait_mutex */
static int timed;          /* set before the waiter starts */

static void wait_once(void)
{
    if (!timed) {
        pthread_cond_wait(&wake, &wait_mutex); /* retakes wait_mutex */
        return;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 200 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&wake, &wait_mutex, &deadline);
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wait_mutex);
    pthread_mutex_lock(&other);
    waiting = 1;
    while (!woken)
        wait_once();
    pthread_mutex_unlock(&wait_mutex);
    pthread_mutex_unlock(&other);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "apart";
    bool apart = strcmp(mode, "apart") == 0;
    timed = strcmp(mode, "deadlock-timed") == 0;
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    for (;;) { /* until the waiter is in its wait */
        pthread_mutex_lock(&wait_mutex);
        if (waiting)
            break;
        pthread_mutex_unlock(&wait_mutex);
        sched_yield();
    }
    if (!apart)
        pthread_mutex_lock(&other); /* held by the waiter, which needs wait_mutex back first */
    woken = 1;
    pthread_cond_signal(&wake);
    if (!apart)
        pthread_mutex_unlock(&other);
    pthread_mutex_unlock(&wait_mutex);
    pthread_join(t, NULL);

    if (apart) {
        pthread_mutex_lock(&wait_mutex);
        pthread_mutex_lock(&other);
        pthread_mutex_unlock(&other);
        pthread_mutex_unlock(&wait_mutex);
    }
    return 0;
}
