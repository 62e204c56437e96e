/* test_hardening_scale.c: racelab keeps working, and keeps its report, under stress and with odd
 * programs (issue 8): scale, fork/exec/spawn, and programs that end abruptly.
 *
 * Suite "scale": 1000 threads, 10^5 locks, 1000 locks held at once, 10^7 lock operations, each
 * through `racelab run --json`: the exact findings (a cycle planted after the stress must still be
 * found), the report's counts, and the memory the runtime added: the program prints its own peak RSS
 * (tests/programs/peak_memory.h), run once plain and once under racelab, and the difference must stay
 * within the bounds docs/limits.md states.
 * Suite "process": fork while other threads hold locks or are inside a shared-variable access,
 * fork+exec, vfork+exec, posix_spawn, a child killed by SIGKILL: findings carry the right pid, every
 * process says how it ended.
 * Suite "ending": exit() and crashes (SIGSEGV, abort()) while threads hold locks: the report is
 * written, says how the program ended, and keeps the findings made before.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_racelab.h"

#define TEST_PROGRAM(name) RACELAB_TEST_PROGRAMS "/" name
#define SCALE_TIMEOUT 120 /* Criterion's per-test bound; the runs take seconds */

/* The "peak_rss_kb N" line a scale program prints, or -1. */
static long peak_kb(const char *out)
{
    const char *at = out ? strstr(out, "peak_rss_kb ") : NULL;
    return at ? strtol(at + strlen("peak_rss_kb "), NULL, 10) : -1;
}

/* Runs the program plain and returns its peak RSS in KiB (asserting it ran cleanly). */
static long plain_peak_kb(const char *name, const char *arg)
{
    rl_run plain;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", RACELAB_TEST_PROGRAMS, name);
    rl_run_command(&plain, (const char *const[]){path, arg, NULL}, NULL);
    rl_expect(&plain, eq(int, plain.status, 0));
    long kb = peak_kb(plain.out);
    rl_expect(&plain, gt(long, kb, 0));
    rl_run_free(&plain);
    return kb;
}

/* What racelab's runtime added to the program's peak memory stays under bound_kb. */
static void expect_added_memory_below(rl_run *run, const char *name, const char *arg, long bound_kb)
{
    long with = peak_kb(run->out), without = plain_peak_kb(name, arg);
    rl_expect(run, gt(long, with, 0));
    cr_log_info("%s %s: peak RSS %ld KiB plain, %ld KiB under racelab (+%ld KiB; bound %ld KiB)", name,
                arg ? arg : "", without, with, with - without, bound_kb);
    rl_expect(run, lt(long, with - without, bound_kb));
}

/* Exactly one potential deadlock, between exactly the locks `names`, in process pid (0: any). */
static void expect_one_cycle(rl_run *run, const char *names, long long pid)
{
    rl_expect(run, eq(sz, rl_count(run, "potential-deadlock"), 1));
    json_t *f = rl_finding(run, "potential-deadlock", 0);
    rl_expect(run, eq(str, rl_cycle_lock_names(run, f), (char *)names));
    if (pid)
        rl_expect(run, eq(i64, rl_int_at(run, f, "pid"), pid));
}

/* ---- scale ------------------------------------------------------------------------------------ */

Test(scale, thousand_threads, .timeout = SCALE_TIMEOUT)
{
    rl_run run;
    rl_run_test_program(&run, "scale_threads", "1000", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.threads"), 1001));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.acquisitions"), 1000));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.locks"), 1));
    rl_expect(&run, eq(sz, json_array_size(json_object_get(run.report, "notes")), 0));
    expect_added_memory_below(&run, "scale_threads", "1000", 1000 * 16); /* 16 KiB a thread */
    rl_run_free(&run);
}

Test(scale, hundred_thousand_locks, .timeout = SCALE_TIMEOUT)
{
    rl_run run;
    rl_run_test_program(&run, "scale_locks", "100000", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.locks"), 100000));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.edges"), 100001));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.acquisitions"), 200004));
    json_t *f = rl_finding(&run, "potential-deadlock", 0);
    rl_expect(&run, eq(sz, rl_count(&run, "potential-deadlock"), 1));
    rl_expect(&run, eq(sz, json_array_size(json_object_get(f, "cycle")), 2));
    /* 10^5 locks and 10^5 + 1 edges: under 1 KiB per lock with its edge */
    expect_added_memory_below(&run, "scale_locks", "100000", 100000);
    rl_run_free(&run);
}

