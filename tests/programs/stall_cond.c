/* stall_cond.c: the last running thread waits for a signal that can no longer come.
 *
 * The worker should set `ready` and signal, but returns early without doing so (the bug). Main joins
 * it first, so the worker has surely exited, then waits for `ready` with the usual predicate loop
 * and an untimed pthread_cond_wait: no thread is left that could ever signal. The program HANGS
 * without racelab; racelab sees that every live thread is blocked (a global stall).
 * Expect: findings {deadlock}; racelab ends the program: status 66, exit.ended_by_racelab "deadlock".
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_changed = PTHREAD_COND_INITIALIZER;
static int ready; /* guarded by ready_lock */

static void *worker(void *arg)
{
    int *input = arg;
    if (*input == 0)
        return NULL; /* the bug: this path forgets to set ready and signal */
    pthread_mutex_lock(&ready_lock);
    ready = 1;
    pthread_cond_signal(&ready_changed);
    pthread_mutex_unlock(&ready_lock);
    return NULL;
}

int main(void)
{
    int input = 0;
    pthread_t t;
    pthread_create(&t, NULL, worker, &input);
    pthread_join(t, NULL);

    pthread_mutex_lock(&ready_lock);
    while (!ready)
        pthread_cond_wait(&ready_changed, &ready_lock); /* nobody is left to signal */
    pthread_mutex_unlock(&ready_lock);
    puts("stall_cond: not reached");
    return 1;
}
