/* leaves_a_sleeper: prints its pid, leaves a child process that sleeps 60 s, and exits at once. Under
 * `racelab run` the program has ended while racelab still waits for its descendants: a signal to
 * racelab then must stop racelab itself (tests/integration/test_cli.c). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("%d\n", (int)getpid());
    fflush(stdout);
    if (fork() == 0) {
        sleep(60);
        _exit(0);
    }
    return 0;
}
