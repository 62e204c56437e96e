/* test_programs.c: every program in tests/programs/ run through `racelab run --json`, checking the
 * report against what the program's header comment promises.
 *
 * Suite "finding": one program per finding kind; the exact set of kinds, racelab's exit status, the
 * program's exit in the report, and a few specifics (cycle lock names, pids, deadlock end).
 * Suite "trap": programs that look suspicious but are correct; no findings at all, exit status 0, and
 * for the four cycles that must be ruled out, the note saying why.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <string.h>

#include "run_racelab.h"

/* Number of notes of kind "suppressed-cycle", whatever their reason. */
static size_t suppressed_notes(rl_run *run)
{
    json_t *notes = json_object_get(run->report, "notes");
    size_t count = 0, i;
    json_t *note;
    if (json_is_array(notes))
        json_array_foreach(notes, i, note) {
            const char *kind = json_string_value(json_object_get(note, "kind"));
            count += kind && strcmp(kind, "suppressed-cycle") == 0;
        }
    return count;
}

/* One potential-deadlock finding whose cycle consists of exactly the locks `names` (sorted, ','). */
static void expect_one_cycle(rl_run *run, const char *names)
{
    rl_expect(run, eq(sz, rl_count(run, "potential-deadlock"), 1));
    json_t *finding = rl_finding(run, "potential-deadlock", 0);
    rl_expect(run, eq(str, rl_cycle_lock_names(run, finding), (char *)names));
}

/* A suppressed-cycle note with that reason, about exactly the locks `names` (sorted, ','). */
static void expect_note(rl_run *run, const char *reason, const char *names)
{
    json_t *note = rl_note(run, reason);
    rl_expect(run, not(eq(ptr, note, NULL)));
    rl_expect(run, eq(str, rl_note_lock_names(run, note), (char *)names));
}

/* A deadlock of two waiting threads: thread `thread` waits in `op`, the other in `other_op`. */
static void expect_two_wait_ops(rl_run *run, json_t *deadlock, long long thread, const char *op, const char *other_op)
{
    rl_expect(run, eq(sz, json_array_size(json_object_get(deadlock, "waits")), 2));
    for (size_t i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "waits.%zu.thread", i);
        bool that_one = rl_int_at(run, deadlock, path) == thread;
        snprintf(path, sizeof path, "waits.%zu.op", i);
        rl_expect(run, eq(str, rl_str_at(run, deadlock, path), (char *)(that_one ? op : other_op)));
    }
}

/* A deadlock between threads 1 and 2: thread N waits at line waits_at[N], holding the lock it took at
 * line took_at[N] (the top frames of the report's stacks). */
static void expect_two_waiters(rl_run *run, json_t *deadlock, const long long waits_at[3], const long long took_at[3])
{
    for (size_t i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "waits.%zu.thread", i);
        long long thread = rl_int_at(run, deadlock, path);
        rl_expect(run, eq(int, thread == 1 || thread == 2, 1));
        if (thread != 1 && thread != 2)
            continue;
        snprintf(path, sizeof path, "waits.%zu.stack.0.line", i);
        rl_expect(run, eq(i64, rl_int_at(run, deadlock, path), waits_at[thread]));
        snprintf(path, sizeof path, "waits.%zu.holds.0.stack.0.line", i);
        rl_expect(run, eq(i64, rl_int_at(run, deadlock, path), took_at[thread]));
    }
}

/* ---- findings --------------------------------------------------------------------------------- */

Test(finding, double_lock_errorcheck)
{
    rl_run run;
    rl_run_test_program(&run, "double_lock_errorcheck", NULL);
    rl_expect_normal_exit(&run, "double-lock");
    rl_run_free(&run);
}

