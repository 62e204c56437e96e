/* confirm.c: `racelab confirm REPORT.json [--finding N] [--tries N] [--json FILE] -- PROGRAM [ARGS]`.
 * Takes a potential-deadlock from an earlier report and reruns the program so that its threads pause
 * just before the acquisitions that close the cycle (instrument/confirm.c), up to --tries times (the
 * first with the native schedule, then seeded random ones). Says whether the deadlock really happened,
 * and with which schedule and seed; or that it was not confirmed. Each try is a `racelab run`; a try
 * whose program cannot be started (not found, not executable) ends confirm with run's status. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: racelab confirm REPORT.json [--finding N] [--tries N] [--json FILE] -- PROGRAM [ARGS...]\n\n"
                 "Reruns PROGRAM pausing its threads just before the acquisitions that close the lock-order\n"
                 "cycle of a potential-deadlock in REPORT.json (the first one, or the N-th), to see whether\n"
                 "the deadlock can really happen. Exit status: 66 confirmed, 0 not confirmed within the\n"
                 "tries (default 5), 2 usage, 4 the report is unreadable or has no potential-deadlock,\n"
                 "126 PROGRAM is not executable, 127 PROGRAM was not found (racelab stops at the first try).\n");
}

static bool parse_count(const char *v, long *out)
{
    char *end;
    long n = strtol(v ? v : "", &end, 10);
    if (!v || !*v || *end || n < 1 || n > 1000)
        return false;
    *out = n;
    return true;
}

/* Runs `racelab run` for one try; returns the parsed report, or NULL. *run_status is that run's exit
 * status (-1 if it did not exit): 126 or 127 without a report mean the program could not be started,
 * and `racelab run` has said why in one line. */
static json_t *one_try(const char *confirm_file, const char *schedule, long seed, char **prog_argv, int prog_argc,
                       const char *tmpdir, int *run_status)
{
    *run_status = -1;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = 0;
    char json_path[PATH_MAX], seed_text[32];
    snprintf(json_path, sizeof json_path, "%s/try.json", tmpdir);
    snprintf(seed_text, sizeof seed_text, "%ld", seed);
    char **argv = calloc((size_t)prog_argc + 12, sizeof *argv);
    if (!argv)
        return NULL;
    int k = 0;
    argv[k++] = self;
    argv[k++] = "run";
    argv[k++] = "--quiet";
    argv[k++] = "--json";
    argv[k++] = json_path;
    argv[k++] = "--schedule";
    argv[k++] = (char *)schedule;
    argv[k++] = "--seed";
    argv[k++] = seed_text;
    argv[k++] = "--";
    for (int i = 0; i < prog_argc; i++)
        argv[k++] = prog_argv[i];
    argv[k] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("RACELAB_CONFIRM_FILE", confirm_file, 1);
        unsetenv("RACELAB_OPTIONS");
        execv(self, argv);
        _exit(RL_EXIT_INTERNAL); /* not 127: that would read as "the program was not found" */
    }
    free(argv);
    if (pid < 0)
        return NULL;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status))
        *run_status = WEXITSTATUS(status);
    json_error_t err;
    json_t *report = json_load_file(json_path, 0, &err);
    unlink(json_path);
    return report;
}

static bool has_deadlock(json_t *report, json_t **finding)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(report, "findings"), i, f)
        if (strcmp(json_string_value(json_object_get(f, "kind")) ?: "", "deadlock") == 0) {
            *finding = f;
            return true;
        }
    return false;
}

/* `racelab run` ended with this status and no report: the program could not be started (not found,
 * not executable), which no further try will change. */
static bool program_cannot_start(int run_status)
{
    return run_status == RL_EXIT_NOT_FOUND || run_status == RL_EXIT_NOT_EXECUTABLE;
}

