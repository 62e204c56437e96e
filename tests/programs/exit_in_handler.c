/* exit_in_handler.c (robustness): a SIGALRM handler calls exit(7) while two threads keep creating and
 * locking new mutexes.
 *
 * New mutexes and new lock chains are racelab's slow path, under its internal lock, so the handler
 * often interrupts a thread that holds that lock, and exit() then runs racelab's end-of-process
 * bookkeeping on that same thread. racelab must not wait for a lock that thread can never release.
 * Expect: exit status 7 (no findings), every run.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>

static void on_alarm(int sig)
{
    (void)sig;
    exit(7);
}

static void *churn(void *arg)
{
    for (;;) {
        pthread_mutex_t *m = malloc(sizeof *m);
        pthread_mutex_init(m, NULL);
        pthread_mutex_lock(m);
        pthread_mutex_unlock(m);
    }
    return arg;
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    pthread_t t;
    pthread_create(&t, NULL, churn, NULL);
    struct itimerval in_100ms = { .it_value = { 0, 100 * 1000 } };
    setitimer(ITIMER_REAL, &in_100ms, NULL);
    churn(NULL);
}
