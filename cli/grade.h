/* grade.h: what the grader's files share (`racelab check` and `racelab grade`; docs/grading.md).
 *
 * Data flows one way: exercise.json -> rl_exercise (grade_spec.c) -> builds and runs in a sandbox
 * (grade_sandbox.c) -> one rl_test_result per test (grade.c, which judges the JSON reports of
 * `racelab run` and its exit statuses, never the submission's own output) -> renderers (grade_render.c:
 * text, Gradescope results.json, JUnit XML). Checks are small integer expressions (grade_expr.c).
 *
 * Threading: none; everything here runs in the one grader process.
 */
#ifndef RACELAB_GRADE_H
#define RACELAB_GRADE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- the exercise (grade_spec.c) -------------------------------------------------------------- */

typedef enum {
    RL_TEST_BUILD,       /* points for compiling */
    RL_TEST_RACELAB,     /* racelab's findings (fail_on) in seeded runs */
    RL_TEST_TSAN,        /* ThreadSanitizer's findings in one run of the TSan build */
    RL_TEST_OUTPUT,      /* correct results: checks on the harness's published variables, exit status */
    RL_TEST_CONCURRENCY, /* the work really ran concurrently: checks on stats and variables */
    RL_TEST_PERFORMANCE, /* measured speed: checks on timings the harness published */
} rl_test_kind;

typedef struct rl_size {
    char *name;      /* as used in args ("{threads}") and checks ("threads") */
    long min, max;   /* each run draws a value in [min, max] from its seed */
} rl_size;

typedef struct rl_check {
    char *expr;      /* must be non-zero, e.g. "var.counter == threads * iterations" */
    char *message;   /* shown when it is not; "{expr}" parts are evaluated; may be NULL */
} rl_check;

/* How a test's program runs are made. Tests whose run sets are equal share the same runs. */
typedef struct rl_run_spec {
    bool tsan;                 /* run the ThreadSanitizer build (one native run) */
    char *schedule;            /* native, random, pct or serial */
    char **args;               /* program arguments, "{size}" substituted */
    size_t n_args;
    char **racelab_args;       /* extra `racelab run` options, e.g. "--pct-steps", "1000" */
    size_t n_racelab_args;
    rl_size *sizes;
    size_t n_sizes;
    int runs;                  /* how many (seeds base .. base + runs - 1) */
    bool runs_fixed;           /* "runs" given by the test itself: --runs does not change it */
} rl_run_spec;

typedef struct rl_test_spec {
    char *name;
    char *description;         /* optional, shown with the result */
    double points;
    rl_test_kind kind;
    char *visibility;          /* Gradescope: visible, hidden, after_due_date, after_published */
    bool hidden;               /* visibility is not "visible": `racelab check` does not run it */
    rl_run_spec run;           /* unused by build tests */
    char **fail_on;            /* finding kinds that fail this test */
    size_t n_fail_on;
    rl_check *checks;          /* evaluated on every run that finished */
    size_t n_checks;
    int exit_status;           /* required exit status of the program, or -1 for any */
    bool no_warnings;          /* build: warnings fail the test */
} rl_test_spec;

typedef struct rl_exercise {
    char *dir;                 /* the exercise folder */
    char *name;                /* its base name */
    char *title;
    char *student_file;        /* e.g. "counter.c": what the student edits and submits */
    char **harness;            /* harness sources, relative to harness/ */
    size_t n_harness;
    char **cflags;             /* extra compiler flags */
    size_t n_cflags;
    double time_limit;         /* seconds per run */
    long memory_mb;            /* RLIMIT_AS per run (not for TSan builds: hard_rss_limit_mb instead) */
    long max_processes;        /* RLIMIT_NPROC for the sandbox user */
    long output_limit;         /* bytes of a run's output kept */
    long seed;                 /* default base seed */
    char *visibility;          /* default for tests */
    rl_test_spec *tests;
    size_t n_tests;
    double max_score;
} rl_exercise;

/* Reads EXERCISE_DIR/exercise.json. Returns 0, or -1 with a one-line reason in err (the file and the
 * JSON path of the bad field, e.g. "exercise.json: tests[2].kind: unknown kind 'speed'"). */
int rl_exercise_load(const char *dir, rl_exercise *ex, char *err, size_t err_len);
/* The same from the text of an exercise.json said to be in dir (for tests and fuzzing). */
int rl_exercise_load_text(const char *dir, const char *text, size_t len, rl_exercise *ex, char *err, size_t err_len);
void rl_exercise_free(rl_exercise *ex);
const char *rl_test_kind_name(rl_test_kind kind);
/* The finding kinds racelab reports (and TSan's, merged; "tsan-*" stands for every "tsan-<title>");
 * NULL-terminated. */
extern const char *const rl_grade_all_kinds[];

/* ---- checks (grade_expr.c) -------------------------------------------------------------------- */

/* Names a check may use, looked up by the caller: sizes ("threads"), "cores", "seed", "exit",
 * "stats.max_concurrent_threads", "var.NAME", "var.NAME.accesses", ... Returns 0 and sets *value, or
 * -1 when the name is unknown or absent from this run's report. */
typedef int (*rl_expr_lookup)(void *ctx, const char *name, long long *value);

