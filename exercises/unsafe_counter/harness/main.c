/* main.c: the harness of the unsafe_counter exercise. It owns main, the thread count and the
 * iteration count (from the command line, chosen by the grader), calls your count_concurrently()
 * and checks the result. The grader reads the result from racelab's report (the shared variables
 * `counter` and `harness_errors`), never from what the program prints.
 *
 *   ./program -t THREADS -n ITERATIONS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"

racelab_shared counter = RACELAB_SHARED_INIT("counter", 0);
static racelab_shared harness_errors = RACELAB_SHARED_INIT("harness_errors", -1);

static long number(const char *text, long min, long max)
{
    char *end;
    long v = strtol(text ? text : "", &end, 10);
    if (!text || !*text || *end || v < min || v > max) {
        fprintf(stderr, "harness: expected a number from %ld to %ld, not '%s'\n", min, max, text ? text : "");
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long threads = 4, iterations = 1000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            threads = number(argv[++i], 1, 64);
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            iterations = number(argv[++i], 0, 100000000);
        else {
            fprintf(stderr, "usage: %s [-t THREADS] [-n ITERATIONS]\n", argv[0]);
            return 2;
        }
    }
    count_concurrently((int)threads, iterations);
    long expected = threads * iterations, got = racelab_load(&counter);
    long errors = got != expected;
    if (errors)
        fprintf(stderr, "harness: the counter is %ld, expected %ld (%ld threads x %ld increments)\n", got, expected,
                threads, iterations);
    racelab_store(&harness_errors, errors);
    return errors ? 1 : 0;
}
