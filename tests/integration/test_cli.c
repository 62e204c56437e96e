/* test_cli.c: `racelab` given bad input, and the report's frame around a program's end.
 *
 * The exit statuses under test (racelab's contract): the program's own status when there are no
 * findings, 66 with findings, 2 usage error, 127 program not found, 126 program not executable,
 * 3 report file cannot be written. --help, for racelab and for `racelab run`, exits 0.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_racelab.h"

#define TEST_PROGRAM(name) RACELAB_TEST_PROGRAMS "/" name

/* Number of '\n' in text. */
static size_t lines(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

Test(cli, no_double_dash_is_a_usage_error)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){"run", "--json", RL_REPORT,
                                               TEST_PROGRAM("static_init"), NULL});
    rl_expect(&run, eq(int, run.status, 2));
    rl_expect(&run, eq(int, strncmp(run.err, "racelab:", 8), 0));
    rl_expect(&run, eq(sz, lines(run.err), 1));
    rl_expect(&run, eq(chr, run.err[strlen(run.err) - 1], '\n'));
    rl_run_free(&run);
}

Test(cli, unknown_option_is_a_usage_error)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){"run", "--no-such-option", "--json", RL_REPORT, "--",
                                               TEST_PROGRAM("static_init"), NULL});
    rl_expect(&run, eq(int, run.status, 2));
    rl_expect(&run, not(eq(str, run.err, "")));
    rl_run_free(&run);
}

Test(cli, missing_program_exits_127)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){"run", "--json", RL_REPORT, "--",
                                               TEST_PROGRAM("no_such_program"), NULL});
    rl_expect(&run, eq(int, run.status, 127));
    rl_run_free(&run);
}

Test(cli, non_executable_program_exits_126)
{
    rl_run run; /* a source file: it exists but has no execute permission */
    rl_run_racelab(&run, (const char *const[]){"run", "--json", RL_REPORT, "--",
                                               RACELAB_SOURCE_DIR "/tests/programs/crash_segv.c",
                                               NULL});
    rl_expect(&run, eq(int, run.status, 126));
    rl_run_free(&run);
}

Test(cli, unwritable_report_path_exits_3)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){"run", "--json",
                                               "/nonexistent-racelab-test-dir/report.json", "--",
                                               TEST_PROGRAM("static_init"), NULL});
    rl_expect(&run, eq(int, run.status, 3));
    rl_run_free(&run);
}

Test(cli, program_killed_by_signal_still_gets_a_report)
{
    rl_run run;
    rl_run_test_program(&run, "crash_segv", NULL);
    rl_expect_report(&run);
    rl_expect(&run, eq(str, rl_kinds(&run), ""));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.signal"), 11));
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "exit.signal_name"), "SIGSEGV"));
    rl_expect(&run, ne(int, run.status, 0));
    rl_run_free(&run);
}

/* A crash under a token schedule: the runtime never wrote the schedule's totals, but the report still
 * gives the schedule, seed and rerun command (the run worth repeating), and the text says how the
 * program ended. */
Test(cli, crashed_run_keeps_its_schedule_and_says_so)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){"run", "--json", RL_REPORT, "--schedule", "pct", "--seed", "3",
                                               "--", TEST_PROGRAM("crash_segv"), NULL});
    rl_expect_report(&run);
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "exit.signal_name"), "SIGSEGV"));
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "schedule.mode"), "pct"));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "schedule.seed"), 3));
    rl_expect(&run, strstr(rl_str_at(&run, NULL, "schedule.rerun"), "racelab run --schedule pct --seed 3 -- ") != NULL);
    rl_expect(&run, strstr(run.err, "crash_segv was killed by SIGSEGV") != NULL);
    rl_expect(&run, strstr(run.err, "racelab: schedule pct, seed 3; rerun: racelab run --schedule pct --seed 3") != NULL);
    rl_run_free(&run);
}

Test(cli, program_status_passes_through_without_findings)
{
    rl_run run; /* nested_100 rejects a count of 0 with status 2, before taking any lock */
    rl_run_test_program(&run, "nested_100", "0", NULL);
    rl_expect_report(&run);
    rl_expect(&run, eq(str, rl_kinds(&run), ""));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.status"), 2));
    rl_expect(&run, eq(int, run.status, 2));
    rl_run_free(&run);
}

