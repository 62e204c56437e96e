/* signal_in_wait.c (trap): a signal handler runs while its thread is blocked inside a racelab wrapper.
 *
 * The worker waits on a condition variable. When main holds the mutex and knows the worker is inside
 * pthread_cond_wait (so it cannot leave it), main sends it SIGUSR1. The handler locks and unlocks
 * `handler_lock` and posts `handled` (3 pthread calls). The worker's thread is inside racelab's
 * cond-wait wrapper, so the handler's calls go straight to pthreads and are counted as unobserved.
 * Expect: no findings; exit status 0; a runtime note: "3 pthread calls made by signal handlers ...".
 */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_changed = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t handled;
static int waiting, go; /* guarded by state_lock */
static int handler_runs; /* guarded by handler_lock */

static void on_usr1(int sig)
{
    (void)sig;
    pthread_mutex_lock(&handler_lock);
    handler_runs++;
    pthread_mutex_unlock(&handler_lock);
    sem_post(&handled);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock);
    waiting = 1;
    while (!go)
        pthread_cond_wait(&state_changed, &state_lock);
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sem_init(&handled, 0, 0);
    pthread_t w;
    pthread_create(&w, NULL, worker, NULL);
    pthread_mutex_lock(&state_lock);
    while (!waiting) { /* the worker sets it, then releases the mutex only inside the wait */
        pthread_mutex_unlock(&state_lock);
        sched_yield();
        pthread_mutex_lock(&state_lock);
    }
    /* holding state_lock: the worker cannot return from the wait until main lets go */
    pthread_kill(w, SIGUSR1);
    while (sem_wait(&handled) != 0)
        ;
    go = 1;
    pthread_cond_signal(&state_changed);
    pthread_mutex_unlock(&state_lock);
    pthread_join(w, NULL);
    printf("handler ran %d time(s)\n", handler_runs);
    return handler_runs == 1 ? 0 : 1;
}
