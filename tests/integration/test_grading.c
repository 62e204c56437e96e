/* test_grading.c: `racelab grade` and `racelab check` on the exercises in exercises/ and on the hostile
 * submissions in tests/fixtures/grading/.
 *
 * For every exercise: the reference solution (and every file in accepted/) gets full marks; the
 * untouched starter does not; each wrong solution in wrong/ loses exactly the points of the one test
 * wrong/expected.json names, with a message containing the words listed there. Results are read as
 * Gradescope results.json (its documented fields checked here) and JUnit XML (well formed, by xmllint).
 * The grader itself: the same seed gives the same score; infinite loops, crashes, fork bombs, memory
 * hogs, output floods, fake grader output and files written by the submission cannot change the score
 * or stop the grading; malformed specs give a one-line error. Runs are few (--runs 2) to keep the
 * suite short; the exercises' own defaults are higher.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_racelab.h"

#define EXERCISES RACELAB_SOURCE_DIR "/exercises"
#define FIXTURES RACELAB_SOURCE_DIR "/tests/fixtures/grading"
#define TEST_RUNS "2"
#define GRADE_TIMEOUT 170 /* Criterion's per-test limit; each command has RL_RUN_TIMEOUT_SECONDS */

/* rl_expect with a message of our own before rl_describe()'s. */
#define check(run, cond, fmt, ...) cr_assert(cond, fmt "\n%s", ##__VA_ARGS__, rl_describe(run))

static bool contains(const char *haystack, const char *needle)
{
    return haystack && needle && strstr(haystack, needle) != NULL;
}

static bool lacks(const char *haystack, const char *needle)
{
    return !contains(haystack, needle);
}

/* jansson's type tests are macros, which Criterion's assertion macros cannot take as they are */
static bool is_number(const json_t *j) { return json_is_number(j); }
static bool is_integer(const json_t *j) { return json_is_integer(j); }
static bool is_string(const json_t *j) { return json_is_string(j); }
static bool is_array(const json_t *j) { return json_is_array(j); }

/* `racelab grade EXERCISE --submission FILE --format gradescope --out <report> --runs RUNS --seed SEED`;
 * run->report is then the parsed results.json. */
static void grade_runs(rl_run *run, const char *exercise, const char *submission, const char *seed, const char *runs)
{
    char ex[512];
    snprintf(ex, sizeof ex, "%s/%s", EXERCISES, exercise);
    rl_run_racelab(run, (const char *[]){"grade", ex, "--submission", submission, "--format", "gradescope", "--out",
                                         RL_REPORT, "--runs", runs, "--seed", seed, NULL});
}

static void grade(rl_run *run, const char *exercise, const char *submission, const char *seed)
{
    grade_runs(run, exercise, submission, seed, TEST_RUNS);
}

static const char *exercise_file(char *buf, size_t n, const char *exercise, const char *part)
{
    snprintf(buf, n, "%s/%s/%s", EXERCISES, exercise, part);
    return buf;
}

static double num(const json_t *j, const char *key)
{
    return json_number_value(json_object_get(j, key));
}

