/* test_labs.c: the four core labs, run three ways.
 *
 * Suite "lab": through `racelab run --json`, checking the exact finding kinds, racelab's status and
 * the program's own output.
 * Suite "tsan": the ThreadSanitizer builds (RACELAB_LAB_DIR/NAME-tsan) run directly as child
 * processes. Criterion itself cannot run inside a TSan binary (Criterion issue #274), hence
 * subprocesses. TSAN_OPTIONS="halt_on_error=0 exitcode=66": a report makes the exit status 66.
 * lock_order_deadlock --mode deadlock is never run under TSan: it would hang.
 * Suite "lab_cli": each lab's own command line, run plainly.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "run_racelab.h"

static const char *const tsan_env[] = {"TSAN_OPTIONS=halt_on_error=0 exitcode=66", NULL};

static bool contains(const char *haystack, const char *needle)
{
    return strstr(haystack, needle) != NULL;
}

/* ---- under racelab ---------------------------------------------------------------------------- */

Test(lab, unsafe_counter)
{
    rl_run run;
    rl_run_lab(&run, "unsafe_counter", NULL);
    /* happens-before sees the race on every run, whatever the timing; updates may or may not be lost */
    rl_expect(&run, eq(int, run.status, 66));
    rl_expect(&run, ge(sz, rl_count(&run, "data-race"), 1));
    rl_expect(&run, eq(str, rl_str_at(&run, rl_finding(&run, "data-race", 0), "variable"), "counter"));
    json_t *lost = rl_finding(&run, "lost-update", 0);
    if (lost)
        rl_expect(&run, eq(i64, rl_int_at(&run, lost, "lost"),
                           rl_int_at(&run, lost, "expected") - rl_int_at(&run, lost, "actual")));
    rl_expect(&run, contains(run.out, "expected 200000, got "));
    rl_run_free(&run);
}

Test(lab, locked_counter)
{
    rl_run run;
    rl_run_lab(&run, "locked_counter", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "expected 200000, got 200000 (lost 0 updates)"));
    rl_run_free(&run);
}

Test(lab, rlock_nesting)
{
    rl_run run;
    rl_run_lab(&run, "rlock_nesting", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "balance 202000 cents, expected 202000"));
    rl_run_free(&run);
}

Test(lab, rlock_nesting_normal)
{
    rl_run run;
    rl_run_lab(&run, "rlock_nesting", "--normal", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,double-lock");
    json_t *double_lock = rl_finding(&run, "double-lock", 0);
    rl_expect(&run, eq(str, rl_lock_names(&run, double_lock), "account.lock")); /* racelab_name_lock */
    rl_run_free(&run);
}

Test(lab, lock_order_deadlock_apart)
{
    rl_run run;
    rl_run_lab(&run, "lock_order_deadlock", "--mode", "apart", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    rl_expect(&run, eq(sz, rl_count(&run, "potential-deadlock"), 1));
    json_t *finding = rl_finding(&run, "potential-deadlock", 0);
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, finding), "lock_a,lock_b"));
    rl_expect(&run, contains(run.out, "finished: balances A=100 B=100"));
    rl_run_free(&run);
}

Test(lab, lock_order_deadlock_deadlock)
{
    rl_run run;
    rl_run_lab(&run, "lock_order_deadlock", "--mode", "deadlock", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,potential-deadlock");
    json_t *deadlock = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, deadlock), "lock_a,lock_b"));
    rl_run_free(&run);
}

/* ---- ThreadSanitizer builds ------------------------------------------------------------------- */

Test(tsan, unsafe_counter_data_race)
{
    rl_run run;
    rl_run_command(&run, (const char *const[]){RACELAB_LAB_DIR "/unsafe_counter-tsan", NULL},
                   tsan_env);
    rl_expect(&run, eq(int, run.status, 66));
    rl_expect(&run, contains(run.err, "WARNING: ThreadSanitizer: data race"));
    rl_run_free(&run);
}

Test(tsan, lock_order_deadlock_inversion)
{
    rl_run run;
    rl_run_command(&run,
                   (const char *const[]){RACELAB_LAB_DIR "/lock_order_deadlock-tsan", "--mode",
                                         "apart", NULL},
                   tsan_env);
    rl_expect(&run, eq(int, run.status, 66));
    rl_expect(&run, contains(run.err, "WARNING: ThreadSanitizer: lock-order-inversion"));
    rl_run_free(&run);
}

Test(tsan, locked_counter_clean)
{
    rl_run run;
    rl_run_command(&run, (const char *const[]){RACELAB_LAB_DIR "/locked_counter-tsan", NULL},
                   tsan_env);
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, not(contains(run.err, "WARNING: ThreadSanitizer")));
    rl_run_free(&run);
}

Test(tsan, rlock_nesting_clean)
{
    rl_run run;
    rl_run_command(&run, (const char *const[]){RACELAB_LAB_DIR "/rlock_nesting-tsan", NULL},
                   tsan_env);
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, not(contains(run.err, "WARNING: ThreadSanitizer")));
    rl_run_free(&run);
}

/* ---- the labs' own command lines -------------------------------------------------------------- */

static const char *const lab_names[] = {"unsafe_counter", "locked_counter", "rlock_nesting",
                                        "lock_order_deadlock"};

Test(lab_cli, help_exits_0)
{
    for (size_t i = 0; i < sizeof lab_names / sizeof lab_names[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", RACELAB_LAB_DIR, lab_names[i]);
        rl_run run;
        rl_run_command(&run, (const char *const[]){path, "--help", NULL}, NULL);
        rl_expect(&run, eq(int, run.status, 0));
        rl_expect(&run, eq(int, strncmp(run.out, "usage: ", 7), 0));
        rl_run_free(&run);
    }
}

Test(lab_cli, bad_option_exits_2)
{
    for (size_t i = 0; i < sizeof lab_names / sizeof lab_names[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", RACELAB_LAB_DIR, lab_names[i]);
        rl_run run;
        rl_run_command(&run, (const char *const[]){path, "--no-such-option", NULL}, NULL);
        rl_expect(&run, eq(int, run.status, 2));
        rl_expect(&run, eq(str, run.out, ""));
        rl_run_free(&run);
    }
}

Test(lab_cli, lock_order_deadlock_apart_runs_plainly)
{
    rl_run run;
    rl_run_command(&run, (const char *const[]){RACELAB_LAB_DIR "/lock_order_deadlock", NULL}, NULL);
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "thread 2: moved 10 from B to A"));
    rl_run_free(&run);
}