Test(scale, thousand_locks_held_at_once, .timeout = SCALE_TIMEOUT)
{
    rl_run run;
    rl_run_test_program(&run, "scale_deep_hold", "1000", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "locks[500],locks[999]", 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.locks"), 1000));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.edges"), 1000 * 999 / 2 + 1));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.acquisitions"), 1002));
    /* 499,501 edges (each with its witness and a gate set of the locks then held): under 256 B each */
    expect_added_memory_below(&run, "scale_deep_hold", "1000", 499501 / 4);
    rl_run_free(&run);
}

Test(scale, ten_million_lock_operations, .timeout = SCALE_TIMEOUT)
{
    rl_run run;
    rl_run_test_program(&run, "scale_lock_ops", "10000000", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "lock_a,lock_b", 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.acquisitions"), 10000004));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.edges"), 3));
    /* operations on known locks and known chains allocate nothing */
    expect_added_memory_below(&run, "scale_lock_ops", "10000000", 8 * 1024);
    rl_run_free(&run);
}

/* A thread that cycles through hundreds of chains gets the fast path's larger memo; counts stay exact,
 * and locks destroyed and made again at the same addresses are still new locks to it. */
Test(scale, many_chains_per_thread)
{
    rl_run run;
    rl_run_test_program(&run, "memo_many_chains", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "chain[50],chain[51]", 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.locks"), 202));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.edges"), 201));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.acquisitions"), 398 * 50 + 4));
    rl_run_free(&run);
}

/* ---- processes ---------------------------------------------------------------------------------- */

/* The process entry of pid; the index-th one when a pid has several images (exec). */
static json_t *process(rl_run *run, long long pid, size_t index)
{
    json_t *procs = json_object_get(run->report, "processes"), *p;
    size_t i;
    json_array_foreach(procs, i, p)
        if (json_integer_value(json_object_get(p, "pid")) == pid && index-- == 0)
            return p;
    return NULL;
}

/* Under serial and pct too: the child's scheduler starts afresh with the forking thread holding the
 * token (it used to keep the parent's, with threads that do not exist in the child, and hung). */
Test(process, fork_while_other_threads_hold_locks_under_schedules)
{
    static const char *const schedules[] = {"serial", "pct"};
    for (size_t i = 0; i < 2; i++) {
        rl_run run;
        rl_run_racelab(&run, (const char *const[]){"run", "--json", RL_REPORT, "--schedule", schedules[i], "--seed", "1",
                                                   "--", TEST_PROGRAM("fork_while_locked"), NULL});
        rl_expect_normal_exit(&run, "potential-deadlock");
        long long child = rl_int_at(&run, rl_finding(&run, "potential-deadlock", 0), "pid");
        expect_one_cycle(&run, "locks[2],locks[3]", child);
        rl_run_free(&run);
    }
}

Test(process, fork_while_other_threads_hold_locks)
{
    rl_run run;
    rl_run_test_program(&run, "fork_while_locked", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    long long main_pid = rl_int_at(&run, NULL, "processes.0.pid");
    long long child = rl_int_at(&run, rl_finding(&run, "potential-deadlock", 0), "pid");
    rl_expect(&run, ne(i64, child, main_pid));
    expect_one_cycle(&run, "locks[2],locks[3]", child);
    json_t *entry = process(&run, child, 0);
    rl_expect(&run, not(eq(ptr, entry, NULL)));
    rl_expect(&run, eq(i64, rl_int_at(&run, entry, "parent_pid"), main_pid));
    rl_expect(&run, eq(i64, rl_int_at(&run, entry, "exit.status"), 0)); /* the parent's waitpid saw it */
    /* each process counts its own: the parent main + 2 holders, 2 acquisitions, locks[0..1]; the child
     * the forking thread + 2 threads, 4 acquisitions, locks[2..3] and their 2 edges */
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.threads"), 6));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.acquisitions"), 6));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.locks"), 4));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.edges"), 2));
    rl_run_free(&run);
}

/* Children forked while another thread is inside a shared-variable access (holding its lock or owner
 * flag) use those variables freely: nothing is left locked by the thread the child does not have. */
Test(process, fork_while_a_thread_is_inside_a_shared_variable)
{
    rl_run run;
    rl_run_test_program(&run, "fork_while_var_busy", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, not(eq(ptr, run.out ? strstr(run.out, "0 of 20 children failed") : NULL, NULL)));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.processes"), 21));
    rl_run_free(&run);
}

