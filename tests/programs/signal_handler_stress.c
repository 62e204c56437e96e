/* signal_handler_stress.c (trap): signal handlers that lock mutexes while the runtime is busy.
 *
 * Four waves of eight workers (each started while signals fly, and sent one as it starts) lock and
 * unlock two shared mutexes (always a then b) and, every 64 rounds, create, use and destroy a fresh
 * mutex of their own (new locks and new held chains: the runtime's slow path,
 * under its internal lock). Meanwhile an interval timer sends SIGALRM to the process every 100 us and
 * main sends SIGUSR1 to each worker in turn. The handler takes and releases `handler_lock`
 * (async-signal-unsafe in POSIX, but students do it); both signals are blocked while it runs, so it
 * never waits for itself. The timer keeps firing while the process exits. Handlers that run while
 * their thread is inside racelab's wrappers go straight to pthreads (counted as unobserved), so the
 * runtime never waits for its own lock.
 * Expect: no findings; exit status 0; the run ends (no hang).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#define WORKERS 8
#define ROUNDS 5000
#define WAVES 4

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static long pairs;            /* guarded by lock_b */
static long handled;          /* guarded by handler_lock */
static atomic_int workers_done;

static void on_signal(int sig)
{
    (void)sig;
    pthread_mutex_lock(&handler_lock);
    handled++;
    pthread_mutex_unlock(&handler_lock);
}

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock_a);
        pthread_mutex_lock(&lock_b);
        pairs++;
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
        if (i % 64 == 0) {
            pthread_mutex_t fresh;
            pthread_mutex_init(&fresh, NULL);
            pthread_mutex_lock(&lock_a);
            pthread_mutex_lock(&fresh);
            pthread_mutex_unlock(&fresh);
            pthread_mutex_unlock(&lock_a);
            pthread_mutex_destroy(&fresh);
        }
    }
    atomic_fetch_add(&workers_done, 1);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGALRM);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    struct itimerval every_100us = { { 0, 100 }, { 0, 100 } };
    setitimer(ITIMER_REAL, &every_100us, NULL);

    for (int wave = 0; wave < WAVES; wave++) {
        pthread_t workers[WORKERS];
        atomic_store(&workers_done, 0);
        for (int i = 0; i < WORKERS; i++) {
            pthread_create(&workers[i], NULL, worker, NULL);
            pthread_kill(workers[i], SIGUSR1); /* while it starts up */
        }
        for (unsigned k = 0; atomic_load(&workers_done) < WORKERS; k++)
            pthread_kill(workers[k % WORKERS], SIGUSR1); /* no ESRCH: workers are joined only below */
        for (int i = 0; i < WORKERS; i++)
            pthread_join(workers[i], NULL);
    }

    pthread_mutex_lock(&handler_lock);
    long seen = handled;
    pthread_mutex_unlock(&handler_lock);
    printf("pairs %ld, handler runs %s\n", pairs, seen > 0 ? "> 0" : "0");
    if (pairs != (long)WAVES * WORKERS * ROUNDS) {
        fprintf(stderr, "signal_handler_stress: %ld pairs, expected %ld\n", pairs, (long)WAVES * WORKERS * ROUNDS);
        return 1;
    }
    return seen > 0 ? 0 : 1; /* the timer stays armed: it fires during exit too */
}