Test(cli, report_names_version_and_program)
{
    rl_run run;
    rl_run_test_program(&run, "static_init", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "racelab_version"), "0.1.0"));
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "program"), TEST_PROGRAM("static_init")));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.processes"), 1));
    rl_run_free(&run);
}

Test(cli, help_exits_0)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){"--help", NULL});
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, not(eq(str, run.out, "")));
    rl_run_free(&run);
}

/* The value of NAME in env(1)'s output, or NULL; *count is how many NAME= lines there were. */
static const char *env_value(const char *out, const char *name, int *count, char *buf, size_t n)
{
    *count = 0;
    const char *found = NULL;
    size_t len = strlen(name);
    for (const char *line = out; *line;) {
        const char *end = strchr(line, '\n');
        size_t l = end ? (size_t)(end - line) : strlen(line);
        if (l > len && strncmp(line, name, len) == 0 && line[len] == '=') {
            (*count)++;
            snprintf(buf, n, "%.*s", (int)(l - len - 1), line + len + 1);
            found = buf;
        }
        line += l + (end ? 1 : 0);
    }
    return found;
}

/* The program's environment under `racelab run`: the caller's variables pass through; racelab's
 * runtime goes first in LD_PRELOAD with the caller's preload kept after it; RACELAB_LOG_DIR and
 * RACELAB_OPTIONS are racelab's own (a caller's RACELAB_LOG_DIR is replaced); the grader's
 * RACELAB_PROGRAM_MEMORY_MB is consumed, not passed on. Each variable appears once. */
Test(cli, program_environment)
{
    rl_run run;
    const char *argv[] = { RACELAB_BIN, "run", "--quiet", "--", "/usr/bin/env", NULL };
    const char *env[] = { "RACELAB_TEST_MARK=kept", "LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6",
                          "RACELAB_LOG_DIR=/nonexistent/caller", "RACELAB_PROGRAM_MEMORY_MB=4096", NULL };
    rl_run_command(&run, argv, env);
    cr_assert(eq(int, run.status, 0), "%s", rl_describe(&run));
    char buf[4096];
    int count;
    const char *v = env_value(run.out, "RACELAB_TEST_MARK", &count, buf, sizeof buf);
    cr_expect(eq(str, (char *)(v ? v : "<absent>"), "kept"));
    v = env_value(run.out, "LD_PRELOAD", &count, buf, sizeof buf);
    cr_expect(eq(int, count, 1));
    cr_expect(ne(ptr, v ? strstr(v, "/libracelab.so:/lib/x86_64-linux-gnu/libm.so.6") : NULL, NULL), "LD_PRELOAD=%s",
              v ? v : "<absent>");
    v = env_value(run.out, "RACELAB_LOG_DIR", &count, buf, sizeof buf);
    cr_expect(eq(int, count, 1));
    cr_expect(ne(ptr, v ? strstr(v, "/racelab.") : NULL, NULL), "RACELAB_LOG_DIR=%s", v ? v : "<absent>");
    v = env_value(run.out, "RACELAB_OPTIONS", &count, buf, sizeof buf);
    cr_expect(eq(int, count, 1));
    cr_expect(eq(str, (char *)(v ? v : "<absent>"), "quiet=1"));
    env_value(run.out, "RACELAB_PROGRAM_MEMORY_MB", &count, buf, sizeof buf);
    cr_expect(eq(int, count, 0));
    rl_run_free(&run);
}

Test(cli, run_help_exits_0)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){"run", "--help", NULL});
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, not(eq(str, run.out, "")));
    rl_run_free(&run);
}

/* The state letter of /proc/PID/stat ('T' stopped), or 0. */
static char process_state(int pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' ? close_paren[2] : 0;
}

/* SIGTERM to racelab while the program is stopped (SIGSTOP): forwarded and the program continued, so
 * the program ends by SIGTERM and racelab with 143, instead of both waiting for ever. */