/* The fields Gradescope documents for results.json, with their types; and scores that add up. */
static void expect_gradescope_fields(rl_run *run)
{
    rl_expect_report(run);
    json_t *r = run->report;
    static const char *const top[] = { "score", "max_score", "execution_time", "output", "output_format",
                                       "visibility", "stdout_visibility", "extra_data", "tests", NULL };
    const char *key;
    json_t *v;
    json_object_foreach(r, key, v) {
        bool known = false;
        for (size_t i = 0; top[i]; i++)
            known |= strcmp(key, top[i]) == 0;
        check(run, known, "unexpected top-level field '%s'", key);
    }
    rl_expect(run, is_number(json_object_get(r, "score")));
    rl_expect(run, is_number(json_object_get(r, "max_score")));
    rl_expect(run, is_integer(json_object_get(r, "execution_time")));
    rl_expect(run, is_string(json_object_get(r, "output")));
    rl_expect(run, is_array(json_object_get(r, "tests")));
    static const char *const visibilities[] = { "visible", "hidden", "after_due_date", "after_published", NULL };
    double sum = 0, max_sum = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "tests"), i, t) {
        rl_expect(run, is_string(json_object_get(t, "name")));
        rl_expect(run, is_number(json_object_get(t, "score")));
        rl_expect(run, is_number(json_object_get(t, "max_score")));
        rl_expect(run, is_string(json_object_get(t, "output")));
        rl_expect(run, is_string(json_object_get(t, "number")));
        const char *status = json_string_value(json_object_get(t, "status"));
        rl_expect(run, eq(int, status && (strcmp(status, "passed") == 0 || strcmp(status, "failed") == 0), 1));
        const char *vis = json_string_value(json_object_get(t, "visibility"));
        bool vis_ok = false;
        for (size_t k = 0; vis && visibilities[k]; k++)
            vis_ok |= strcmp(vis, visibilities[k]) == 0;
        rl_expect(run, vis_ok);
        rl_expect(run, num(t, "score") >= 0 && num(t, "score") <= num(t, "max_score"));
        rl_expect(run, eq(int, strcmp(status, "passed") == 0, num(t, "score") == num(t, "max_score")));
        sum += num(t, "score");
        max_sum += num(t, "max_score");
    }
    check(run, fabs(sum - num(r, "score")) < 1e-9, "tests add up to %g, score is %g", sum, num(r, "score"));
    rl_expect(run, fabs(max_sum - num(r, "max_score")) < 1e-9);
}

static json_t *test_named(const json_t *results, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(results, "tests"), i, t)
        if (strcmp(json_string_value(json_object_get(t, "name")) ?: "", name) == 0)
            return t;
    return NULL;
}

static void expect_full_marks(const char *exercise, const char *submission)
{
    rl_run run;
    grade(&run, exercise, submission, "1");
    expect_gradescope_fields(&run);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(run.report, "tests"), i, t)
        check(&run, eq(str, (char *)json_string_value(json_object_get(t, "status")), "passed"),
                  "test '%s' failed:\n%s", json_string_value(json_object_get(t, "name")),
                  json_string_value(json_object_get(t, "output")));
    rl_expect(&run, num(run.report, "score") == num(run.report, "max_score"));
    rl_expect(&run, eq(int, run.status, 0)); /* full marks: the exit status alone says so */
    rl_run_free(&run);
}

static void expect_reference_full_marks(const char *exercise)
{
    char sub[512];
    expect_full_marks(exercise, exercise_file(sub, sizeof sub, exercise, "reference"));
}

/* Every file in accepted/: another correct fix, full marks too. */
static void expect_accepted_full_marks(const char *exercise)
{
    char dir[512], path[1024];
    exercise_file(dir, sizeof dir, exercise, "accepted");
    FILE *ls = NULL;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls %s/*.c 2>/dev/null", dir);
    ls = popen(cmd, "r");
    cr_assert(ls != NULL);
    while (fgets(path, sizeof path, ls)) {
        path[strcspn(path, "\n")] = 0;
        expect_full_marks(exercise, path);
    }
    pclose(ls);
}

static void expect_starter_fails(const char *exercise, const char *student_file)
{
    char sub[512], part[256];
    snprintf(part, sizeof part, "starter/%s", student_file);
    rl_run run;
    grade(&run, exercise, exercise_file(sub, sizeof sub, exercise, part), "1");
    expect_gradescope_fields(&run);
    rl_expect(&run, lt(dbl, num(run.report, "score"), num(run.report, "max_score")));
    rl_expect(&run, eq(int, run.status, 1));
    rl_run_free(&run);
}

/* Each wrong solution fails exactly its test, losing exactly that test's points, with the message. */
static void expect_wrong_solutions(const char *exercise)
{
    char path[512];
    json_error_t err;
    json_t *expected = json_load_file(exercise_file(path, sizeof path, exercise, "wrong/expected.json"), 0, &err);
    cr_assert(expected != NULL, "%s: %s", path, err.text);
    const char *file;
    json_t *want;
    size_t checked = 0;
    json_object_foreach(expected, file, want) {
        if (file[0] == '$')
            continue;
        char sub[600], part[300];
        snprintf(part, sizeof part, "wrong/%s", file);
        rl_run run;
        grade(&run, exercise, exercise_file(sub, sizeof sub, exercise, part), "1");
        expect_gradescope_fields(&run);
        const char *test = json_string_value(json_object_get(want, "test"));
        const char *words = json_string_value(json_object_get(want, "message"));
        json_t *failing = test_named(run.report, test);
        check(&run, failing != NULL, "%s: no test named '%s'", file, test);
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(run.report, "tests"), i, t) {
            const char *name = json_string_value(json_object_get(t, "name"));
            const char *status = json_string_value(json_object_get(t, "status"));
            check(&run, eq(str, (char *)status, t == failing ? "failed" : "passed"),
                      "%s: test '%s' should have %s:\n%s", file, name, t == failing ? "failed" : "passed",
                      json_string_value(json_object_get(t, "output")));
        }
        check(&run, num(run.report, "score") == num(run.report, "max_score") - num(failing, "max_score"),
                  "%s: score %g, expected %g - %g", file, num(run.report, "score"), num(run.report, "max_score"),
                  num(failing, "max_score"));
        check(&run, contains(json_string_value(json_object_get(failing, "output")), words),
                  "%s: the failing test's output does not say '%s':\n%s", file, words,
                  json_string_value(json_object_get(failing, "output")));
        rl_expect(&run, eq(int, run.status, 1));
        rl_run_free(&run);
        checked++;
    }
    cr_assert(ge(sz, checked, 3), "%s has %zu wrong solutions, at least 3 are needed", exercise, checked);
    json_decref(expected);
}

