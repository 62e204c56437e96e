/* fork_hostile_child.c: a child process forked after the program has made it hard for racelab to
 * follow it. The child plants one lock-order cycle (plant_cycle.h) and exits.
 *
 *   fork_hostile_child clearenv   the program clears its environment (racelab's variables with it)
 *                                 before fork: the child still writes its log where the process
 *                                 started with, so its cycle is reported
 *   fork_hostile_child no-fds     the program lowers RLIMIT_NOFILE to 3 before fork: the child cannot
 *                                 open its log, so it runs unchecked, and the report must say so
 *                                 (a note naming its pid) rather than pass over it in silence
 * Expect: clearenv: one potential deadlock (lock_a, lock_b) with the child's pid; no-fds: no findings
 * and an "unchecked-process" note with the child's pid (printed on stdout as "child PID"); exit 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plant_cycle.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "clearenv") == 0) {
        clearenv();
    } else {
        struct rlimit three = { 3, 3 }; /* stdin, stdout, stderr: no new descriptor can be opened */
        setrlimit(RLIMIT_NOFILE, &three);
    }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        plant_lock_order_cycle();
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("child %d\n", (int)child);
    return 0;
}
