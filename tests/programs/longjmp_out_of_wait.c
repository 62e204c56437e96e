/* longjmp_out_of_wait.c (signals): the "timeout by signal" idiom. T1 arms a 50 ms timer and waits on
 * a semaphore nobody posts; the SIGALRM handler siglongjmps out of sem_wait. T1 then takes a, then b;
 * T2 (after a barrier) takes b, then a: a lock-order inversion.
 * The jump leaves racelab's sem_wait wrapper without returning. racelab used to take every later call
 * of T1 for a signal handler's call made inside the runtime and let it through unobserved: the cycle
 * was missed and the report said "5 pthread calls made by signal handlers ...".
 * Expect: one potential deadlock on {a, b}; a note that a handler left a blocking call with longjmp;
 * prints "timed out"; exit status 0.
 */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static sem_t never_posted;
static sigjmp_buf timed_out;
static pthread_barrier_t after_t1;

static void on_alarm(int sig)
{
    (void)sig;
    siglongjmp(timed_out, 1);
}

static void *t1(void *arg)
{
    (void)arg;
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    if (sigsetjmp(timed_out, 1) == 0) {
        pthread_sigmask(SIG_UNBLOCK, &alarm_only, NULL); /* only this thread takes SIGALRM */
        struct itimerval in_50ms = { { 0, 0 }, { 0, 50 * 1000 } };
        setitimer(ITIMER_REAL, &in_50ms, NULL);
        sem_wait(&never_posted);
        puts("posted?");
    } else {
        puts("timed out");
    }
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_barrier_wait(&after_t1);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&after_t1);
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(void)
{
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &alarm_only, NULL); /* inherited by both threads; T1 unblocks it */
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sem_init(&never_posted, 0, 0);
    pthread_barrier_init(&after_t1, NULL, 2);
    pthread_t x, y;
    pthread_create(&x, NULL, t1, NULL);
    pthread_create(&y, NULL, t2, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    return 0;
}