/* spawn_exec HOW: the exec'd child's cycle is reported with its pid, in its exec'd image. */
static void expect_exec_child_followed(const char *how, bool forked_image)
{
    rl_run run;
    rl_run_test_program(&run, "spawn_exec", how, NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    long long main_pid = rl_int_at(&run, NULL, "processes.0.pid");
    long long child = rl_int_at(&run, rl_finding(&run, "potential-deadlock", 0), "pid");
    rl_expect(&run, ne(i64, child, main_pid));
    expect_one_cycle(&run, "lock_a,lock_b", child);
    /* fork leaves an image of the parent's program in the child before exec (marked as exec'd);
     * vfork and posix_spawn run nothing of racelab's before the exec */
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.processes"), forked_image ? 3 : 2));
    json_t *exec_image = process(&run, child, forked_image ? 1 : 0);
    rl_expect(&run, not(eq(ptr, exec_image, NULL)));
    rl_expect(&run, eq(i64, rl_int_at(&run, exec_image, "exit.status"), 0));
    if (forked_image)
        rl_expect(&run, eq(str, rl_str_at(&run, process(&run, child, 0), "exit.exec"), TEST_PROGRAM("spawn_exec")));
    rl_expect(&run, eq(i64, rl_int_at(&run, process(&run, main_pid, 0), "exit.status"), 0));
    rl_run_free(&run);
}

Test(process, fork_then_exec) { expect_exec_child_followed("fork", true); }
Test(process, vfork_then_exec) { expect_exec_child_followed("vfork", false); }
Test(process, posix_spawn) { expect_exec_child_followed("spawn", false); }

Test(process, child_killed_by_a_signal)
{
    rl_run run;
    rl_run_test_program(&run, "fork_child_killed", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    long long child = rl_int_at(&run, rl_finding(&run, "potential-deadlock", 0), "pid");
    expect_one_cycle(&run, "lock_a,lock_b", child);
    json_t *entry = process(&run, child, 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, entry, "exit.signal"), 9));
    rl_expect(&run, eq(str, rl_str_at(&run, entry, "exit.signal_name"), "SIGKILL"));
    rl_run_free(&run);
}

/* Children the program reaps with wait3 (dash: system(), popen()) and waitid: their entries say how
 * they ended. */
Test(process, children_reaped_with_wait3_and_waitid)
{
    rl_run run;
    rl_run_test_program(&run, "reaps_with_wait3_and_waitid", NULL);
    rl_expect_normal_exit(&run, "");
    json_t *procs = json_object_get(run.report, "processes");
    rl_expect(&run, eq(sz, json_array_size(procs), 3));
    rl_expect(&run, eq(i64, rl_int_at(&run, json_array_get(procs, 1), "exit.status"), 3));
    rl_expect(&run, eq(str, rl_str_at(&run, json_array_get(procs, 2), "exit.signal_name"), "SIGKILL"));
    rl_run_free(&run);
}

/* ---- ending ------------------------------------------------------------------------------------- */

Test(ending, exit_while_threads_hold_locks)
{
    rl_run run;
    rl_run_test_program(&run, "exit_while_held", NULL);
    rl_expect_report(&run);
    rl_expect(&run, eq(str, rl_kinds(&run), "potential-deadlock"));
    expect_one_cycle(&run, "lock_a,lock_b", 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.status"), 3));
    rl_expect(&run, eq(int, run.status, 66));
    rl_run_free(&run);
}

static void expect_crash_reported(const char *how, int sig, const char *name)
{
    rl_run run;
    rl_run_test_program(&run, "crash_while_held", how, NULL);
    rl_expect_report(&run);
    rl_expect(&run, eq(str, rl_kinds(&run), "potential-deadlock"));
    expect_one_cycle(&run, "lock_a,lock_b", 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.signal"), sig));
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "exit.signal_name"), (char *)name));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "processes.0.exit.signal"), sig));
    /* no statistics line was written: the counts come from the log */
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.locks"), 5));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.edges"), 2));
    rl_expect(&run, eq(int, run.status, 66));
    rl_run_free(&run);
}

Test(ending, segv_while_threads_hold_locks) { expect_crash_reported("segv", 11, "SIGSEGV"); }
Test(ending, abort_while_threads_hold_locks) { expect_crash_reported("abort", 6, "SIGABRT"); }