Test(finding, double_lock_normal)
{
    rl_run run;
    rl_run_test_program(&run, "double_lock_normal", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,double-lock");
    rl_run_free(&run);
}

Test(finding, unlock_unlocked)
{
    rl_run run;
    rl_run_test_program(&run, "unlock_unlocked", NULL);
    rl_expect_normal_exit(&run, "unlock-unlocked");
    rl_run_free(&run);
}

Test(finding, unlock_recursive_extra)
{
    rl_run run;
    rl_run_test_program(&run, "unlock_recursive_extra", NULL);
    rl_expect_normal_exit(&run, "unlock-unlocked");
    rl_expect(&run, eq(sz, rl_count(&run, "unlock-unlocked"), 1));
    rl_run_free(&run);
}

Test(finding, unlock_foreign)
{
    rl_run run;
    rl_run_test_program(&run, "unlock_foreign", NULL);
    rl_expect_normal_exit(&run, "unlock-foreign");
    /* the report names the thread that held it */
    json_t *f = rl_finding(&run, "unlock-foreign", 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, f, "holder"), 1));
    rl_expect(&run, strstr(rl_str_at(&run, f, "summary"), "T2 unlocks owned_lock at thread_b (unlock_foreign.c:") != NULL);
    rl_expect(&run, strstr(rl_str_at(&run, f, "summary"), "), but T1 holds it") != NULL);
    rl_run_free(&run);
}

Test(finding, destroy_locked)
{
    rl_run run;
    rl_run_test_program(&run, "destroy_locked", NULL);
    rl_expect_normal_exit(&run, "destroy-locked");
    json_t *f = rl_finding(&run, "destroy-locked", 0);
    rl_expect(&run, eq(i64, rl_int_at(&run, f, "holder"), 0));
    rl_expect(&run, strstr(rl_str_at(&run, f, "summary"), ") while it still holds it itself") != NULL);
    rl_run_free(&run);
}

Test(finding, held_at_exit)
{
    rl_run run;
    rl_run_test_program(&run, "held_at_exit", NULL);
    rl_expect_normal_exit(&run, "held-at-exit");
    json_t *finding = rl_finding(&run, "held-at-exit", 0);
    rl_expect(&run, eq(str, rl_lock_names(&run, finding), "forgotten_lock"));
    rl_run_free(&run);
}

Test(finding, cond_no_mutex)
{
    rl_run run;
    rl_run_test_program(&run, "cond_no_mutex", NULL);
    rl_expect_normal_exit(&run, "cond-misuse");
    rl_run_free(&run);
}

Test(finding, cond_two_mutexes)
{
    rl_run run;
    rl_run_test_program(&run, "cond_two_mutexes", NULL);
    rl_expect_normal_exit(&run, "cond-misuse");
    rl_run_free(&run);
}

Test(finding, abba_potential)
{
    rl_run run;
    rl_run_test_program(&run, "abba_potential", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "lock_a,lock_b");
    rl_run_free(&run);
}

/* Taking the mutex back at the end of a condition wait is an acquisition for the lock order: the
 * waiter, holding `other`, retakes wait_mutex at the wait's line. */
Test(finding, cond_wait_retake_orders_locks)
{
    rl_run run;
    rl_run_test_program(&run, "cond_retake", "apart", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "other,wait_mutex");
    json_t *finding = rl_finding(&run, "potential-deadlock", 0);
    long long retake = rl_source_line_of("tests/programs/cond_retake.c", "retakes wait_mutex");
    size_t waiter_edges = 0;
    for (size_t i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "edges.%zu.thread", i);
        if (rl_int_at(&run, finding, path) != 1)
            continue;
        waiter_edges++;
        snprintf(path, sizeof path, "edges.%zu.to_stack.0.line", i);
        rl_expect(&run, eq(i64, rl_int_at(&run, finding, path), retake));
    }
    rl_expect(&run, eq(sz, waiter_edges, 1));
    rl_run_free(&run);
}

/* A thread in a condition wait needs its mutex back: waiting for the mutex's owner, which waits for a
 * lock the waiter holds, is a cycle, described as the wait taking its mutex back. */