/* Evaluates expr. Returns 0 with *value set; -1 with err set ("unknown name 'x'", "division by
 * zero", "expected ')'"). With lookup NULL, only checks the syntax (names are then worth 1). Every
 * name used is appended to used ("name = value, ...") when used is not NULL. */
int rl_expr_eval(const char *expr, rl_expr_lookup lookup, void *ctx, long long *value, char *err, size_t err_len,
                 char *used, size_t used_len);

/* Copies template to out, replacing each "{expr}" by its value ("?" when it cannot be evaluated). */
void rl_expr_format(const char *template_text, rl_expr_lookup lookup, void *ctx, char *out, size_t out_len);

/* ---- the sandbox (grade_sandbox.c) ------------------------------------------------------------ */

/* Limits and identity of everything the grader starts on the submission's behalf: the compilers and
 * every `racelab run`. When the grader runs as root it drops to a user id of its own (not in
 * /etc/passwd, unique per grader process), so RLIMIT_NPROC applies and the submission can neither
 * write outside its run directory nor signal other processes; after each command every process of
 * that user is killed. */
typedef struct rl_sandbox {
    char root[4096];           /* private directory, removed by rl_sandbox_close() */
    bool drop;                 /* run commands as uid/gid below */
    uid_t uid;
    gid_t gid;
    char note[256];            /* why privileges are not dropped, or "" */
    int reaper_fd;             /* write end of the pipe to the reaper, or -1 */
    pid_t reaper;              /* cleans up should the grader die (even by SIGKILL) */
} rl_sandbox;

typedef struct rl_limits {
    double seconds;            /* wall clock; then the program, then racelab, are killed */
    long memory_mb;            /* RLIMIT_AS; 0: none */
    long cpu_seconds;          /* RLIMIT_CPU */
    long file_mb;              /* RLIMIT_FSIZE */
    long processes;            /* RLIMIT_NPROC (only enforced for a non-root user) */
    long output_limit;         /* bytes of stdout+stderr kept; the rest is counted and dropped */
    bool spare_leader;         /* at the time limit, kill the leader's descendants first and give the
                                  leader (racelab run) a moment to write its report */
} rl_limits;

typedef struct rl_proc {
    bool started;
    int status;                /* exit status, -1 if killed */
    int signal;                /* signal that ended it, or 0 */
    bool timed_out;
    double seconds;
    char *output;              /* stdout and stderr, interleaved as written, capped; never NULL */
    size_t output_len;
    size_t output_total;       /* bytes written in all */
} rl_proc;

/* Creates the private directory and, as root, picks the sandbox user, provided that user can execute
 * exe and read every path in paths (NULL-terminated; racelab's runtime, its include folder). Returns
 * 0, or -1 with err set. */
int rl_sandbox_open(rl_sandbox *sb, const char *exe, const char *const *paths, char *err, size_t err_len);
/* Makes dir (under sb->root) owned by the sandbox user, so that commands can write into it. */
int rl_sandbox_mkdir(const rl_sandbox *sb, const char *dir);
/* Runs argv (argv[0] a path, or a name looked up in PATH) in cwd with env, under the limits; fills
 * out. Never fails as such: a command that cannot be started has started = false and its reason in
 * output. */
void rl_sandbox_run(const rl_sandbox *sb, char *const argv[], char *const env[], const char *cwd,
                    const rl_limits *limits, rl_proc *out);
void rl_proc_free(rl_proc *p);
/* Removes the private directory and kills anything left of the sandbox user. */
void rl_sandbox_close(rl_sandbox *sb);
/* Recursively removes path (never following symbolic links). */
void rl_remove_tree(const char *path);

/* ---- results (grade.c) and renderers (grade_render.c) ----------------------------------------- */

typedef enum { RL_TEST_PASSED, RL_TEST_FAILED, RL_TEST_NOT_RUN } rl_test_status;

typedef struct rl_test_result {
    const rl_test_spec *spec;
    rl_test_status status;
    double score;
    char *message;             /* one line: why it failed (names the bug), or "" */
    char *output;              /* the details: each run, findings quoted, notes */
    bool noted;                /* passed, but a bug seen in its runs was charged to another test */
    double seconds;
} rl_test_result;

typedef struct rl_grade_result {
    const rl_exercise *ex;
    const char *submission;    /* as given */
    long seed;
    int runs;                  /* --runs, or 0 for the exercise's own */
    bool check_only;           /* `racelab check`: visible tests only */
    double score, max_score;
    double seconds;
    bool build_ok;
    char *build_output;        /* the compiler's messages */
    char *summary;             /* the text shown above the tests (build, seeds, sandbox notes) */
    rl_test_result *tests;
    size_t n_tests;
} rl_grade_result;

/* Each writes the whole result; returns 0, or -1 when writing failed. */
int rl_grade_render_text(const rl_grade_result *g, FILE *out);
int rl_grade_render_gradescope(const rl_grade_result *g, FILE *out);
int rl_grade_render_junit(const rl_grade_result *g, FILE *out);

/* Copies at most len bytes of text as valid UTF-8 without NUL and control characters other than
 * '\n' and '\t' (each bad byte becomes '?'). Returns a malloc'ed string. */
char *rl_grade_clean_text(const char *text, size_t len);

int rl_cli_grade(int argc, char **argv);
int rl_cli_check(int argc, char **argv);

#endif
