/* test_races.c: data races, lost updates and seeded schedules, through `racelab run --json`.
 *
 * Suite "counter": unsafe_counter under pct seeds 1..100, where every lost-update finding must add up
 *   exactly (consistent, lost == expected - actual, actual == what the program printed) and at least
 *   90 of the 100 seeds must lose an update; locked_counter under pct seeds 1..30 finds nothing.
 * Suite "replay": a serial or pct seed gives the same event hash and the same result on every run;
 *   different seeds give different hashes. random mode reports its mode and exact accounting.
 * Suite "handoff": the tests/programs/hb_*.c programs, each ordering its accesses by one kind of
 *   synchronisation (semaphore, condition variable, create/join, mutex, barrier), find nothing under
 *   native, serial and pct schedules: happens-before must follow every one of those edges.
 * Suite "race": race_write_write and race_read_write find exactly one data race of the right kind
 *   under every schedule; atomic_add_ok finds nothing; lost_update_nonunit accounts for updates of 3;
 *   bias_handover (variables handed to a second thread mid-use) counts every add and finds nothing.
 * Suite "lockset": --lockset adds an Eraser finding on unsafe_counter and none on hb_mutex_handoff.
 * Suite "schedule_cli": malformed --schedule and --seed are usage errors (exit 2); a seed given as
 *   decimal digits from 0 to 2^63-1, on the command line or in RACELAB_OPTIONS, is the seed the report
 *   and its rerun command show.
 *
 * Deterministic: every assertion holds on every schedule the seed or the OS can produce; the pct
 * threshold (>= 90 of 100) is over fixed seeds, which replay the same interleaving every time.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_racelab.h"

#define LAB(name) RACELAB_LAB_DIR "/" name
#define PROGRAM(name) RACELAB_TEST_PROGRAMS "/" name
#define MAX_RUN_ARGS 32

static const char *const n100[] = {"-n", "100", NULL}; /* 2 threads x 100 increments */

/* Runs `racelab run --json REPORT [--schedule MODE] [--seed SEED] [OPTION] -- PROGRAM ARGS...`.
 * mode NULL: no --schedule; seed < 0: no --seed; option NULL: none; args NULL: none. */
