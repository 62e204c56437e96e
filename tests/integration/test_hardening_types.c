/* test_hardening_types.c: issue 8, hardening: programs that stress how the runtime copes with signal
 * handlers, cancellation, thread ends, unusual lock types and programs it cannot instrument. Each runs
 * through `racelab run --json`; the report must say exactly what the program's header comment
 * promises, and every run must end by itself (the support library kills a run after
 * RL_RUN_TIMEOUT_SECONDS, and a run that hit that limit has no report: a hang fails the test).
 *
 * Suites: "signals" (handlers that lock mutexes while the runtime is busy: docs/runtime-locking.md),
 * "cancel" (cancellation points, pthread_exit, detached threads, TLS destructors), "locktypes"
 * (process-shared, robust, error-checking, static initialisers, spinlocks), "uninstrumented" (no
 * pthreads, statically linked, setuid).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_racelab.h"

/* The first note whose summary contains `text`, or NULL. */
static json_t *note_containing(rl_run *run, const char *text)
{
    json_t *notes = json_object_get(run->report, "notes");
    size_t i;
    json_t *note;
    if (json_is_array(notes))
        json_array_foreach(notes, i, note) {
            const char *summary = json_string_value(json_object_get(note, "summary"));
            if (summary && strstr(summary, text))
                return note;
        }
    return NULL;
}

static size_t notes_containing(rl_run *run, const char *text)
{
    json_t *notes = json_object_get(run->report, "notes");
    size_t i, count = 0;
    json_t *note;
    if (json_is_array(notes))
        json_array_foreach(notes, i, note) {
            const char *summary = json_string_value(json_object_get(note, "summary"));
            count += summary && strstr(summary, text);
        }
    return count;
}

/* The only finding of `kind` is about exactly the locks `names` (sorted, ','). */
static void expect_one_on(rl_run *run, const char *kind, const char *names)
{
    rl_expect(run, eq(sz, rl_count(run, kind), 1));
    rl_expect(run, eq(str, rl_lock_names(run, rl_finding(run, kind, 0)), (char *)names));
}

/* ---- signal handlers -------------------------------------------------------------------------- */

Test(signals, handler_locks_while_runtime_busy)
{
    rl_run run;
    rl_run_test_program(&run, "signal_handler_stress", NULL);
    rl_expect_normal_exit(&run, "");
    /* nothing dropped: every worker acquisition (4 x 8 x 5000 pairs, plus the fresh mutexes) counted */
    rl_expect(&run, ge(i64, rl_int_at(&run, NULL, "stats.acquisitions"), 4LL * 8 * 5000 * 2));
    rl_run_free(&run);
}

Test(signals, handler_in_blocked_wrapper_is_unobserved)
{
    rl_run run;
    rl_run_test_program(&run, "signal_in_wait", NULL);
    rl_expect_normal_exit(&run, "");
    json_t *note = note_containing(&run, "pthread calls made by signal handlers");
    rl_expect(&run, not(eq(ptr, note, NULL)));
    const char *summary = json_string_value(json_object_get(note, "summary"));
    rl_expect(&run, eq(int, strncmp(summary, "3 pthread calls ", 16), 0));
    rl_run_free(&run);
}

