/* signal_every_task.c: a signal sent to every thread of the process, racelab's watchdog included,
 * then a real stall.
 *
 * Main sends SIGUSR1 to every task listed in /proc/self/task; the handler locks and unlocks a mutex.
 * racelab's watchdog thread blocks all signals, so the handler never runs on it (where it would be
 * taken for a thread of the program, or wait for the runtime's own lock). Then the program stalls:
 * the worker waits on a condition variable nobody signals and main joins it.
 * Expect: findings {deadlock} (a global stall); ended by racelab with status 66 within a second.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_signalled = PTHREAD_COND_INITIALIZER;
static atomic_int handled;
static int worker_waiting; /* guarded by state_lock */

static void on_usr1(int sig)
{
    (void)sig;
    pthread_mutex_lock(&handler_lock);
    pthread_mutex_unlock(&handler_lock);
    atomic_fetch_add(&handled, 1);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock);
    worker_waiting = 1;
    for (;;)
        pthread_cond_wait(&never_signalled, &state_lock);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t w;
    pthread_create(&w, NULL, worker, NULL);
    pthread_mutex_lock(&state_lock);
    while (!worker_waiting) {
        pthread_mutex_unlock(&state_lock);
        sched_yield();
        pthread_mutex_lock(&state_lock);
    }
    pthread_mutex_unlock(&state_lock);

    DIR *tasks = opendir("/proc/self/task");
    if (!tasks)
        return 2;
    int sent = 0;
    for (struct dirent *d; (d = readdir(tasks));) {
        if (d->d_name[0] == '.')
            continue;
        if (syscall(SYS_tgkill, getpid(), atoi(d->d_name), SIGUSR1) == 0)
            sent++;
    }
    closedir(tasks);
    while (atomic_load(&handled) < 2) /* main's and the worker's handlers at least */
        sched_yield();
    (void)sent;
    pthread_join(w, NULL); /* never returns: the worker waits forever */
    return 0;
}