Test(finding, cond_wait_cannot_retake)
{
    for (int timed = 0; timed < 2; timed++) { /* pthread_cond_wait, then pthread_cond_timedwait */
        rl_run run;
        rl_run_test_program(&run, "cond_retake", timed ? "deadlock-timed" : "deadlock", NULL);
        rl_expect_ended_by_deadlock(&run, "deadlock");
        json_t *deadlock = rl_finding(&run, "deadlock", 0);
        rl_expect(&run, eq(str, rl_str_at(&run, deadlock, "cause"), "cycle"));
        rl_expect(&run, eq(str, rl_cycle_lock_names(&run, deadlock), "other,wait_mutex"));
        expect_two_wait_ops(&run, deadlock, 1, "cond-retake", "lock");
        rl_run_free(&run);
    }
}

/* A caller of pthread_once waits for the thread running the initialiser, which waits for a lock the
 * caller holds: a cycle through the once call, reported and ended. */
Test(finding, once_initialiser_deadlock)
{
    /* natively, and under serial and pct, where the caller waits for the initialiser in the scheduler */
    static const char *const schedules[] = {"native", "serial", "pct"};
    for (size_t i = 0; i < 3; i++) {
        rl_run run;
        rl_run_racelab(&run, (const char *const[]){"run", "--json", RL_REPORT, "--schedule", schedules[i], "--",
                                                   RACELAB_TEST_PROGRAMS "/once_deadlock", NULL});
        rl_expect_ended_by_deadlock(&run, "deadlock");
        json_t *deadlock = rl_finding(&run, "deadlock", 0);
        rl_expect(&run, eq(str, rl_str_at(&run, deadlock, "cause"), "cycle"));
        expect_two_wait_ops(&run, deadlock, 0, "once", "lock");
        rl_run_free(&run);
    }
}

/* main ends with pthread_exit: once the program's last thread has ended, the process ends with status
 * 0, as without racelab (whose watchdog thread once kept it alive for ever). */
Test(finding, main_pthread_exit)
{
    static const char *const modes[] = {"alone", "worker"};
    static const char *const outputs[] = {"main done\n", "worker done\n"};
    for (size_t i = 0; i < 2; i++) {
        rl_run run;
        rl_run_test_program(&run, "main_pthread_exit", modes[i], NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(str, run.out, (char *)outputs[i]));
        rl_run_free(&run);
    }
}

/* exit() from a signal handler that may have interrupted racelab's slow path under its internal lock:
 * the program ends with its own status and the report is written, every time (five runs: a hang
 * needs the handler to land inside that lock, which it did in about one run in five). */
Test(finding, exit_from_signal_handler)
{
    for (int i = 0; i < 5; i++) {
        rl_run run;
        rl_run_test_program(&run, "exit_in_handler", NULL);
        rl_expect(&run, eq(int, run.status, 7));
        rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "exit.status"), 7));
        rl_expect(&run, eq(str, rl_kinds(&run), ""));
        rl_run_free(&run);
    }
}

Test(finding, abba_real)
{
    rl_run run;
    rl_run_test_program(&run, "abba_real", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,potential-deadlock");
    json_t *deadlock = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, deadlock), "lock_a,lock_b"));
    expect_one_cycle(&run, "lock_a,lock_b");
    rl_run_free(&run);
}

/* The same deadlock reached through chains each thread has taken a hundred times (the mutex fast
 * path's memo knows them, and finds the mutex taken): still ended and reported, each thread waiting
 * at its own last lock call, holding the lock it took on the line before. */
Test(finding, abba_real_through_known_chains)
{
    rl_run run;
    rl_run_test_program(&run, "abba_real_known", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,potential-deadlock");
    json_t *deadlock = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, deadlock), "lock_a,lock_b"));
    const char *src = "tests/programs/abba_real_known.c";
    long long wait1 = rl_source_line_of(src, "thread1 waits here"), wait2 = rl_source_line_of(src, "thread2 waits here");
    expect_two_waiters(&run, deadlock, (long long[]){ 0, wait1, wait2 }, (long long[]){ 0, wait1 - 2, wait2 - 2 });
    rl_run_free(&run);
}

