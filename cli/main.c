/* main.c: the racelab command line. Parses the subcommand and hands over; all work is elsewhere
 * (run.c runs a program under the runtime; detector/ builds and renders the report).
 *
 * Exit statuses (also in README.md and `racelab --help`):
 *   the program's own status when racelab found nothing;  66 when it found something;
 *   2 usage error;  3 an output file cannot be written;  4 an input (report, exercise) is unreadable
 *   or malformed (confirm: or has no potential-deadlock);  126 the program is not executable;
 *   127 the program was not found;  128+N the program was killed by signal N (and no findings);
 *   70 racelab itself failed (cannot create its temporary directory, cannot start the program).
 * Every error is one line (messages.c); the full table per command is in README.md. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "grade.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: racelab run [OPTIONS] -- PROGRAM [ARGS...]\n"
            "       racelab confirm REPORT.json [--finding N] [--tries N] [--json FILE] -- PROGRAM [ARGS...]\n"
            "       racelab report REPORT.json [--format text|html|dot|sarif] [-o FILE]\n"
            "       racelab labs\n"
            "       racelab lab NAME [--tsan] [run options] [-- lab arguments]\n"
            "       racelab check EXERCISE [--submission FILE] [--runs N] [--seed S]\n"
            "       racelab grade EXERCISE --submission FILE [--format text|gradescope|junit] [--out FILE]\n"
            "                     [--runs N] [--seed S]\n"
            "       racelab --help | --version\n\n"
            "Runs PROGRAM with racelab's checker preloaded, follows the processes it forks, and reports\n"
            "potential deadlocks (lock-order cycles), real deadlocks (ended instead of hanging), lock\n"
            "misuse, data races and lost updates on racelab shared variables. The text report goes to\n"
            "stderr. A ThreadSanitizer build is run as it is and TSan's findings are merged in.\n"
            "`confirm` reruns a program to see whether a reported potential deadlock really happens.\n\n");
    rl_cli_run_options_help(out);
    fprintf(out,
            "\nExit status: the program's own when nothing is found; 66 when something is (confirm: when\n"
            "the deadlock was confirmed); 2 usage error; 3 output file not writable; 4 input (report, exercise)\n"
            "unreadable or malformed; "
            "126 program not executable; 127 program not found;\n"
            "128+N program killed by signal N; 70 internal error.\n");
}

/* jansson seeds its hash tables (against collision floods in JSON read from elsewhere) from
 * /dev/urandom on first use: an open, a read and a close. getrandom(2) is one call. */
static void seed_json_hashes(void)
{
    uint32_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
        seed = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
    json_object_seed(seed ? seed : 1); /* 0 would mean "pick one yourself" */
}

int main(int argc, char **argv)
{
    seed_json_hashes();
    if (argc < 2) {
        rl_cli_error("missing command (try: racelab run -- PROGRAM, or racelab --help)");
        return RL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("racelab %s\n", RACELAB_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0)
        return rl_cli_run(argc - 2, argv + 2);
    if (strcmp(argv[1], "confirm") == 0)
        return rl_cli_confirm(argc - 2, argv + 2);
    if (strcmp(argv[1], "report") == 0)
        return rl_cli_report(argc - 2, argv + 2);
    if (strcmp(argv[1], "labs") == 0)
        return rl_cli_labs(argc - 2, argv + 2);
    if (strcmp(argv[1], "lab") == 0)
        return rl_cli_lab(argc - 2, argv + 2);
    if (strcmp(argv[1], "check") == 0)
        return rl_cli_check(argc - 2, argv + 2);
    if (strcmp(argv[1], "grade") == 0)
        return rl_cli_grade(argc - 2, argv + 2);
    rl_cli_error("unknown command '%s' (try: racelab --help)", argv[1]);
    return RL_EXIT_USAGE;
}
