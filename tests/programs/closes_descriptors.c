/* closes_descriptors.c (robustness): a program that closes or takes over every descriptor above 2, as
 * daemons and sandboxes do, then plants one lock-order cycle (plant_cycle.h) and prints "done".
 *
 *   closes_descriptors close-all     close(fd) for fd 3..1023
 *   closes_descriptors close-range   close_range(3, ~0U, 0)
 *   closes_descriptors closefrom     closefrom(3)
 *   closes_descriptors dup2          dup2(1, fd) for fd 3..63: each becomes a copy of stdout
 * racelab's event log is one of those descriptors: it must survive, or the cycle would be lost (and,
 * with dup2, the log's lines would land on the program's stdout).
 * Expect: one potential deadlock (lock_a, lock_b); stdout exactly "done\n"; exit status 0.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plant_cycle.h"

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "close-all";
    if (strcmp(how, "close-range") == 0) {
        close_range(3, ~0U, 0);
    } else if (strcmp(how, "closefrom") == 0) {
        closefrom(3);
    } else if (strcmp(how, "dup2") == 0) {
        for (int fd = 3; fd < 64; fd++)
            dup2(1, fd);
    } else {
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
    }
    plant_lock_order_cycle();
    puts("done");
    return 0;
}