static void run_racelab_on(rl_run *run, const char *program, const char *mode, long seed,
                           const char *option, const char *const args[])
{
    char seed_text[32];
    snprintf(seed_text, sizeof seed_text, "%ld", seed);
    const char *argv[MAX_RUN_ARGS + 1];
    size_t n = 0;
    argv[n++] = "run";
    argv[n++] = "--json";
    argv[n++] = RL_REPORT;
    if (mode) {
        argv[n++] = "--schedule";
        argv[n++] = mode;
    }
    if (seed >= 0) {
        argv[n++] = "--seed";
        argv[n++] = seed_text;
    }
    if (option)
        argv[n++] = option;
    argv[n++] = "--";
    argv[n++] = program;
    for (size_t i = 0; args && args[i] && n < MAX_RUN_ARGS; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    rl_run_racelab(run, argv);
}

/* The A in "expected E, got A" on the program's stdout, or RL_MISSING. */
static long long printed_got(const rl_run *run)
{
    const char *at = run->out ? strstr(run->out, "got ") : NULL;
    long long got;
    return at && sscanf(at, "got %lld", &got) == 1 ? got : RL_MISSING;
}

/* Number of data-race findings on `variable` whose "method" is `method`. */
static size_t races_on(rl_run *run, const char *variable, const char *method)
{
    size_t count = 0;
    json_t *finding;
    for (size_t i = 0; (finding = rl_finding(run, "data-race", i)) != NULL; i++)
        count += strcmp(rl_str_at(run, finding, "variable"), variable) == 0 &&
                 strcmp(rl_str_at(run, finding, "method"), method) == 0;
    return count;
}

/* The lost-update accounting of one run adds up: at most one lost-update finding, about `variable`,
 * with "expected" `expected`, "actual" what the program printed, "consistent" true, lost == expected
 * - actual, lost > 0 and a multiple of `unit`, and a trace showing at least one stale store. With no
 * finding the program must have printed `expected` (nothing was lost, so none was missed).
 * Returns whether there was a lost-update finding. */
static bool expect_exact_lost_updates(rl_run *run, const char *variable, long long expected,
                                      long long unit)
{
    long long got = printed_got(run);
    rl_expect(run, ne(i64, got, RL_MISSING));
    size_t count = rl_count(run, "lost-update");
    rl_expect(run, le(sz, count, 1));
    if (count == 0) {
        rl_expect(run, eq(i64, got, expected));
        return false;
    }
    json_t *lost = rl_finding(run, "lost-update", 0);
    long long actual = rl_int_at(run, lost, "actual");
    long long lost_updates = rl_int_at(run, lost, "lost");
    rl_expect(run, eq(str, rl_str_at(run, lost, "variable"), (char *)variable));
    rl_expect(run, eq(int, rl_bool_at(run, lost, "consistent"), 1));
    rl_expect(run, eq(i64, rl_int_at(run, lost, "expected"), expected));
    rl_expect(run, eq(i64, actual, got));
    rl_expect(run, eq(i64, lost_updates, expected - actual));
    rl_expect(run, gt(i64, lost_updates, 0));
    rl_expect(run, eq(i64, lost_updates % unit, 0));
    /* the summary counts updates, not units: "N updates of x lost" with adds of 1, otherwise "x ended
     * N short (M updates lost)" with M = lost / unit */
    char said[256];
    long long n_updates = lost_updates / unit;
    if (unit == 1)
        snprintf(said, sizeof said, "%lld update%s of %s lost: ", lost_updates, lost_updates == 1 ? "" : "s", variable);
    else
        snprintf(said, sizeof said, "%s ended %lld short (%lld update%s lost): ", variable, lost_updates, n_updates,
                 n_updates == 1 ? "" : "s");
    rl_expect(run, eq(i64, rl_int_at(run, lost, "lost_updates"), n_updates));
    const char *summary = rl_str_at(run, lost, "summary");
    rl_expect(run, strncmp(summary, said, strlen(said)) == 0);

    json_t *trace = json_object_get(lost, "trace");
    bool has_trace = json_is_array(trace) && json_array_size(trace) > 0;
    rl_expect(run, has_trace);
    bool stale = false;
    size_t i;
    json_t *step;
    json_array_foreach(trace, i, step) stale = stale || json_is_true(json_object_get(step, "stale"));
    rl_expect(run, stale);
    return true;
}

/* One unsafe_counter -n 100 run: the race on counter is always seen, the program ran to its end and
 * the accounting adds up. Returns whether an update was lost. */
static bool expect_unsafe_counter_run(rl_run *run)
{
    rl_expect_report(run);
    rl_expect(run, eq(int, run->status, 66));
    rl_expect(run, eq(i64, rl_int_at(run, NULL, "exit.status"), 0));
    rl_expect(run, ge(sz, races_on(run, "counter", "happens-before"), 1));
    return expect_exact_lost_updates(run, "counter", 200, 1);
}

/* ---- counter ---------------------------------------------------------------------------------- */

Test(counter, unsafe_counter_pct_seeds_1_to_100_account_exactly)
{
    size_t runs_with_loss = 0;
    for (long seed = 1; seed <= 100; seed++) {
        rl_run run;
        run_racelab_on(&run, LAB("unsafe_counter"), "pct", seed, NULL, n100);
        rl_expect(&run, eq(str, rl_str_at(&run, NULL, "schedule.mode"), "pct"));
        rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "schedule.seed"), seed));
        runs_with_loss += expect_unsafe_counter_run(&run);
        rl_run_free(&run);
    }
    cr_assert(ge(sz, runs_with_loss, 90),
              "pct lost an update in only %zu of 100 runs of unsafe_counter -n 100 (seeds 1..100)",
              runs_with_loss);
}

Test(counter, locked_counter_pct_seeds_1_to_30_find_nothing)
{
    for (long seed = 1; seed <= 30; seed++) {
        rl_run run;
        run_racelab_on(&run, LAB("locked_counter"), "pct", seed, NULL, n100);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(i64, printed_got(&run), 200));
        rl_run_free(&run);
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The first lost update names its source lines: the trace's first step is the stale read (at the
 * racelab_load line), its stale step and the finding's stack the store (at the racelab_store line). */