int rl_cli_confirm(int argc, char **argv)
{
    const char *report_path = NULL, *json_out = NULL;
    long which = 1, tries = 5;
    int i = 0;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--finding") == 0 || strcmp(a, "--tries") == 0) {
            if (!parse_count(i + 1 < argc ? argv[i + 1] : NULL, strcmp(a, "--finding") == 0 ? &which : &tries)) {
                rl_cli_error("%s needs a number from 1 to 1000", a);
                return RL_EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--json") == 0) {
            if (i + 1 >= argc || strcmp(argv[i + 1], "--") == 0) {
                rl_cli_error("--json needs a file name");
                return RL_EXIT_USAGE;
            }
            json_out = argv[++i];
        } else if (a[0] == '-') {
            rl_cli_error("unknown option '%s' (try: racelab confirm --help)", a);
            return RL_EXIT_USAGE;
        } else if (!report_path) {
            report_path = a;
        } else {
            rl_cli_error("expected '--' before the program: racelab confirm REPORT.json -- %s ...", a);
            return RL_EXIT_USAGE;
        }
    }
    if (!report_path) {
        rl_cli_error("confirm needs the REPORT.json of an earlier run");
        return RL_EXIT_USAGE;
    }
    if (i >= argc || i + 1 >= argc) {
        rl_cli_error("expected '--' and a program: racelab confirm REPORT.json -- PROGRAM [ARGS...]");
        return RL_EXIT_USAGE;
    }
    if (json_out) {
        int rc = rl_cli_probe_output(json_out, "the confirmation");
        if (rc)
            return rc;
    }
    char load_err[1024];
    json_t *report = rl_report_load_file(report_path, load_err, sizeof load_err);
    if (!report) {
        rl_cli_error("%s", load_err);
        return RL_EXIT_BAD_REPORT;
    }
    json_t *target = NULL;
    long seen = 0;
    size_t k;
    json_t *f;
    json_array_foreach(json_object_get(report, "findings"), k, f)
        if (json_is_string(json_object_get(f, "kind")) &&
            strcmp(json_string_value(json_object_get(f, "kind")), "potential-deadlock") == 0 && ++seen == which)
            target = f;
    if (!target) {
        rl_cli_error("'%s' has %s potential-deadlock finding%s", report_path,
                seen ? "fewer" : "no", seen ? "s than asked for" : "");
        json_decref(report);
        return RL_EXIT_BAD_REPORT;
    }
    /* The sites where each edge's thread takes its second lock. */
    char tmpdir[PATH_MAX];
    snprintf(tmpdir, sizeof tmpdir, "%s/racelab-confirm.XXXXXX", getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        rl_cli_error("cannot create a temporary directory: %s", strerror(errno));
        json_decref(report);
        return RL_EXIT_INTERNAL;
    }
    char sites_path[PATH_MAX];
    snprintf(sites_path, sizeof sites_path, "%s/sites", tmpdir);
    FILE *sites = fopen(sites_path, "w");
    size_t n_edges = json_array_size(json_object_get(target, "edges")), written = 0;
    if (sites) {
        fprintf(sites, "edges %zu\n", n_edges);
        json_t *e;
        json_array_foreach(json_object_get(target, "edges"), k, e) {
            json_t *top = json_array_get(json_object_get(e, "to_stack"), 0);
            const char *off = json_string_value(json_object_get(top, "module_offset"));
            const char *mod = json_string_value(json_object_get(top, "module"));
            if (off && mod) {
                fprintf(sites, "%s %s\n", off, mod);
                written++;
            }
        }
        fclose(sites);
    }
    if (!written) {
        rl_cli_error("the potential-deadlock in '%s' has no acquisition sites to pause at", report_path);
        unlink(sites_path);
        rmdir(tmpdir);
        json_decref(report);
        return RL_EXIT_BAD_REPORT;
    }
    const char *cycle_text = json_string_value(json_object_get(target, "summary"));
    char **prog_argv = argv + i + 1;
    int prog_argc = argc - i - 1;
    json_t *deadlock = NULL, *last = NULL;
    long found_try = 0;
    int start_failure = 0;
    const char *schedule = "native";
    for (long t = 1; t <= tries && !found_try && !start_failure; t++) {
        schedule = t == 1 ? "native" : "random";
        json_decref(last);
        int run_status;
        last = one_try(sites_path, schedule, t, prog_argv, prog_argc, tmpdir, &run_status);
        if (!last && program_cannot_start(run_status))
            start_failure = run_status; /* `racelab run` printed the one line saying why */
        else if (!last)
            rl_cli_error("try %ld of the program did not produce a report", t);
        else if (has_deadlock(last, &deadlock))
            found_try = t;
    }
    unlink(sites_path);
    rmdir(tmpdir);
    if (start_failure) {
        json_decref(report);
        return start_failure;
    }
    char args[2048] = "";
    size_t at = 0;
    for (int a = 0; a < prog_argc && at < sizeof args; a++)
        at += (size_t)snprintf(args + at, sizeof args - at, "%s%s", a ? " " : "", prog_argv[a]);
    if (found_try)
        fprintf(stderr,
                "racelab: confirmed: the reported cycle really deadlocks (%s)\n  It happened on try %ld (%s schedule%s): %s\n"
                "  Reproduce: racelab confirm %s --tries %ld -- %s\n",
                cycle_text ? cycle_text : "the potential deadlock", found_try, schedule,
                strcmp(schedule, "native") ? ", seeded with the try number" : "",
                json_string_value(json_object_get(deadlock, "summary")) ?: "", report_path, found_try, args);
    else
        fprintf(stderr, "racelab: not confirmed after %ld tr%s. The report said: %s\n  With the threads paused at the "
                        "cycle's acquisitions, they never all got there at once: something else keeps them apart (a "
                        "common lock, a join, a condition), or the timing is out of reach of %ld tries.\n",
                tries, tries == 1 ? "y" : "ies", cycle_text ? cycle_text : "a potential deadlock", tries);
    int rc = found_try ? RL_EXIT_FINDINGS : 0;
    if (json_out) {
        json_t *out = json_pack("{s:b,s:i,s:s,s:O?}", "confirmed", found_try != 0, "tries", (int)tries,
                                "potential_deadlock", cycle_text ? cycle_text : "", "deadlock", found_try ? deadlock : NULL);
        if (found_try) {
            json_object_set_new(out, "try", json_integer(found_try));
            json_object_set_new(out, "schedule", json_string(schedule));
            json_object_set_new(out, "seed", json_integer(found_try));
        }
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s.tmp", json_out);
        if (json_dump_file(out, tmp, JSON_INDENT(2)) != 0 || rename(tmp, json_out) != 0) {
            rl_cli_error("cannot write '%s': %s", json_out, strerror(errno));
            unlink(tmp);
            rc = RL_EXIT_REPORT_UNWRITABLE;
        }
        json_decref(out);
    }
    json_decref(last);
    json_decref(report);
    return rc;
}