/* C11 <threads.h>: glibc's mtx_lock calls its pthread code internally, out of a preload's sight, so
 * racelab wraps the C11 functions themselves. The same deadlock as abba_real, ended and reported with
 * the program's own lines (not the wrappers'): each thread waits at its "waits here" line, holding the
 * lock it took at its "took" line. */
Test(finding, c11_abba_real)
{
    rl_run run;
    rl_run_test_program(&run, "c11_abba_real", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,potential-deadlock");
    json_t *deadlock = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, eq(str, rl_cycle_lock_names(&run, deadlock), "lock_a,lock_b"));
    expect_one_cycle(&run, "lock_a,lock_b");
    const char *src = "tests/programs/c11_abba_real.c";
    long long wait1 = rl_source_line_of(src, "thread1 waits here"), wait2 = rl_source_line_of(src, "thread2 waits here");
    long long took1 = rl_source_line_of(src, "thread1 took"), took2 = rl_source_line_of(src, "thread2 took");
    expect_two_waiters(&run, deadlock, (long long[]){ 0, wait1, wait2 }, (long long[]){ 0, took1, took2 });
    rl_run_free(&run);
}

/* C11 threads used correctly (recursive, timed and plain mtx, cnd handoff, thrd_join results, thrd_exit;
 * the program checks each result itself): only the kept-apart inversion is found. */
Test(finding, c11_threads_ok)
{
    rl_run run;
    rl_run_test_program(&run, "c11_threads_ok", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "lock_a,lock_b");
    rl_run_free(&run);
}

/* glibc's clock-based waits and the GNU joins go round pthread_mutex_lock & co.: wrapped themselves,
 * a lock taken by pthread_mutex_clocklock is held (no "unlock of an unlocked lock" when it is
 * released), its order is learned, and the waits and joins give their real results. */
Test(finding, clock_waits)
{
    rl_run run;
    rl_run_test_program(&run, "clock_waits", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "lock_a,lock_b");
    rl_run_free(&run);
}

Test(finding, three_cycle)
{
    rl_run run;
    rl_run_test_program(&run, "three_cycle", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "lock_a,lock_b,lock_c");
    rl_run_free(&run);
}

Test(finding, philosophers5)
{
    rl_run run;
    rl_run_test_program(&run, "philosophers5", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "forks[0],forks[1],forks[2],forks[3],forks[4]");
    json_t *finding = rl_finding(&run, "potential-deadlock", 0);
    rl_expect(&run, eq(str, rl_lock_names(&run, finding),
                       "forks[0],forks[1],forks[2],forks[3],forks[4]"));
    rl_run_free(&run);
}