Test(counter, lost_update_points_at_the_stale_read_and_store)
{
    long long load_line = rl_source_line_of("labs/unsafe_counter/main.c", "racelab_load(&counter)");
    long long store_line = rl_source_line_of("labs/unsafe_counter/main.c", "racelab_store(&counter");
    cr_assert(gt(i64, load_line, 0));
    cr_assert(gt(i64, store_line, 0));
    bool checked = false;
    for (long seed = 1; seed <= 10 && !checked; seed++) {
        rl_run run;
        run_racelab_on(&run, LAB("unsafe_counter"), "pct", seed, NULL, n100);
        if (expect_unsafe_counter_run(&run)) {
            json_t *lost = rl_finding(&run, "lost-update", 0);
            json_t *trace = json_object_get(lost, "trace");
            json_t *first = json_array_get(trace, 0), *last = json_array_get(trace, json_array_size(trace) - 1);
            rl_expect(&run, eq(str, rl_str_at(&run, first, "op"), "read"));
            rl_expect(&run, ends_with(rl_str_at(&run, first, "at.file"), "labs/unsafe_counter/main.c"));
            rl_expect(&run, eq(i64, rl_int_at(&run, first, "at.line"), load_line));
            rl_expect(&run, eq(int, rl_bool_at(&run, last, "stale"), 1));
            rl_expect(&run, eq(i64, rl_int_at(&run, last, "at.line"), store_line));
            rl_expect(&run, ends_with(rl_str_at(&run, lost, "stack.0.file"), "labs/unsafe_counter/main.c"));
            rl_expect(&run, eq(i64, rl_int_at(&run, lost, "stack.0.line"), store_line));
            checked = true;
        }
        rl_run_free(&run);
    }
    cr_assert(checked, "no update was lost under pct seeds 1..10");
}

/* ---- replay ----------------------------------------------------------------------------------- */

/* Runs unsafe_counter -n 100 under mode/seed `times` times; every run must give the same event hash
 * and the same printed result. Leaves the hash in hash (size 64). */
static void expect_replays(const char *mode, long seed, int times, char hash[64])
{
    long long first_got = RL_MISSING;
    for (int i = 0; i < times; i++) {
        rl_run run;
        run_racelab_on(&run, LAB("unsafe_counter"), mode, seed, NULL, n100);
        expect_unsafe_counter_run(&run);
        rl_expect(&run, eq(str, rl_str_at(&run, NULL, "schedule.mode"), (char *)mode));
        char *event_hash = rl_str_at(&run, NULL, "schedule.event_hash");
        rl_expect(&run, eq(int, strncmp(event_hash, "0x", 2), 0));
        if (i == 0) {
            snprintf(hash, 64, "%s", event_hash);
            first_got = printed_got(&run);
        }
        cr_assert(eq(str, event_hash, hash), "%s run %d of %d: a different event hash%s", mode,
                  i + 1, times, rl_describe(&run));
        cr_assert(eq(i64, printed_got(&run), first_got), "%s run %d of %d: a different result%s",
                  mode, i + 1, times, rl_describe(&run));
        rl_run_free(&run);
    }
}

Test(replay, serial_seed_7_twenty_times)
{
    char hash7[64], hash8[64];
    expect_replays("serial", 7, 20, hash7);
    expect_replays("serial", 8, 1, hash8);
    cr_assert(ne(str, hash7, hash8), "serial seeds 7 and 8 both gave event hash %s", hash7);
}

Test(replay, pct_seed_11_ten_times)
{
    char hash11[64], hash12[64];
    expect_replays("pct", 11, 10, hash11);
    expect_replays("pct", 12, 1, hash12);
    cr_assert(ne(str, hash11, hash12), "pct seeds 11 and 12 both gave event hash %s", hash11);
}

Test(replay, random_seed_5)
{
    rl_run run;
    run_racelab_on(&run, LAB("unsafe_counter"), "random", 5, NULL, n100);
    expect_unsafe_counter_run(&run);
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "schedule.mode"), "random"));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "schedule.seed"), 5));
    rl_run_free(&run);
}

