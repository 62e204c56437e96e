/* test_catalogue.c: the catalogue labs (process_memory, semaphore, condition, event,
 * dining_philosophers, lock_types), every mode, run three ways.
 *
 * Suite "catalogue": each mode through `racelab run --json`, checking the exact set of finding kinds,
 * racelab's exit status, the program's own exit status and the line of output that shows the lesson.
 * Every mode is deterministic by construction (barriers, joins, a lockstep producer) except
 * event --no-lock, whose data race is reported on every run but which can, rarely, also lose a
 * wake-up; its exact test uses a seeded serial schedule in which no runner ever waits.
 * Suite "catalogue_tsan": each lab's ThreadSanitizer build (RACELAB_LAB_DIR/NAME-tsan), correct mode,
 * run directly as a child process (Criterion cannot run inside a TSan binary): no TSan warning.
 * Suite "catalogue_cli": --help exits 0, an unknown option exits 2.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "run_racelab.h"

#define LAB(name) RACELAB_LAB_DIR "/" name

static const char *const tsan_env[] = {"TSAN_OPTIONS=halt_on_error=0 exitcode=66", NULL};

static bool contains(const char *haystack, const char *needle) { return strstr(haystack, needle) != NULL; }

/* racelab found nothing and the program exited with its own status `status` (not 0). */
static void expect_program_failed(rl_run *run, int status)
{
    rl_expect_report(run);
    rl_expect(run, eq(str, rl_kinds(run), ""));
    rl_expect(run, eq(i64, rl_int_at(run, NULL, "exit.status"), status));
    rl_expect(run, eq(int, run->status, status));
}

/* `racelab run --json REPORT --schedule serial --seed SEED -- LAB(name) arg`. */
static void run_serial(rl_run *run, const char *seed, const char *lab, const char *arg)
{
    rl_run_racelab(run, (const char *const[]){"run", "--json", RL_REPORT, "--schedule", "serial", "--seed", seed,
                                              "--", lab, arg, NULL});
}

/* The one potential-deadlock of a dining_philosophers run: the 5-fork cycle. */
static void expect_five_fork_cycle(rl_run *run)
{
    rl_expect(run, eq(sz, rl_count(run, "potential-deadlock"), 1));
    json_t *cycle = rl_finding(run, "potential-deadlock", 0);
    rl_expect(run, eq(str, rl_cycle_lock_names(run, cycle), "forks[0],forks[1],forks[2],forks[3],forks[4]"));
}

/* ---- process_memory ---------------------------------------------------------------------------- */

Test(catalogue, process_memory_separate)
{
    rl_run run;
    rl_run_lab(&run, "process_memory", "--mode", "separate", "-n", "100000", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "child 4: my counter is 100000"));
    rl_expect(&run, contains(run.out, "parent: my counter is still 0"));
    rl_expect(&run, eq(sz, json_array_size(json_object_get(run.report, "processes")), 5));
    rl_run_free(&run);
}

Test(catalogue, process_memory_shared)
{
    rl_run run;
    rl_run_lab(&run, "process_memory", "--mode", "shared", "-n", "100000", NULL);
    /* memory shared between processes is outside racelab's checks; the loss depends on timing */
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "expected 400000, got "));
    rl_run_free(&run);
}

Test(catalogue, process_memory_shared_mutex)
{
    rl_run run;
    rl_run_lab(&run, "process_memory", "--mode", "shared-mutex", "-n", "100000", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "expected 400000, got 400000 (lost 0 updates)"));
    rl_run_free(&run);
}

Test(catalogue, process_memory_pipe)
{
    rl_run run;
    rl_run_lab(&run, "process_memory", "--mode", "pipe", "-n", "100000", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "expected 400000, got 400000 (lost 0 updates)"));
    rl_run_free(&run);
}

/* ---- semaphore --------------------------------------------------------------------------------- */

Test(catalogue, semaphore)
{
    rl_run run;
    rl_run_lab(&run, "semaphore", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "most downloads running at once: 3 (limit 3)\n"));
    rl_run_free(&run);
}

Test(catalogue, semaphore_limit_4_of_7)
{
    rl_run run;
    rl_run_lab(&run, "semaphore", "-n", "4", "-m", "7", "--ms", "1", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "most downloads running at once: 4 (limit 4)\n"));
    rl_run_free(&run);
}

Test(catalogue, semaphore_no_semaphore)
{
    rl_run run;
    rl_run_lab(&run, "semaphore", "--no-semaphore", NULL);
    expect_program_failed(&run, 1); /* over the limit: only the program's own check can tell */
    rl_expect(&run, contains(run.out, "most downloads running at once: 10 (limit 3): LIMIT EXCEEDED"));
    rl_run_free(&run);
}

/* ---- condition --------------------------------------------------------------------------------- */

Test(catalogue, condition)
{
    rl_run run;
    rl_run_lab(&run, "condition", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "sum of the items consumed 500500, expected 500500"));
    rl_run_free(&run);
}

