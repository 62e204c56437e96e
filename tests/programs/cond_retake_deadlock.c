/* cond_retake_deadlock.c (deadlock): a condition wait that can never take its mutex back.
 *
 * The waiter locks wait_mutex, then other, and waits on a condition variable with wait_mutex (the wait
 * gives wait_mutex up; other stays held). main, once the waiter is waiting, locks wait_mutex and then
 * other, and blocks: other is the waiter's. The waiter cannot return from its wait without wait_mutex,
 * which main holds, signalled or not: the two threads wait for each other in a cycle.
 * With the argument "timed" the waiter uses pthread_cond_timedwait with a 200 ms deadline: once that
 * has passed it no longer waits for a signal but to take wait_mutex back, with no deadline, so the
 * same deadlock forms (racelab looks at a timed wait again once its deadline is over).
 * Expect: a deadlock whose cause is a cycle, in which thread 1 waits in pthread_cond_wait to take
 * wait_mutex back ("cond-retake") and main waits for other; racelab ends the program (status 66).
 */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t wait_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t other = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int waiting, woken; /* guarded by wait_mutex */
static int timed;          /* set before the waiter starts */

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wait_mutex);
    pthread_mutex_lock(&other);
    waiting = 1;
    while (!woken) {
        if (timed) {
            struct timespec deadline;
            clock_gettime(CLOCK_REALTIME, &deadline);
            deadline.tv_nsec += 200 * 1000 * 1000;
            if (deadline.tv_nsec >= 1000000000L) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&wake, &wait_mutex, &deadline);
        } else {
            pthread_cond_wait(&wake, &wait_mutex);
        }
    }
    pthread_mutex_unlock(&wait_mutex);
    pthread_mutex_unlock(&other);
    return NULL;
}

int main(int argc, char **argv)
{
    timed = argc > 1 && strcmp(argv[1], "timed") == 0;
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    for (;;) { /* until the waiter is in its wait */
        pthread_mutex_lock(&wait_mutex);
        if (waiting)
            break;
        pthread_mutex_unlock(&wait_mutex);
        sched_yield();
    }
    pthread_mutex_lock(&other); /* held by the waiter, which needs wait_mutex back first */
    woken = 1;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&other);
    pthread_mutex_unlock(&wait_mutex);
    pthread_join(t, NULL);
    return 0;
}