Test(signals, never_on_the_watchdog)
{
    rl_run run;
    rl_run_test_program(&run, "signal_every_task", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock");
    rl_expect(&run, not(eq(ptr, strstr(rl_str_at(&run, NULL, "findings.0.summary"), "every thread is blocked"), NULL)));
    rl_run_free(&run);
}

/* ---- cancellation and thread ends ------------------------------------------------------------- */

Test(cancel, cleanup_handlers_release)
{
    rl_run run;
    rl_run_test_program(&run, "cancel_cleanup", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
}

Test(cancel, cancelled_wait_retakes_the_mutex)
{
    rl_run run;
    rl_run_test_program(&run, "cancel_forgets_unlock", NULL);
    rl_expect_normal_exit(&run, "held-at-exit");
    expect_one_on(&run, "held-at-exit", "forgotten_on_cancel");
    rl_run_free(&run);
}

/* Under the token schedules the waits are kept by racelab's scheduler, not the kernel: a cancelled
 * thread must still act on it there, as natively (no false stall), and a seed must still replay. */
static void run_scheduled(rl_run *run, const char *program, const char *schedule, long seed)
{
    char path[512], seed_text[24];
    snprintf(path, sizeof path, "%s/%s", RACELAB_TEST_PROGRAMS, program);
    snprintf(seed_text, sizeof seed_text, "%ld", seed);
    rl_run_racelab(run, (const char *[]){ "run", "--json", RL_REPORT, "--schedule", schedule, "--seed", seed_text,
                                          "--", path, NULL });
}

Test(cancel, cancelled_inside_the_scheduler)
{
    const char *schedules[] = { "pct", "serial" };
    for (size_t k = 0; k < 2; k++)
        for (long seed = 1; seed <= 4; seed++) {
            rl_run run;
            run_scheduled(&run, "cancel_cleanup", schedules[k], seed);
            rl_expect_normal_exit(&run, "");
            rl_run_free(&run);
            run_scheduled(&run, "cancel_forgets_unlock", schedules[k], seed);
            rl_expect_normal_exit(&run, "held-at-exit");
            expect_one_on(&run, "held-at-exit", "forgotten_on_cancel");
            rl_run_free(&run);
        }
    char first[64] = "";
    for (int i = 0; i < 3; i++) {
        rl_run run;
        run_scheduled(&run, "cancel_cleanup", "pct", 4);
        rl_expect_normal_exit(&run, "");
        char *hash = rl_str_at(&run, NULL, "schedule.event_hash");
        if (i == 0)
            snprintf(first, sizeof first, "%s", hash);
        rl_expect(&run, eq(str, hash, first), "pct seed 4 did not replay the same events");
        rl_run_free(&run);
    }
}

Test(cancel, pending_cancel_never_acts_inside_the_runtime)
{
    rl_run run;
    rl_run_test_program(&run, "cancel_pending_in_runtime", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, not(eq(ptr, strstr(run.out, "did its work first: yes"), NULL)));
    rl_run_free(&run);
}

Test(cancel, pthread_exit_and_detached_threads)
{
    rl_run run;
    rl_run_test_program(&run, "thread_end_held", NULL);
    rl_expect_normal_exit(&run, "held-at-exit");
    rl_expect(&run, eq(sz, rl_count(&run, "held-at-exit"), 2));
    char *a = rl_lock_names(&run, rl_finding(&run, "held-at-exit", 0));
    char *b = rl_lock_names(&run, rl_finding(&run, "held-at-exit", 1));
    bool both = (strcmp(a, "exit_lock") == 0 && strcmp(b, "detached_lock") == 0) ||
                (strcmp(a, "detached_lock") == 0 && strcmp(b, "exit_lock") == 0);
    rl_expect(&run, eq(int, both, 1));
    rl_run_free(&run);
}

Test(cancel, tls_destructors_are_observed)
{
    rl_run run;
    rl_run_test_program(&run, "tls_destructor_locks", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    rl_expect(&run, eq(sz, rl_count(&run, "potential-deadlock"), 1));
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, rl_finding(&run, "potential-deadlock", 0)),
                       "registry_lock,stats_lock"));
    rl_run_free(&run);
}

/* ---- lock types ------------------------------------------------------------------------------- */

Test(locktypes, process_shared_mutex_across_fork)
{
    rl_run run;
    rl_run_test_program(&run, "pshared_fork", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.processes"), 2));
    rl_run_free(&run);
}

Test(locktypes, robust_owner_died)
{
    rl_run run;
    rl_run_test_program(&run, "robust_owner_died", NULL);
    rl_expect_normal_exit(&run, "held-at-exit");
    expect_one_on(&run, "held-at-exit", "robust_lock");
    /* one EOWNERDEAD from the dead thread, one from the dead child process */
    rl_expect(&run, eq(sz, notes_containing(&run, "EOWNERDEAD"), 2));
    rl_run_free(&run);
}

/* A robust mutex left not recoverable: every later lock returns ENOTRECOVERABLE, as without racelab
 * (racelab's trylock probe used to leave it taken, and main's lock then hung for ever). */
Test(locktypes, robust_not_recoverable)
{
    rl_run run;
    rl_run_test_program(&run, "robust_not_recoverable", NULL);
    rl_expect_normal_exit(&run, "held-at-exit");
    expect_one_on(&run, "held-at-exit", "robust_lock");
    rl_expect(&run, eq(str, run.out, "t2: Owner died\nt3: State not recoverable\nmain: State not recoverable\n"));
    rl_run_free(&run);
}

Test(locktypes, errorcheck_refusals)
{
    rl_run run;
    rl_run_test_program(&run, "errorcheck_misuse", NULL);
    rl_expect_normal_exit(&run, "unlock-foreign,unlock-unlocked");
    expect_one_on(&run, "unlock-foreign", "checked_lock");
    expect_one_on(&run, "unlock-unlocked", "checked_lock");
    rl_run_free(&run);
}

Test(locktypes, static_initialisers)
{
    rl_run run;
    rl_run_test_program(&run, "static_init_types", NULL);
    rl_expect_normal_exit(&run, "double-lock");
    expect_one_on(&run, "double-lock", "checked_static");
    rl_expect(&run, eq(str, rl_str_at(&run, rl_finding(&run, "double-lock", 0), "locks.0.type"), "errorcheck"));
    rl_run_free(&run);
}

Test(locktypes, spinlock_abba_is_a_cycle)
{
    rl_run run;
    rl_run_test_program(&run, "spin_abba", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    rl_expect(&run, eq(sz, rl_count(&run, "potential-deadlock"), 1));
    json_t *finding = rl_finding(&run, "potential-deadlock", 0);
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, finding), "spin_a,spin_b"));
    rl_expect(&run, eq(str, rl_str_at(&run, finding, "locks.0.kind"), "spinlock"));
    rl_run_free(&run);
}