Test(catalogue, condition_lockstep)
{
    rl_run run;
    rl_run_lab(&run, "condition", "--lockstep", "-n", "10", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "11 wake-ups found the buffer empty; the while loop sent each back to wait"));
    rl_run_free(&run);
}

Test(catalogue, condition_if)
{
    rl_run run;
    rl_run_lab(&run, "condition", "--if", "-n", "10", NULL);
    expect_program_failed(&run, 1); /* a logic error: no lock misused, no race */
    rl_expect(&run, contains(run.out, "consumed from an EMPTY buffer\n"));
    rl_expect(&run, contains(run.out, "consumers took from an EMPTY buffer 11 times"));
    rl_run_free(&run);
}

Test(catalogue, condition_if_serial_schedule)
{
    rl_run run;
    run_serial(&run, "1", LAB("condition"), "--if");
    expect_program_failed(&run, 1);
    rl_expect(&run, contains(run.out, "consumers took from an EMPTY buffer 1001 times"));
    rl_run_free(&run);
}

Test(catalogue, condition_lost_wakeup)
{
    rl_run run;
    rl_run_lab(&run, "condition", "--lost-wakeup", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock");
    json_t *stall = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, eq(str, rl_str_at(&run, stall, "cause"), "stall"));
    rl_expect(&run, eq(str, rl_lock_names(&run, stall), "not_empty"));
    rl_run_free(&run);
}

/* ---- event ------------------------------------------------------------------------------------- */

Test(catalogue, event)
{
    rl_run run;
    rl_run_lab(&run, "event", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "heat 2: the gun fired, 4 of 4 runners started"));
    rl_run_free(&run);
}

Test(catalogue, event_no_lock)
{
    rl_run run;
    run_serial(&run, "4", LAB("event"), "--no-lock"); /* seed 4: the gun fires before any runner looks */
    rl_expect_normal_exit(&run, "data-race");
    json_t *race = rl_finding(&run, "data-race", 0);
    rl_expect(&run, eq(str, rl_str_at(&run, race, "variable"), "start_gun.flag"));
    rl_run_free(&run);
}

Test(catalogue, event_no_lock_native)
{
    rl_run run;
    rl_run_lab(&run, "event", "--no-lock", NULL);
    /* the race is reported whatever the timing; a lost wake-up (deadlock) may come with it */
    rl_expect_report(&run);
    rl_expect(&run, eq(int, run.status, 66));
    rl_expect(&run, ge(sz, rl_count(&run, "data-race"), 1));
    json_t *race = rl_finding(&run, "data-race", 0);
    rl_expect(&run, eq(str, rl_str_at(&run, race, "variable"), "start_gun.flag"));
    rl_run_free(&run);
}

/* ---- dining_philosophers ----------------------------------------------------------------------- */

Test(catalogue, dining_philosophers_naive)
{
    rl_run run;
    rl_run_lab(&run, "dining_philosophers", "--mode", "naive", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_five_fork_cycle(&run);
    rl_expect(&run, contains(run.out, "finished: 15 meals eaten, expected 15"));
    rl_run_free(&run);
}

Test(catalogue, dining_philosophers_deadlock)
{
    rl_run run;
    rl_run_lab(&run, "dining_philosophers", "--mode", "deadlock", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,potential-deadlock");
    json_t *deadlock = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, deadlock), "forks[0],forks[1],forks[2],forks[3],forks[4]"));
    expect_five_fork_cycle(&run);
    rl_run_free(&run);
}

Test(catalogue, dining_philosophers_ordered)
{
    rl_run run;
    rl_run_lab(&run, "dining_philosophers", "--mode", "ordered", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "neighbours ate at the same time 0 times"));
    rl_run_free(&run);
}

Test(catalogue, dining_philosophers_waiter)
{
    rl_run run;
    rl_run_lab(&run, "dining_philosophers", "--mode", "waiter", NULL);
    /* racelab does not treat the semaphore as a gate: the cycle is reported */
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_five_fork_cycle(&run);
    rl_run_free(&run);
}

/* confirm: with 4 seats the cycle cannot close; with 5 it does. */
Test(catalogue, dining_philosophers_waiter_confirm)
{
    rl_run first, c;
    rl_run_lab(&first, "dining_philosophers", "--mode", "waiter", "-n", "1", NULL);
    rl_expect(&first, eq(int, first.status, 66));
    rl_run_racelab(&c, (const char *const[]){"confirm", first.report_path, "--tries", "2", "--",
                                            LAB("dining_philosophers"), "--mode", "waiter", "-n", "1", NULL});
    rl_expect(&c, eq(int, c.status, 0));
    rl_expect(&c, contains(c.err, "racelab: not confirmed after 2 tries"));
    rl_run_free(&c);
    rl_run_racelab(&c, (const char *const[]){"confirm", first.report_path, "--tries", "2", "--",
                                            LAB("dining_philosophers"), "--mode", "waiter", "-n", "1", "--seats",
                                            "5", NULL});
    rl_expect(&c, eq(int, c.status, 66));
    rl_expect(&c, contains(c.err, "racelab: confirmed: the reported cycle really deadlocks (lock-order cycle of 5 locks"));
    rl_run_free(&c);
    rl_run_free(&first);
}