Test(cli, sigterm_reaches_a_stopped_program)
{
    char program[512];
    snprintf(program, sizeof program, "%s/stops_itself", RACELAB_TEST_PROGRAMS);
    int out[2];
    cr_assert(eq(int, pipe(out), 0));
    pid_t racelab = fork();
    if (racelab == 0) {
        setpgid(0, 0);
        dup2(out[1], 1);
        close(out[0]);
        execl(RACELAB_BIN, "racelab", "run", "--quiet", "--", program, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    FILE *from_program = fdopen(out[0], "r");
    int program_pid = 0;
    cr_assert(eq(int, fscanf(from_program, "%d", &program_pid), 1), "the program did not print its pid");
    struct timespec start, now, tick = { 0, 10 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &start);
    do { /* until it has stopped itself */
        nanosleep(&tick, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (process_state(program_pid) != 'T' && now.tv_sec - start.tv_sec < 8);
    kill(racelab, SIGTERM);
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(racelab, &status, WNOHANG)) == 0 && now.tv_sec - start.tv_sec < 16) {
        nanosleep(&tick, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
    }
    if (done == 0) {
        kill(-racelab, SIGKILL);
        kill(program_pid, SIGKILL);
        waitpid(racelab, &status, 0);
    }
    fclose(from_program);
    cr_assert(ne(int, done, 0), "racelab did not end after SIGTERM while the program was stopped");
    bool exited_143 = WIFEXITED(status) && WEXITSTATUS(status) == 143;
    cr_assert(exited_143, "racelab ended with status 0x%x", status);
}

/* After the program has ended, SIGTERM stops racelab itself at once (here while it waits for a
 * descendant the program left behind), with one line, status 143, no report file and no event-log
 * directory left in TMPDIR. The signal is
 * sent until racelab exits: one that arrives as the program ends is forwarded to it, as before. */
Test(cli, signal_after_the_program_ended_stops_racelab)
{
    char dir[] = "/tmp/racelab-sigterm-XXXXXX";
    cr_assert(ne(ptr, mkdtemp(dir), NULL));
    char report[300], program[512];
    snprintf(report, sizeof report, "%s/report.json", dir);
    snprintf(program, sizeof program, "%s/leaves_a_sleeper", RACELAB_TEST_PROGRAMS);
    int out[2], err[2];
    cr_assert(eq(int, pipe(out), 0));
    cr_assert(eq(int, pipe(err), 0));
    pid_t racelab = fork();
    if (racelab == 0) {
        setpgid(0, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        setenv("TMPDIR", dir, 1); /* racelab's event-log directory goes here: it must be gone at the end */
        execl(RACELAB_BIN, "racelab", "run", "--quiet", "--json", report, "--", program, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    FILE *from_program = fdopen(out[0], "r");
    int program_pid = 0;
    cr_assert(eq(int, fscanf(from_program, "%d", &program_pid), 1), "the program did not print its pid");
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    pid_t done = 0;
    while (done == 0) { /* the program has ended once racelab reaped it; then signal until racelab ends */
        if (kill(program_pid, 0) != 0 && errno == ESRCH)
            kill(racelab, SIGTERM);
        struct timespec tick = { 0, 20 * 1000 * 1000 };
        nanosleep(&tick, NULL);
        done = waitpid(racelab, &status, WNOHANG);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 8)
            break;
    }
    char errtext[4096] = "";
    if (done == 0) {
        kill(-racelab, SIGKILL);
        waitpid(racelab, &status, 0);
    }
    ssize_t n = read(err[0], errtext, sizeof errtext - 1);
    errtext[n > 0 ? n : 0] = 0;
    kill(-racelab, SIGKILL); /* the sleeper */
    fclose(from_program);
    close(err[0]);
    cr_assert(ne(int, done, 0), "racelab did not stop within 8 s of SIGTERM (it waits 10 s for descendants)");
    bool exited_143 = WIFEXITED(status) && WEXITSTATUS(status) == 143;
    cr_assert(exited_143, "racelab ended with status 0x%x", status);
    cr_assert(ne(ptr, strstr(errtext, "interrupted after the program ended; no report written"), NULL), "stderr: %s", errtext);
    cr_assert(ne(int, access(report, F_OK), 0), "a report was left behind");
    DIR *left = opendir(dir);
    cr_assert(ne(ptr, left, NULL));
    struct dirent *e;
    while ((e = readdir(left)))
        cr_expect(eq(int, e->d_name[0], '.'), "left behind in TMPDIR: %s (the event logs)", e->d_name);
    closedir(left);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert(eq(int, system(cmd), 0));
}