#define EXERCISE_TESTS(name, student_file)                                                                 \
    Test(exercise_##name, reference_gets_full_marks, .timeout = GRADE_TIMEOUT)                             \
    {                                                                                                      \
        expect_reference_full_marks(#name);                                                                \
        expect_accepted_full_marks(#name);                                                                 \
    }                                                                                                      \
    Test(exercise_##name, starter_fails, .timeout = GRADE_TIMEOUT) { expect_starter_fails(#name, student_file); } \
    Test(exercise_##name, wrong_solutions_lose_their_test, .timeout = GRADE_TIMEOUT) { expect_wrong_solutions(#name); }

EXERCISE_TESTS(unsafe_counter, "counter.c")
EXERCISE_TESTS(bank_transfer, "bank.c")
EXERCISE_TESTS(recursive_lock, "rlock.c")
EXERCISE_TESTS(bounded_buffer, "buffer.c")
EXERCISE_TESTS(semaphore_downloads, "downloads.c")
EXERCISE_TESTS(event, "event.c")
EXERCISE_TESTS(dining_philosophers, "philosophers.c")
/* process_pool's performance test measures the most cores its workers keep busy at once, from CPU-time
 * samples in 2 ms windows: a busy machine lowers it, but workers that really run in parallel still
 * reach the two cores together at some moment, and one worker at a time can never pass 1.00. */
EXERCISE_TESTS(process_pool, "pool.c")

/* ---- the grader's own behaviour --------------------------------------------------------------- */

static const char *fixture(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s.c", FIXTURES, name);
    return buf;
}

static const char *failing_message(rl_run *run)
{
    static char all[16384];
    all[0] = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(run->report, "tests"), i, t)
        if (strcmp(json_string_value(json_object_get(t, "status")) ?: "", "failed") == 0) {
            strncat(all, json_string_value(json_object_get(t, "output")) ?: "", sizeof all - strlen(all) - 1);
            strncat(all, "\n", sizeof all - strlen(all) - 1);
        }
    return all;
}

Test(grader, same_seed_same_score, .timeout = GRADE_TIMEOUT)
{
    char sub[512];
    exercise_file(sub, sizeof sub, "unsafe_counter", "starter/counter.c");
    rl_run a, b;
    grade(&a, "unsafe_counter", sub, "7");
    grade(&b, "unsafe_counter", sub, "7");
    expect_gradescope_fields(&a);
    expect_gradescope_fields(&b);
    rl_expect(&a, eq(dbl, num(a.report, "score"), num(b.report, "score")));
    json_t *ta = json_object_get(a.report, "tests"), *tb = json_object_get(b.report, "tests");
    for (size_t i = 0; i < json_array_size(ta); i++) {
        json_t *x = json_array_get(ta, i), *y = json_array_get(tb, i);
        rl_expect(&a, eq(str, (char *)json_string_value(json_object_get(x, "status")),
                         (char *)json_string_value(json_object_get(y, "status"))));
    }
    /* the seeds are reported */
    rl_expect(&a, contains(json_string_value(json_object_get(a.report, "output")), "Seed 7"));
    rl_expect(&a, contains(failing_message(&a), "seeds 7 to 8"));
    rl_expect(&a, contains(failing_message(&a), "racelab run --schedule pct --seed 7 --"));
    rl_expect(&a, eq(i64, json_integer_value(json_object_get(json_object_get(a.report, "extra_data"), "seed")), 7));
    rl_run_free(&a);
    rl_run_free(&b);
}

Test(grader, junit_is_well_formed_xml, .timeout = GRADE_TIMEOUT)
{
    char sub[512], ex[512];
    exercise_file(sub, sizeof sub, "unsafe_counter", "starter/counter.c");
    exercise_file(ex, sizeof ex, "unsafe_counter", "");
    rl_run run;
    rl_run_racelab(&run, (const char *[]){"grade", ex, "--submission", sub, "--format", "junit", "--out", RL_REPORT,
                                          "--runs", "1", NULL});
    rl_expect(&run, eq(int, run.status, 1));
    rl_run lint;
    rl_run_command(&lint, (const char *[]){"/usr/bin/xmllint", "--noout", run.report_path, NULL}, NULL);
    rl_expect(&lint, eq(int, lint.status, 0));
    rl_run_free(&lint);
    FILE *f = fopen(run.report_path, "r");
    cr_assert(f != NULL);
    static char xml[1 << 20];
    size_t n = fread(xml, 1, sizeof xml - 1, f);
    xml[n] = 0;
    fclose(f);
    rl_expect(&run, contains(xml, "classname=\"racelab.unsafe_counter.racelab\""));
    rl_expect(&run, contains(xml, "<failure type=\"racelab\" message=\"data race on counter"));
    rl_expect(&run, contains(xml, "<property name=\"score\" value=\"60\"/>"));
    rl_run_free(&run);
}

Test(grader, text_format_and_exit_status, .timeout = GRADE_TIMEOUT)
{
    char sub[512], ex[512];
    exercise_file(sub, sizeof sub, "unsafe_counter", "reference/counter.c");
    exercise_file(ex, sizeof ex, "unsafe_counter", "");
    rl_run run;
    rl_run_racelab(&run, (const char *[]){"grade", ex, "--submission", sub, "--runs", "1", NULL});
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "Score: 100/100 points"));
    rl_run_free(&run);
}

/* `racelab check`: the starter by default, visible tests, racelab's findings; never the reference. */
Test(grader, check_shows_findings_without_the_reference, .timeout = GRADE_TIMEOUT)
{
    char tmp[] = "/tmp/racelab-check-XXXXXX";
    cr_assert(mkdtemp(tmp) != NULL);
    char cmd[1024];
    /* a copy of the exercise as a student gets it: no reference/, no wrong/, no accepted/ */
    snprintf(cmd, sizeof cmd, "cp -r %s/unsafe_counter %s/ex && rm -rf %s/ex/reference %s/ex/wrong %s/ex/accepted",
             EXERCISES, tmp, tmp, tmp, tmp);
    cr_assert(eq(int, system(cmd), 0));
    /* and its ThreadSanitizer test hidden from students: check does not run it */
    snprintf(cmd, sizeof cmd, "sed -i 's/\"kind\": \"tsan\", \"points\": 10,/&  \"visibility\": \"hidden\",/' %s/ex/exercise.json"
                              " && grep -q '\"visibility\": \"hidden\"' %s/ex/exercise.json", tmp, tmp);
    cr_assert(eq(int, system(cmd), 0));
    char ex[600];
    snprintf(ex, sizeof ex, "%s/ex", tmp);
    rl_run run;
    rl_run_racelab(&run, (const char *[]){"check", ex, "--runs", "1", NULL});
    rl_expect(&run, eq(int, run.status, 1));
    rl_expect(&run, contains(run.out, "racelab check:"));
    rl_expect(&run, contains(run.out, "data race on counter"));
    rl_expect(&run, contains(run.out, "racelab run --schedule pct --seed 1 -- ./program"));
    rl_expect(&run, contains(run.out, "Visible tests: 50/90 points"));
    rl_expect(&run, contains(run.out, "1 hidden test not run here"));
    rl_expect(&run, lacks(run.out, "ThreadSanitizer finds no race"));
    rl_expect(&run, lacks(run.out, "reference"));
    rl_run_free(&run);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    cr_assert(eq(int, system(cmd), 0));
}

/* A hostile submission: the grading ends in time, the score is what it should be, and the reason.
 * One seeded run (plus the ThreadSanitizer run): the ones that hang cost a time limit each. */
static void expect_robust(const char *name, double score, const char *words)
{
    char sub[512];
    rl_run run;
    grade_runs(&run, "unsafe_counter", fixture(sub, sizeof sub, name), "1", "1");
    expect_gradescope_fields(&run);
    rl_expect(&run, eq(dbl, num(run.report, "score"), score));
    check(&run, contains(failing_message(&run), words), "expected '%s' in:\n%s", words, failing_message(&run));
    rl_run_free(&run);
}

Test(robust, infinite_loop, .timeout = GRADE_TIMEOUT) { expect_robust("infinite_loop", 10, "time limit of 5 s exceeded"); }
Test(robust, crash, .timeout = GRADE_TIMEOUT) { expect_robust("crash", 10, "killed by SIGSEGV"); }
Test(robust, fork_bomb, .timeout = GRADE_TIMEOUT) { expect_robust("fork_bomb", 10, "time limit of 5 s exceeded"); }
Test(robust, memory_hog, .timeout = GRADE_TIMEOUT) { expect_robust("memory_hog", 10, "killed by SIGSEGV"); }
Test(robust, huge_file, .timeout = GRADE_TIMEOUT) { expect_robust("huge_file", 10, "killed by SIGXFSZ"); }

/* A hang that racelab recognises ends at once with its deadlock report, not at the time limit; the
 * tests that need a finished run fail (the ThreadSanitizer run's hang is that same deadlock). */
Test(robust, hang_ends_with_a_deadlock_report, .timeout = GRADE_TIMEOUT)
{
    char sub[512];
    rl_run run;
    grade_runs(&run, "unsafe_counter", fixture(sub, sizeof sub, "hang"), "1", "1");
    expect_gradescope_fields(&run);
    rl_expect(&run, eq(dbl, num(run.report, "score"), 20));
    json_t *deadlock_test = test_named(run.report, "No deadlock or lock misuse");
    const char *out = json_string_value(json_object_get(deadlock_test, "output"));
    rl_expect(&run, contains(out, "every thread is blocked and none can wake another"));
    rl_expect(&run, lacks(out, "time limit"));
    rl_expect(&run, contains(failing_message(&run), "no run finished"));
    rl_run_free(&run);
}

Test(robust, compile_error, .timeout = GRADE_TIMEOUT) { expect_robust("compile_error", 0, "counter.c:8:5: error:"); }

Test(robust, output_flood, .timeout = GRADE_TIMEOUT)
{
    char sub[512];
    rl_run run;
    grade(&run, "unsafe_counter", fixture(sub, sizeof sub, "output_flood"), "1");
    expect_gradescope_fields(&run);
    rl_expect(&run, eq(dbl, num(run.report, "score"), 100));
    struct stat st;
    cr_assert(eq(int, stat(run.report_path, &st), 0));
    check(&run, lt(i64, (long long)st.st_size, 200 * 1024), "results.json is %lld bytes", (long long)st.st_size);
    rl_run_free(&run);
}

/* Printing a grader's output changes nothing: the race still costs its 40 points, and in the text
 * format the program's lines are quoted behind "| ", never at the start of a line. */
Test(robust, fake_grader_output, .timeout = GRADE_TIMEOUT)
{
    char sub[512], ex[512];
    expect_robust("fake_score", 60, "data race on counter");
    exercise_file(ex, sizeof ex, "unsafe_counter", "");
    rl_run run;
    rl_run_racelab(&run, (const char *[]){"grade", ex, "--submission", fixture(sub, sizeof sub, "fake_score"), "--runs",
                                          "1", NULL});
    rl_expect(&run, eq(int, run.status, 1));
    rl_expect(&run, contains(run.out, "\nScore: 60/100 points\n"));
    rl_expect(&run, lacks(run.out, "\nScore: 100/100"));
    rl_expect(&run, lacks(run.out, "\nPASS    40/40"));
    rl_expect(&run, contains(run.out, "| Score: 100/100 points"));
    rl_run_free(&run);
}

/* Files the submission writes (a fake results.json) change nothing: the grader writes its own last. */
Test(robust, files_written_by_the_submission, .timeout = GRADE_TIMEOUT)
{
    char cwd[512];
    cr_assert(getcwd(cwd, sizeof cwd) != NULL);
    expect_robust("write_files", 60, "data race on counter");
    rl_run run;
    char sub[512];
    grade(&run, "unsafe_counter", fixture(sub, sizeof sub, "write_files"), "1");
    rl_expect(&run, eq(dbl, num(run.report, "score"), 60)); /* --out holds the grader's own results */
    char path[600];
    snprintf(path, sizeof path, "%s/results.json", cwd);
    check(&run, ne(int, access(path, F_OK), 0), "the submission wrote %s", path);
    rl_run_free(&run);
}

/* ---- malformed specs: one line, naming the field ---------------------------------------------- */

static void expect_bad_spec(const char *name, const char *words)
{
    char ex[512], sub[512];
    snprintf(ex, sizeof ex, "%s/bad_specs/%s", FIXTURES, name);
    exercise_file(sub, sizeof sub, "unsafe_counter", "reference/counter.c");
    rl_run run;
    rl_run_racelab(&run, (const char *[]){"grade", ex, "--submission", sub, NULL});
    rl_expect(&run, eq(int, run.status, 4));
    check(&run, contains(run.err, words), "expected '%s'", words);
    check(&run, eq(sz, strlen(run.err) - strcspn(run.err, "\n"), 1), "one line: %s", run.err);
    rl_run_free(&run);
}

Test(spec, not_json) { expect_bad_spec("not_json", "exercise.json: line 3:"); }
Test(spec, unknown_kind) { expect_bad_spec("unknown_kind", "exercise.json: tests[1].kind: unknown kind 'speed'"); }
Test(spec, unknown_field) { expect_bad_spec("unknown_field", "exercise.json: tests[0]: unknown field 'pionts'"); }
Test(spec, bad_check) { expect_bad_spec("bad_check", "exercise.json: tests[1].expect[0]: \"var.counter == (threads\": expected ')'"); }
Test(spec, unknown_size) { expect_bad_spec("unknown_size", "exercise.json: tests[1].args[1]: 'thread' is not one of the sizes"); }
Test(spec, missing_exercise) { expect_bad_spec("no_such_exercise", "unable to open"); }

Test(cli, usage_errors)
{
    rl_run run;
    rl_run_racelab(&run, (const char *[]){"grade", EXERCISES "/unsafe_counter", NULL});
    rl_expect(&run, eq(int, run.status, 2));
    rl_expect(&run, contains(run.err, "--submission"));
    rl_run_free(&run);
    rl_run_racelab(&run, (const char *[]){"grade", EXERCISES "/unsafe_counter", "--submission", "x.c", "--format", "pdf", NULL});
    rl_expect(&run, eq(int, run.status, 2));
    rl_expect(&run, contains(run.err, "unknown format 'pdf'"));
    rl_run_free(&run);
    rl_run_racelab(&run, (const char *[]){"check", "--help", NULL});
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "usage: racelab check EXERCISE"));
    rl_run_free(&run);
}

/* A submission that cannot be read is graded 0 (the autograder still gets its results file). */
Test(cli, missing_submission_scores_zero, .timeout = GRADE_TIMEOUT)
{
    rl_run run;
    grade(&run, "unsafe_counter", "/nonexistent/counter.c", "1");
    expect_gradescope_fields(&run);
    rl_expect(&run, eq(dbl, num(run.report, "score"), 0));
    rl_expect(&run, contains(failing_message(&run), "cannot read '/nonexistent/counter.c'"));
    rl_run_free(&run);
}
