/* labs.c: `racelab labs` lists the labs with a line each (from build/labs/index.txt, generated from each
 * lab's header comment); `racelab lab NAME [--tsan] [RUN-OPTIONS] [-- ARGS...]` runs that lab's binary
 * (or its ThreadSanitizer build) through `racelab run`. Builds nothing. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int labs_dir(char *out, size_t n)
{
    const char *env = getenv("RACELAB_LABS");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return -1;
    self[len] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    char joined[PATH_MAX + 16];
    snprintf(joined, sizeof joined, "%s/../labs", self);
    char resolved[PATH_MAX];
    snprintf(out, n, "%s", realpath(joined, resolved) ? resolved : joined);
    return 0;
}

int rl_cli_labs(int argc, char **argv)
{
    (void)argv;
    if (argc > 0) {
        rl_cli_error("'labs' takes no arguments");
        return RL_EXIT_USAGE;
    }
    char dir[PATH_MAX], path[PATH_MAX + 16];
    if (labs_dir(dir, sizeof dir) != 0)
        return RL_EXIT_INTERNAL;
    snprintf(path, sizeof path, "%s/index.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        rl_cli_error("no lab index at %s (build racelab first: ./scripts/setup.sh)", path);
        return RL_EXIT_INTERNAL;
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        printf("  %-22s %s", line, tab + 1);
    }
    fclose(f);
    printf("\nRun one: racelab lab NAME [--tsan] [run options] [-- lab arguments]   (each lab has --help)\n");
    return 0;
}

static int known_lab(const char *dir, const char *name)
{
    char path[PATH_MAX + 16], line[1024];
    snprintf(path, sizeof path, "%s/index.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int found = 0;
    size_t n = strlen(name);
    while (!found && fgets(line, sizeof line, f))
        found = strncmp(line, name, n) == 0 && line[n] == '\t';
    fclose(f);
    return found;
}

int rl_cli_lab(int argc, char **argv)
{
    if (argc < 1) {
        rl_cli_error("which lab? racelab lab NAME [--tsan] [run options] [-- lab arguments]   (racelab labs lists them)");
        return RL_EXIT_USAGE;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        printf("usage: racelab lab NAME [--tsan] [run options] [-- lab arguments]   (racelab labs lists them)\n");
        return 0;
    }
    char dir[PATH_MAX];
    if (labs_dir(dir, sizeof dir) != 0)
        return RL_EXIT_INTERNAL;
    const char *name = argv[0];
    if (strchr(name, '/') || !known_lab(dir, name)) {
        rl_cli_error("no lab called '%s' (racelab labs lists them)", name);
        return RL_EXIT_USAGE;
    }
    int tsan = 0;
    char **run_argv = calloc((size_t)argc + 4, sizeof *run_argv);
    if (!run_argv)
        return RL_EXIT_INTERNAL;
    int k = 0, i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--tsan") == 0)
            tsan = 1;
        else
            run_argv[k++] = argv[i];
    }
    char program[PATH_MAX + 64];
    snprintf(program, sizeof program, "%s/%s%s", dir, name, tsan ? "-tsan" : "");
    run_argv[k++] = "--";
    run_argv[k++] = program;
    for (i = i < argc ? i + 1 : i; i < argc; i++)
        run_argv[k++] = argv[i];
    int rc = rl_cli_run(k, run_argv);
    free(run_argv);
    return rc;
}