Test(locktypes, spinlock_real_deadlock_ended)
{
    rl_run run;
    rl_run_test_program(&run, "spin_deadlock", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,potential-deadlock");
    rl_run_free(&run);
}

Test(locktypes, spinlock_trap)
{
    rl_run run;
    rl_run_test_program(&run, "spin_trap", NULL);
    rl_expect_normal_exit(&run, "");
    json_t *note = rl_note(&run, "trylock");
    rl_expect(&run, not(eq(ptr, note, NULL)));
    rl_expect(&run, eq(str, rl_note_lock_names(&run, note), "counter_spin,dyn_spin"));
    rl_run_free(&run);
}

Test(locktypes, spinlock_used_uninitialised)
{
    rl_run run;
    rl_run_test_program(&run, "spin_uninit", NULL);
    rl_expect_normal_exit(&run, "uninitialized-lock");
    expect_one_on(&run, "uninitialized-lock", "zeroed_spin");
    rl_run_free(&run);
}

/* ---- programs racelab cannot (or need not) instrument ----------------------------------------- */

Test(uninstrumented, plain_c_program)
{
    rl_run run;
    rl_run_test_program(&run, "no_threads", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(int, rl_bool_at(&run, NULL, "instrumented"), 1));
    rl_expect(&run, not(eq(ptr, strstr(run.out, "sum 500500"), NULL)));
    rl_run_free(&run);
}

Test(uninstrumented, bin_true_and_false)
{
    rl_run run;
    rl_run_program(&run, "/bin/true", (const char *const[]){ NULL });
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(int, rl_bool_at(&run, NULL, "instrumented"), 1));
    rl_run_free(&run);
    rl_run_program(&run, "/bin/false", (const char *const[]){ NULL });
    rl_expect_report(&run);
    rl_expect(&run, eq(str, rl_kinds(&run), ""));
    rl_expect(&run, eq(int, run.status, 1));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.status"), 1));
    rl_run_free(&run);
}

/* racelab's own warning lines on stderr that mention `what` */
static size_t warnings_about(rl_run *run, const char *what)
{
    size_t count = 0;
    for (const char *line = run->err; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (strncmp(line, "racelab: warning: '", 19) == 0 && memmem(line, len, what, strlen(what)))
            count++;
        line = end ? end + 1 : NULL;
    }
    return count;
}

Test(uninstrumented, statically_linked)
{
    rl_run run;
    rl_run_test_program(&run, "static_hello", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(int, rl_bool_at(&run, NULL, "instrumented"), 0));
    rl_expect(&run, eq(sz, warnings_about(&run, "is statically linked"), 1));
    rl_expect(&run, not(eq(ptr, note_containing(&run, "statically linked"), NULL)));
    rl_expect(&run, not(eq(ptr, strstr(run.out, "hello from a statically linked program"), NULL)));
    rl_run_free(&run);
}

Test(uninstrumented, setuid_program)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to give a copy of the program to another user (setuid nobody)");
    char dir[] = "/tmp/racelab-setuid.XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    chmod(dir, 0755);
    char copy[512], cmd[1024];
    snprintf(copy, sizeof copy, "%s/no_threads", dir);
    snprintf(cmd, sizeof cmd, "cp '%s/no_threads' '%s' && chown nobody '%s' && chmod 4755 '%s'",
             RACELAB_TEST_PROGRAMS, copy, copy, copy);
    cr_assert(eq(int, system(cmd), 0));
    rl_run run;
    rl_run_program(&run, copy, (const char *const[]){ NULL });
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(int, rl_bool_at(&run, NULL, "instrumented"), 0));
    rl_expect(&run, eq(sz, warnings_about(&run, "set-user-ID"), 1));
    rl_expect(&run, not(eq(ptr, note_containing(&run, "set-user-ID"), NULL)));
    /* it really ran as the file's owner: that is why the loader ignored the preload */
    struct passwd *nobody = getpwnam("nobody");
    cr_assert(nobody != NULL);
    char expected[64];
    snprintf(expected, sizeof expected, "sum 500500 euid %d", (int)nobody->pw_uid);
    rl_expect(&run, not(eq(ptr, strstr(run.out, expected), NULL)));
    rl_run_free(&run);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert(eq(int, system(cmd), 0));
}
