/* fork_child_killed.c: a forked child killed by a signal while it holds a lock.
 *
 * The child plants a lock-order cycle (two threads, one after the other: lock_a -> lock_b, then
 * lock_b -> lock_a), then locks `held` and tells the parent through a pipe; the parent kills it with
 * SIGKILL (nothing in the child can react), waits for it, checks it died of SIGKILL, and exits 0.
 * Expect: findings {potential-deadlock} (exactly one, with the child's pid: found before it was
 * killed); the child's process entry says it ended by SIGKILL; exit status 0 (racelab: 66).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plant_cycle.h"

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static void child_main(int ready_fd)
{
    plant_lock_order_cycle();
    pthread_mutex_lock(&held);
    if (write(ready_fd, "k", 1) != 1)
        _exit(1);
    for (;;)
        pause(); /* until killed */
}

int main(void)
{
    int ready[2];
    if (pipe(ready) != 0)
        return 1;
    fflush(NULL);
    pid_t child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        close(ready[0]);
        child_main(ready[1]);
    }
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 1) {
        fprintf(stderr, "fork_child_killed: the child did not get ready\n");
        return 1;
    }
    kill(child, SIGKILL);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        fprintf(stderr, "fork_child_killed: the child did not die of SIGKILL\n");
        return 1;
    }
    return 0;
}