/* ---- lock_types -------------------------------------------------------------------------------- */

Test(catalogue, lock_types)
{
    rl_run run;
    rl_run_lab(&run, "lock_types", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, contains(run.out, "3 runners started when the gun was set"));
    rl_run_free(&run);
}

/* One misuse, run through racelab: exactly `kind`, the program ends normally. */
static void expect_misuse(const char *misuse, const char *kind)
{
    rl_run run;
    rl_run_lab(&run, "lock_types", "--misuse", misuse, NULL);
    rl_expect_normal_exit(&run, kind);
    rl_expect(&run, eq(sz, rl_count(&run, kind), 1));
    rl_run_free(&run);
}

Test(catalogue, lock_types_unlock_twice) { expect_misuse("unlock-twice", "unlock-unlocked"); }
Test(catalogue, lock_types_relock) { expect_misuse("relock", "double-lock"); }
Test(catalogue, lock_types_foreign_unlock) { expect_misuse("foreign-unlock", "unlock-foreign"); }
Test(catalogue, lock_types_exit_holding) { expect_misuse("exit-holding", "held-at-exit"); }
Test(catalogue, lock_types_destroy_held) { expect_misuse("destroy-held", "destroy-locked"); }
Test(catalogue, lock_types_recursive_extra_unlock) { expect_misuse("recursive-extra-unlock", "unlock-unlocked"); }
Test(catalogue, lock_types_wait_without_lock) { expect_misuse("wait-without-lock", "cond-misuse"); }

Test(catalogue, lock_types_peek_without_lock)
{
    rl_run run;
    rl_run_lab(&run, "lock_types", "--misuse", "peek-without-lock", NULL);
    rl_expect_normal_exit(&run, "data-race"); /* one or two pairs of call sites, always this kind */
    json_t *race = rl_finding(&run, "data-race", 0);
    rl_expect(&run, eq(str, rl_str_at(&run, race, "variable"), "gun.flag"));
    rl_run_free(&run);
}

Test(catalogue, lock_types_forget_post)
{
    rl_run run;
    rl_run_lab(&run, "lock_types", "--misuse", "forget-post", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock");
    json_t *stall = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, eq(str, rl_lock_names(&run, stall), "slots"));
    rl_run_free(&run);
}

/* ---- ThreadSanitizer builds, correct modes ----------------------------------------------------- */

static void expect_tsan_clean(const char *const argv[])
{
    rl_run run;
    rl_run_command(&run, argv, tsan_env);
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, not(contains(run.err, "WARNING: ThreadSanitizer")));
    rl_run_free(&run);
}

Test(catalogue_tsan, process_memory)
{
    expect_tsan_clean((const char *const[]){LAB("process_memory-tsan"), "--mode", "shared-mutex", "-n", "100000", NULL});
}

Test(catalogue_tsan, semaphore) { expect_tsan_clean((const char *const[]){LAB("semaphore-tsan"), NULL}); }
Test(catalogue_tsan, condition) { expect_tsan_clean((const char *const[]){LAB("condition-tsan"), NULL}); }
Test(catalogue_tsan, event) { expect_tsan_clean((const char *const[]){LAB("event-tsan"), NULL}); }
Test(catalogue_tsan, lock_types) { expect_tsan_clean((const char *const[]){LAB("lock_types-tsan"), NULL}); }

Test(catalogue_tsan, dining_philosophers)
{
    expect_tsan_clean((const char *const[]){LAB("dining_philosophers-tsan"), "--mode", "ordered", NULL});
}

/* ---- the labs' own command lines --------------------------------------------------------------- */

static const char *const catalogue_labs[] = {"process_memory", "semaphore", "condition",
                                             "event", "dining_philosophers", "lock_types"};

Test(catalogue_cli, help_exits_0_and_bad_option_exits_2)
{
    for (size_t i = 0; i < sizeof catalogue_labs / sizeof catalogue_labs[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", RACELAB_LAB_DIR, catalogue_labs[i]);
        rl_run run;
        rl_run_command(&run, (const char *const[]){path, "--help", NULL}, NULL);
        rl_expect(&run, eq(int, run.status, 0));
        rl_expect(&run, eq(int, strncmp(run.out, "usage: ", 7), 0));
        rl_run_free(&run);
        rl_run_command(&run, (const char *const[]){path, "--no-such-option", NULL}, NULL);
        rl_expect(&run, eq(int, run.status, 2));
        rl_expect(&run, eq(str, run.out, ""));
        rl_run_free(&run);
    }
}