/* A thread that waits for another while calling only wrappers that are no point of the schedule
 * (sem_init/sem_destroy) is moved on by the watchdog: the run ends, and the report says it fell back. */
Test(replay, fallback_when_no_point_is_reached)
{
    static const char *const modes[] = {"serial", "pct"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        rl_run run;
        run_racelab_on(&run, PROGRAM("poll_without_point"), modes[i], 1, NULL, NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, ge(i64, rl_int_at(&run, NULL, "schedule.fallbacks"), 1));
        rl_run_free(&run);
    }
}

/* Runs program under mode/seed `times` times: each run ends normally with no findings and no schedule
 * fallback, and all give the same event hash. */
static void expect_clean_replays(const char *program, const char *mode, long seed, int times)
{
    char first[64] = "";
    for (int i = 0; i < times; i++) {
        rl_run run;
        run_racelab_on(&run, program, mode, seed, NULL, NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "schedule.fallbacks"), 0));
        const char *hash = rl_str_at(&run, NULL, "schedule.event_hash");
        if (i == 0)
            snprintf(first, sizeof first, "%s", hash);
        else
            rl_expect(&run, eq(str, (char *)hash, first));
        rl_run_free(&run);
    }
}

/* Threads polling a flag under a mutex reach a point at every poll, so the fallback never fires; pct
 * must still let the thread that sets the flag run (a thread chosen too many points in a row while
 * others are ready drops below them). Seeds 1 and 2 hung before; each seed replays exactly. */
Test(replay, pct_poller_gives_way)
{
    for (long seed = 1; seed <= 3; seed++)
        expect_clean_replays(PROGRAM("poll_flag_under_lock"), "pct", seed, 2);
}

/* 300 threads ready at once under serial and pct: a hand-over of the token wakes one thread, not all
 * (the run took over 2 minutes when every hand-over woke every waiter; seconds now), and the choice
 * covers every ready thread. */
Test(replay, three_hundred_ready_threads, .timeout = 120)
{
    static const char *const modes[] = {"serial", "pct"};
    for (size_t m = 0; m < 2; m++) {
        rl_run run;
        run_racelab_on(&run, PROGRAM("many_ready_threads"), modes[m], 1, NULL, NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(str, run.out, "3000\n"));
        rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.max_concurrent_threads"), 301));
        rl_run_free(&run);
    }
}

/* A thread joining itself gets EDEADLK at once under every schedule, not a wait in the scheduler that
 * ended as a deadlock. */
Test(replay, join_self_is_refused_at_once)
{
    static const char *const modes[] = {"native", "serial", "pct"};
    for (size_t m = 0; m < 3; m++) {
        rl_run run;
        run_racelab_on(&run, PROGRAM("join_self"), modes[m], m ? 1 : -1, NULL, NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(str, run.out, "EDEADLK\n"));
        rl_run_free(&run);
    }
}

/* Threads meeting in pthread_once / call_once wait for the initialiser inside the scheduler, not in
 * the kernel outside it: the same seed gives the same event hash every time (it differed from run to
 * run when the call was made outside the schedule). */
Test(replay, once_callers_replay)
{
    static const char *const modes[] = {"serial", "pct"};
    for (size_t m = 0; m < 2; m++)
        expect_clean_replays(PROGRAM("hb_once_handoff"), modes[m], 1, 4);
}

/* ---- handoff ---------------------------------------------------------------------------------- */

/* The program finds nothing and exits 0 under native, serial seed 1 and pct seed 1, and the report
 * has no notes (none of its pthread calls went unobserved, say). */
static void expect_clean_under_every_schedule(const char *program)
{
    static const char *const modes[] = {"native", "serial", "pct"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        rl_run run;
        run_racelab_on(&run, program, modes[i], strcmp(modes[i], "native") ? 1 : -1, NULL, NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(sz, json_array_size(json_object_get(run.report, "notes")), 0));
        rl_run_free(&run);
    }
}

