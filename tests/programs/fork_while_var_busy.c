/* fork_while_var_busy.c (trap): fork while another thread is inside a shared-variable access.
 *
 * T1 adds to two shared variables without pause: x, made by main (so T1 uses it under the variable's
 * lock), and y, made by T1 itself (biased to T1). Meanwhile main forks FORKS children; at each fork T1
 * is likely to be halfway through an add, holding x's lock or y's owner flag, and T1 does not exist in
 * the child. Each child adds to x and y and exits; racelab must not leave those variables locked by
 * the vanished T1 (docs/runtime-locking.md). The parent waits for every child, then stops T1.
 * Expect: no findings; every child exits 0; exit status 0.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "racelab.h"

enum { FORKS = 20, CHILD_ADDS = 1000 };

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);
static racelab_shared y = RACELAB_SHARED_INIT("y", 0);
static atomic_int stop, started;

static void *adder(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        racelab_add(&y, 1);
        racelab_add(&x, 1);
        atomic_store(&started, 1);
    }
    return NULL;
}

int main(void)
{
    racelab_add(&x, 0); /* main makes x; T1 makes y */
    pthread_t t;
    pthread_create(&t, NULL, adder, NULL);
    while (!atomic_load(&started))
        sched_yield();
    int failed = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int k = 0; k < CHILD_ADDS; k++) {
                racelab_add(&x, 1);
                racelab_add(&y, 1);
            }
            _exit(racelab_load(&x) > 0 && racelab_load(&y) > 0 ? 0 : 1);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    printf("%d of %d children failed\n", failed, FORKS);
    return failed ? 1 : 0;
}
