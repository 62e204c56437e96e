/* stops_itself.c (robustness): the program prints its pid and stops itself with SIGSTOP, as a job
 * stopped by ^Z would be.
 *
 * A SIGTERM sent to racelab is forwarded to the program; a stopped process keeps it pending until it
 * is continued, so racelab continues the program as well, and the SIGTERM ends it.
 * Expect (under racelab, with SIGTERM sent to racelab once the program is stopped): the program is
 * killed by SIGTERM and racelab exits with 143. Continued without a signal, it would exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("%d\n", (int)getpid());
    fflush(stdout);
    raise(SIGSTOP);
    return 0;
}