Test(handoff, semaphore) { expect_clean_under_every_schedule(PROGRAM("hb_sem_handoff")); }
/* also: a polling loop on sem_trywait gives the writer its turn under serial and pct */
Test(handoff, semaphore_trywait) { expect_clean_under_every_schedule(PROGRAM("hb_sem_trywait_handoff")); }
Test(handoff, once_and_call_once) { expect_clean_under_every_schedule(PROGRAM("hb_once_handoff")); }
Test(handoff, condition_variable) { expect_clean_under_every_schedule(PROGRAM("hb_cond_handoff")); }
Test(handoff, create_and_join) { expect_clean_under_every_schedule(PROGRAM("hb_join_handoff")); }
Test(handoff, mutex) { expect_clean_under_every_schedule(PROGRAM("hb_mutex_handoff")); }
Test(handoff, barrier) { expect_clean_under_every_schedule(PROGRAM("hb_barrier_handoff")); }

/* ---- race ------------------------------------------------------------------------------------- */

/* Under native and serial seeds 1..5: exactly one finding, a happens-before data race on x whose
 * "race" is race_a or race_b, two accesses; the program exited 0. */
static void expect_one_race(const char *program, const char *race_a, const char *race_b)
{
    for (long seed = 0; seed <= 5; seed++) {
        rl_run run;
        run_racelab_on(&run, program, seed == 0 ? "native" : "serial", seed == 0 ? -1 : seed, NULL,
                       NULL);
        rl_expect_normal_exit(&run, "data-race");
        rl_expect(&run, eq(sz, rl_count(&run, "data-race"), 1));
        json_t *race = rl_finding(&run, "data-race", 0);
        rl_expect(&run, eq(str, rl_str_at(&run, race, "variable"), "x"));
        rl_expect(&run, eq(str, rl_str_at(&run, race, "method"), "happens-before"));
        char *kind = rl_str_at(&run, race, "race");
        rl_expect(&run, strcmp(kind, race_a) == 0 || strcmp(kind, race_b) == 0);
        json_t *accesses = json_object_get(race, "accesses");
        rl_expect(&run, eq(sz, json_array_size(accesses), 2));
        rl_expect(&run, ne(i64, rl_int_at(&run, race, "accesses.0.thread"),
                           rl_int_at(&run, race, "accesses.1.thread")));
        rl_run_free(&run);
    }
}

Test(race, write_write) { expect_one_race(PROGRAM("race_write_write"), "write-write", "write-write"); }
Test(race, read_write) { expect_one_race(PROGRAM("race_read_write"), "read-write", "write-read"); }
Test(race, one_pair_seen_in_both_orders) { expect_one_race(PROGRAM("race_both_orders"), "read-write", "write-read"); }
/* Updates under an rwlock's read side race, and the report says the lock was held for reading. */
Test(race, held_for_reading_says_so)
{
    for (long seed = 0; seed <= 3; seed++) {
        rl_run run;
        run_racelab_on(&run, PROGRAM("race_under_read_lock"), seed ? "serial" : "native", seed ? seed : -1, NULL, NULL);
        rl_expect_report(&run);
        rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.status"), 0));
        rl_expect(&run, ge(sz, races_on(&run, "hits", "happens-before"), 1)); /* (an update may be lost too) */
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(run.report, "findings"), i, f) {
            if (strcmp(rl_str_at(&run, f, "kind"), "data-race") != 0)
                continue;
            rl_expect(&run, strstr(rl_str_at(&run, f, "summary"), "held db_lock for reading, T") != NULL);
            for (int k = 0; k < 2; k++) {
                json_t *acc = json_array_get(json_object_get(f, "accesses"), (size_t)k);
                rl_expect(&run, eq(sz, json_array_size(json_object_get(acc, "locks_held_for_reading")), 1));
            }
        }
        rl_run_free(&run);
    }
}

Test(race, between_two_barrier_rounds) { expect_one_race(PROGRAM("barrier_round_race"), "read-write", "write-read"); }
Test(race, reader_skips_the_once_call) { expect_one_race(PROGRAM("once_skipped_race"), "read-write", "write-read"); }