Test(finding, stall_cond)
{
    rl_run run;
    rl_run_test_program(&run, "stall_cond", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock");
    rl_run_free(&run);
}

/* Every thread waits on a semaphore the other would post: ended as a stall. */
Test(finding, sem_stall)
{
    rl_run run;
    rl_run_test_program(&run, "sem_stall", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock");
    rl_run_free(&run);
}

/* The only thread waits on a semaphore that its SIGALRM handler will post: not a deadlock. */
Test(finding, sem_post_from_signal_handler)
{
    rl_run run;
    rl_run_test_program(&run, "sem_post_from_handler", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(str, run.out, "woken\n"));
    rl_run_free(&run);
}

Test(finding, rwlock_write_cycle)
{
    rl_run run;
    rl_run_test_program(&run, "rwlock_write_cycle", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "rw_a,rw_b");
    rl_run_free(&run);
}

/* A child forked after the program cleared its environment is still followed; one that cannot open
 * its log is named in an "unchecked-process" note instead of dropped in silence. */
Test(finding, fork_after_clearenv)
{
    rl_run run;
    rl_run_test_program(&run, "fork_hostile_child", "clearenv", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "lock_a,lock_b");
    long long child = -1;
    rl_expect(&run, eq(int, sscanf(run.out, "child %lld", &child), 1));
    rl_expect(&run, eq(i64, rl_int_at(&run, rl_finding(&run, "potential-deadlock", 0), "pid"), child));
    rl_run_free(&run);
}

Test(finding, fork_without_descriptors)
{
    rl_run run;
    rl_run_test_program(&run, "fork_hostile_child", "no-fds", NULL);
    rl_expect_normal_exit(&run, "");
    long long child = -1;
    rl_expect(&run, eq(int, sscanf(run.out, "child %lld", &child), 1));
    json_t *notes = json_object_get(run.report, "notes");
    rl_expect(&run, eq(sz, json_array_size(notes), 1));
    rl_expect(&run, eq(str, rl_str_at(&run, json_array_get(notes, 0), "kind"), "unchecked-process"));
    rl_expect(&run, eq(i64, rl_int_at(&run, json_array_get(notes, 0), "pid"), child));
    rl_run_free(&run);
}

/* The program closes or overwrites every descriptor above 2: racelab's log survives each way. */
Test(finding, log_survives_closing_descriptors)
{
    static const char *const modes[] = {"close-all", "close-range", "closefrom", "dup2"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        rl_run run;
        rl_run_test_program(&run, "closes_descriptors", modes[i], NULL);
        rl_expect_normal_exit(&run, "potential-deadlock");
        expect_one_cycle(&run, "lock_a,lock_b");
        rl_expect(&run, eq(str, run.out, "done\n"));
        rl_run_free(&run);
    }
}

/* Two heap locks made at one line are named apart, numbered in the order they were made. */
Test(finding, heap_locks_from_one_line)
{
    rl_run run;
    rl_run_test_program(&run, "heap_lock_names", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    long long line = rl_source_line_of("tests/programs/heap_lock_names.c", "both locks are made here");
    char want[256];
    snprintf(want, sizeof want, "mutex #1 at make_node (heap_lock_names.c:%lld),mutex #2 at make_node (heap_lock_names.c:%lld)",
             line, line);
    expect_one_cycle(&run, want);
    rl_run_free(&run);
}

/* Locks and shared variables on the stack of a thread that has ended are retired with it: the next
 * thread's objects at the same addresses (glibc's stack cache) are new objects. */
Test(finding, stack_objects_of_an_ended_thread_are_not_reused)
{
    static const char *const modes[] = {"locks", "vars"};
    for (size_t i = 0; i < 2; i++) {
        rl_run run;
        rl_run_test_program(&run, "stack_objects_reused", modes[i], NULL);
        rl_expect_normal_exit(&run, "");
        rl_expect(&run, eq(str, run.out, "reused\n"));
        rl_expect(&run, eq(sz, json_array_size(json_object_get(run.report, "notes")), 0));
        rl_run_free(&run);
    }
}

/* A stall on a mutex that a thread which has ended still holds says so: the lock wait names the holder;
 * a condition wait names the mutex it would have to take back, and the holder. */
Test(finding, stall_names_a_holder_that_ended)
{
    static const char *const modes[] = {"lock", "cond"};
    static const char *const said[] = {
        "T2 waits in lock(m), which T1 still holds: it ended without unlocking it; T0 waits in pthread_join(T2)",
        "T1 waits in pthread_cond_wait(c), and would have to take m back, which T2 still holds: it ended without "
        "unlocking it; T0 waits in pthread_join(T1)",
    };
    for (size_t i = 0; i < 2; i++) {
        rl_run run;
        rl_run_test_program(&run, "waits_on_an_ended_holder", modes[i], NULL);
        rl_expect_ended_by_deadlock(&run, "deadlock,held-at-exit");
        json_t *deadlock = rl_finding(&run, "deadlock", 0);
        rl_expect(&run, eq(str, rl_str_at(&run, deadlock, "cause"), "stall"));
        rl_expect(&run, strstr(rl_str_at(&run, deadlock, "summary"), said[i]) != NULL);
        rl_run_free(&run);
    }
}

/* An rwlock asked for writing by its reader: the wait is "wrlock", not the mutex's "lock". */
Test(finding, rwlock_upgrade_waits_in_wrlock)
{
    rl_run run;
    rl_run_test_program(&run, "rwlock_upgrade", NULL);
    rl_expect_ended_by_deadlock(&run, "deadlock,double-lock");
    json_t *deadlock = rl_finding(&run, "deadlock", 0);
    rl_expect(&run, strstr(rl_str_at(&run, deadlock, "summary"), "T1 holds rw and waits in wrlock(rw)") != NULL);
    /* the text: the watchdog's line for a thread waiting for itself, the wait, the mode held, the scenario */
    rl_expect(&run, strstr(run.err, "racelab: deadlock: a thread waits for itself; ending the program") != NULL);
    rl_expect(&run, strstr(run.err, "  T1 waits in wrlock for rw at:\n") != NULL);
    rl_expect(&run, strstr(run.err, "    holding rw (for reading), taken at:\n") != NULL);
    rl_expect(&run, strstr(run.err, "    rdlock(rw)\n    wrlock(rw) ...\n") != NULL);
    rl_run_free(&run);
}

/* A signal handler that siglongjmps out of a blocking call (sem_wait) leaves racelab's wrapper without
 * returning; the thread's later calls are still observed (they were all let through unobserved). */
Test(finding, longjmp_out_of_a_blocking_call)
{
    rl_run run;
    rl_run_test_program(&run, "longjmp_out_of_wait", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "a,b");
    rl_expect(&run, eq(str, run.out, "timed out\n"));
    size_t i;
    json_t *n;
    bool said = false;
    json_array_foreach(json_object_get(run.report, "notes"), i, n)
        said |= strstr(rl_str_at(&run, n, "summary"), "left a blocking pthread call with longjmp") != NULL;
    rl_expect(&run, said);
    rl_run_free(&run);
}

/* A blank racelab_name_lock name is ignored (the lock keeps its variable's name), and the log has no
 * line the report would take for a torn one. */
Test(finding, blank_lock_name_is_ignored)
{
    rl_run run;
    rl_run_test_program(&run, "blank_lock_name", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "account 3,blank_lock");
    rl_expect(&run, eq(sz, json_array_size(json_object_get(run.report, "notes")), 0));
    /* both are PTHREAD_MUTEX_INITIALIZER locks: no init call, so the stack shown is their first use */
    rl_expect(&run, eq(int, rl_bool_at(&run, rl_finding(&run, "potential-deadlock", 0), "locks.0.first_use"), 1));
    rl_run_free(&run);
}

/* A child the program leaves running: racelab stops waiting for it after 10 s and says it was still
 * running, not that it crashed. */
Test(finding, descendant_still_running, .timeout = 60)
{
    rl_run run;
    rl_run_test_program(&run, "leaves_a_sleeper", NULL);
    rl_expect_normal_exit(&run, "");
    json_t *processes = json_object_get(run.report, "processes");
    rl_expect(&run, eq(sz, json_array_size(processes), 2));
    json_t *sleeper = json_array_get(processes, 1);
    long long pid = rl_int_at(&run, sleeper, "pid");
    if (pid > 0)
        kill((pid_t)pid, SIGKILL);
    rl_expect(&run, eq(str, rl_str_at(&run, sleeper, "exit.unknown"), "still running when the report was written"));
    rl_run_free(&run);
}

Test(finding, fork_child_cycle)
{
    rl_run run;
    rl_run_test_program(&run, "fork_child_cycle", NULL);
    rl_expect_normal_exit(&run, "potential-deadlock");
    expect_one_cycle(&run, "lock_a,lock_b");

    long long main_pid = rl_int_at(&run, NULL, "processes.0.pid");
    long long pid = rl_int_at(&run, rl_finding(&run, "potential-deadlock", 0), "pid");
    rl_expect(&run, ne(i64, main_pid, RL_MISSING));
    rl_expect(&run, ne(i64, pid, RL_MISSING));
    rl_expect(&run, ne(i64, pid, main_pid));
    bool listed = false; /* the child is one of the report's processes */
    json_t *processes = json_object_get(run.report, "processes");
    for (size_t i = 1; i < json_array_size(processes); i++)
        listed = listed || rl_int_at(&run, json_array_get(processes, i), "pid") == pid;
    rl_expect(&run, eq(int, listed, true));
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.processes"), 2));
    rl_run_free(&run);
}

/* ---- traps ------------------------------------------------------------------------------------ */

Test(trap, gate_lock)
{
    rl_run run;
    rl_run_test_program(&run, "gate_lock", NULL);
    rl_expect_normal_exit(&run, "");
    expect_note(&run, "gate-lock", "lock_a,lock_b");
    rl_run_free(&run);
}

Test(trap, single_thread_orders)
{
    rl_run run;
    rl_run_test_program(&run, "single_thread_orders", NULL);
    rl_expect_normal_exit(&run, "");
    expect_note(&run, "single-thread", "lock_a,lock_b");
    rl_run_free(&run);
}

Test(trap, trylock_backoff)
{
    rl_run run;
    rl_run_test_program(&run, "trylock_backoff", NULL);
    rl_expect_normal_exit(&run, "");
    expect_note(&run, "trylock", "lock_a,lock_b");
    rl_run_free(&run);
}

/* The same with pthread_mutex_timedlock: a timed lock gives up, so the cycle it closes is suppressed
 * with reason "trylock" too. */
Test(trap, timedlock_backoff)
{
    rl_run run;
    rl_run_test_program(&run, "trylock_backoff", "timed", NULL);
    rl_expect_normal_exit(&run, "");
    expect_note(&run, "trylock", "lock_a,lock_b");
    rl_run_free(&run);
}

Test(trap, rwlock_read_read)
{
    rl_run run;
    rl_run_test_program(&run, "rwlock_read_read", NULL);
    rl_expect_normal_exit(&run, "");
    expect_note(&run, "read-only", "rw_x,rw_y");
    rl_run_free(&run);
}

Test(trap, reuse_after_destroy)
{
    rl_run run;
    rl_run_test_program(&run, "reuse_after_destroy", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(sz, suppressed_notes(&run), 0)); /* not even a ruled-out cycle */
    rl_run_free(&run);
}

Test(trap, nested_100)
{
    rl_run run;
    rl_run_test_program(&run, "nested_100", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, ge(i64, rl_int_at(&run, NULL, "stats.locks"), 100));
    rl_run_free(&run);
}

Test(trap, nested_1000)
{
    rl_run run;
    rl_run_test_program(&run, "nested_100", "1000", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, ge(i64, rl_int_at(&run, NULL, "stats.locks"), 1000));
    rl_run_free(&run);
}

Test(trap, fork_clean)
{
    rl_run run;
    rl_run_test_program(&run, "fork_clean", NULL);
    rl_expect_normal_exit(&run, "");
    rl_expect(&run, eq(i64, rl_int_at(&run, NULL, "stats.processes"), 2));
    rl_run_free(&run);
}

Test(trap, recursive_ok)
{
    rl_run run;
    rl_run_test_program(&run, "recursive_ok", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
}

Test(trap, cond_ok)
{
    rl_run run;
    rl_run_test_program(&run, "cond_ok", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
}

Test(trap, sem_ok)
{
    rl_run run;
    rl_run_test_program(&run, "sem_ok", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
}

Test(trap, static_init)
{
    rl_run run;
    rl_run_test_program(&run, "static_init", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
}
