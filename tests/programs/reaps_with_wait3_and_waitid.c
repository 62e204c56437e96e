/* reaps_with_wait3_and_waitid.c (processes): the program reaps its children itself, one with wait3
 * (as dash does, so every system() and popen() child) and one with waitid. racelab records how a child
 * it could not reap ended when the program's wait returns it; only wait, waitpid and wait4 were
 * wrapped, so these children's entries said nothing (or "crashed or killed").
 * Expect: no findings; exit status 0; processes[]: the first child exit.status 3, the second
 * exit.signal 9 (SIGKILL).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

/* a lock operation, so that the child has something in its event log */
static void touch_a_lock(void)
{
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
}

int main(void)
{
    pid_t first = fork();
    if (first == 0) {
        touch_a_lock();
        _exit(3);
    }
    int status;
    if (wait3(&status, 0, NULL) != first)
        return 1;
    int ready[2];
    if (pipe(ready) != 0)
        return 1;
    pid_t second = fork();
    if (second == 0) {
        touch_a_lock();
        char byte = 1;
        if (write(ready[1], &byte, 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char byte;
    if (read(ready[0], &byte, 1) != 1) /* it has run: killed now, it is killed with a log */
        return 1;
    kill(second, SIGKILL);
    siginfo_t info;
    if (waitid(P_PID, (id_t)second, &info, WEXITED) != 0)
        return 1;
    return 0;
}