Test(race, atomic_add_finds_nothing)
{
    static const char *const modes[] = {"native", "serial", "pct"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        rl_run run;
        run_racelab_on(&run, PROGRAM("atomic_add_ok"), modes[i], strcmp(modes[i], "native") ? 1 : -1,
                       NULL, NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(i64, printed_got(&run), 2000));
        rl_run_free(&run);
    }
}

/* Variables handed from the thread that made them (and is still adding) to a second one: every add
 * counted, nothing found, each variable's accesses all seen. */
Test(race, shared_variables_handed_over_mid_use)
{
    for (int round = 0; round < 3; round++) {
        rl_run run;
        run_racelab_on(&run, PROGRAM("bias_handover"), NULL, -1, NULL, NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, not(eq(ptr, run.out ? strstr(run.out, "total 800000 of 800000") : NULL, NULL)));
        json_t *vars = json_object_get(run.report, "variables");
        rl_expect(&run, eq(sz, json_array_size(vars), 1000));
        for (size_t i = 0; i < json_array_size(vars); i++) {
            json_t *v = json_array_get(vars, i);
            rl_expect(&run, eq(i64, rl_int_at(&run, v, "final"), 800));
            rl_expect(&run, eq(i64, rl_int_at(&run, v, "accesses"), 801));
        }
        rl_run_free(&run);
    }
}

Test(race, lost_update_nonunit_pct_seeds_1_to_20)
{
    for (long seed = 1; seed <= 20; seed++) {
        rl_run run;
        run_racelab_on(&run, PROGRAM("lost_update_nonunit"), "pct", seed, NULL, NULL);
        rl_expect_report(&run);
        rl_expect(&run, eq(int, run.status, 66));
        rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.status"), 0));
        rl_expect(&run, ge(sz, races_on(&run, "x", "happens-before"), 1));
        expect_exact_lost_updates(&run, "x", 300, 3);
        rl_run_free(&run);
    }
}

/* ---- lockset ---------------------------------------------------------------------------------- */

Test(lockset, unsafe_counter_breaks_the_lockset)
{
    rl_run run;
    run_racelab_on(&run, LAB("unsafe_counter"), NULL, -1, "--lockset", n100);
    rl_expect_report(&run);
    rl_expect(&run, eq(int, run.status, 66));
    rl_expect(&run, ge(sz, races_on(&run, "counter", "lockset"), 1));
    rl_expect(&run, ge(sz, races_on(&run, "counter", "happens-before"), 1));
    rl_run_free(&run);
}

Test(lockset, mutex_handoff_keeps_the_lockset)
{
    rl_run run;
    run_racelab_on(&run, PROGRAM("hb_mutex_handoff"), NULL, -1, "--lockset", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
    run_racelab_on(&run, PROGRAM("hb_mutex_handoff"), "pct", 1, "--lockset", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
}

/* ---- schedule_cli ----------------------------------------------------------------------------- */

/* racelab exits 2 without running the program. */
static void expect_usage_error(const char *const args[])
{
    rl_run run;
    rl_run_racelab(&run, args);
    rl_expect(&run, run.started && !run.timed_out);
    rl_expect(&run, eq(int, run.status, 2));
    rl_expect(&run, eq(str, run.out, "")); /* unsafe_counter never ran */
    rl_run_free(&run);
}

Test(schedule_cli, unknown_schedule)
{
    expect_usage_error((const char *const[]){"run", "--schedule", "bogus", "--",
                                             LAB("unsafe_counter"), "-n", "100", NULL});
}

Test(schedule_cli, seed_not_a_number)
{
    expect_usage_error(
        (const char *const[]){"run", "--seed", "abc", "--", LAB("unsafe_counter"), "-n", "100", NULL});
    expect_usage_error((const char *const[]){"run", "--schedule", "pct", "--seed", "abc", "--",
                                             LAB("unsafe_counter"), "-n", "100", NULL});
}

/* `racelab run --schedule serial [--seed SEED] -- no_threads` (seed NULL: no --seed) with
 * RACELAB_OPTIONS set to options (NULL: unset) ran, and its report and rerun command both give the
 * seed `expected`. Criterion runs each test in its own process: the variable goes no further. */
static void expect_seed_used(const char *seed, const char *options, const char *expected)
{
    if (options)
        setenv("RACELAB_OPTIONS", options, 1);
    else
        unsetenv("RACELAB_OPTIONS");
    rl_run run;
    if (seed)
        rl_run_racelab(&run, (const char *const[]){ "run", "--json", RL_REPORT, "--schedule", "serial", "--seed", seed,
                                                   "--", PROGRAM("no_threads"), NULL });
    else
        rl_run_racelab(&run, (const char *const[]){ "run", "--json", RL_REPORT, "--schedule", "serial", "--",
                                                   PROGRAM("no_threads"), NULL });
    unsetenv("RACELAB_OPTIONS");
    rl_expect_report(&run);
    rl_expect(&run, eq(int, run.status, 0));
    char rerun[128];
    snprintf(rerun, sizeof rerun, "racelab run --schedule serial --seed %s -- ", expected);
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "schedule.seed"), strtoll(expected, NULL, 10)));
    rl_expect(&run, eq(int, strncmp(rl_str_at(&run, NULL, "schedule.rerun"), rerun, strlen(rerun)), 0));
    rl_run_free(&run);
}

Test(schedule_cli, seed_in_decimal_digits_is_the_reported_seed)
{
    expect_seed_used("0", NULL, "0");
    expect_seed_used("42", NULL, "42");
    expect_seed_used("010", NULL, "10"); /* decimal, not octal */
    expect_seed_used("9223372036854775807", NULL, "9223372036854775807"); /* 2^63-1, the largest */
    expect_seed_used(NULL, "seed=9223372036854775807", "9223372036854775807");
    expect_seed_used(NULL, "seed=007", "7");
    expect_seed_used("5", "seed=9", "5"); /* the command line wins */
}

/* What the runtime cannot read as the same number: a sign, a space (it would split the value inside
 * RACELAB_OPTIONS), 0x, or more than 2^63-1 (the JSON report's integers are signed 64-bit). */
static const char *const rejected_seeds[] = { " 5", "5 ", "+5", "-1", "0x5", "5x", "",
                                              "9223372036854775808", "18446744073709551615",
                                              "99999999999999999999999" };

Test(schedule_cli, seed_not_plain_decimal_or_too_big)
{
    for (size_t i = 0; i < sizeof rejected_seeds / sizeof *rejected_seeds; i++) {
        rl_run run;
        rl_run_racelab(&run, (const char *const[]){ "run", "--schedule", "serial", "--seed", rejected_seeds[i], "--",
                                                   LAB("unsafe_counter"), "-n", "100", NULL });
        char line[200];
        snprintf(line, sizeof line, "racelab: --seed needs a number from 0 to 9223372036854775807 in decimal digits, "
                                    "not '%s'\n", rejected_seeds[i]);
        rl_expect(&run, eq(int, run.status, 2));
        rl_expect(&run, eq(str, run.err, line));
        rl_expect(&run, eq(str, run.out, "")); /* unsafe_counter never ran */
        rl_run_free(&run);
    }
}

Test(schedule_cli, seed_in_racelab_options_not_plain_decimal_or_too_big)
{
    const char *envs[] = { "RACELAB_OPTIONS=seed=+5", "RACELAB_OPTIONS=seed=0x5",
                           "RACELAB_OPTIONS=seed=9223372036854775808", "RACELAB_OPTIONS=seed= 5" };
    for (size_t i = 0; i < sizeof envs / sizeof *envs; i++) {
        rl_run run;
        rl_run_command(&run, (const char *const[]){ RACELAB_BIN, "run", "--", LAB("unsafe_counter"), "-n", "100", NULL },
                       (const char *const[]){ envs[i], NULL });
        rl_expect(&run, eq(int, run.status, 2));
        rl_expect(&run, eq(int, strncmp(run.err, "racelab: ", 9), 0));
        rl_expect(&run, eq(int, strchr(run.err, '\n') - run.err, (int)strlen(run.err) - 1)); /* one line */
        rl_expect(&run, eq(str, run.out, ""));
        rl_run_free(&run);
    }
}
