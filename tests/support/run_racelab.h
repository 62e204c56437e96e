/* run_racelab.h: run a command in a child process for the integration tests, and read back what it
 * left: exit status, stdout, stderr and (for `racelab run --json`) the parsed JSON report.
 *
 * Every run gets a private directory (mkdtemp under $TMPDIR or /tmp) holding stdout.txt, stderr.txt
 * and report.json. The child runs with stdin from /dev/null, in its own process group, with no shell
 * in between. After RL_RUN_TIMEOUT_SECONDS the whole group is killed and the run is marked
 * timed_out. Whatever happens, the group is killed once the command has ended, so no stray process
 * of one test outlives it.
 *
 * rl_run_free() deletes the directory. A test whose assertion fails stops before that, which leaves
 * the files in place; rl_describe() names them in the assertion message.
 *
 * Report queries take a run and never fail: a missing report or field yields an empty set, 0, a
 * placeholder string such as "<no report>" (never NULL, so it can go straight into eq(str, ...)), or
 * RL_MISSING for numbers. Strings they return belong to the run and live until rl_run_free(); they
 * are plain `char *` because Criterion's eq(str, ...) takes that.
 *
 * Threading: none; one rl_run per test. Built into racelab_test_support (tests/CMakeLists.txt), which
 * supplies RACELAB_BIN, RACELAB_LAB_DIR, RACELAB_TEST_PROGRAMS and RACELAB_SOURCE_DIR.
 */
#ifndef RACELAB_RUN_RACELAB_H
#define RACELAB_RUN_RACELAB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define RL_RUN_TIMEOUT_SECONDS 30
/* RL_RUN_TIMEOUT_SECONDS times $RACELAB_TEST_TIMEOUT_SCALE (when >= 1): the asan test preset sets 4,
 * as racelab's own code runs several times slower under ASan+UBSan. */
double rl_run_timeout_seconds(void);
#define RL_MISSING (-9999) /* number queries: the field is not in the report */

typedef struct rl_run {
    char dir[256];          /* private directory for the files below */
    char out_path[300];     /* the command's stdout */
    char err_path[300];     /* the command's stderr */
    char report_path[300];  /* where `racelab run --json` is told to write */
    char command[1024];     /* the command line, for messages */
    bool started;           /* the command was exec'ed (false: see setup_error) */
    char setup_error[512];  /* why the command could not be started, or "" */
    bool timed_out;         /* killed after RL_RUN_TIMEOUT_SECONDS */
    int status;             /* exit status; -1 when it ended by a signal or never started */
    int term_signal;        /* the signal that ended it, 0 when it exited */
    double seconds;         /* wall-clock time from fork to end */
    char *out;              /* stdout contents, never NULL after a run */
    char *err;              /* stderr contents, never NULL after a run */
    json_t *report;         /* the parsed report, NULL when absent or invalid */
    char report_error[256]; /* why report is NULL, or "" */
    struct rl_owned *owned; /* strings handed out by the queries, freed by rl_run_free() */
} rl_run;

/* Runs argv[0] (a path, not looked up in PATH) with argv (NULL-terminated). env, if not NULL, is a
 * NULL-terminated list of "NAME=VALUE" added to the inherited environment, replacing any entry of the
 * same name. Never fails as such: failures show in run->started / run->setup_error. */
void rl_run_command(rl_run *run, const char *const argv[], const char *const env[]);

/* Runs RACELAB_BIN with the given arguments (after argv[0]), e.g. {"run", "--help", NULL}. An
 * argument equal to RL_REPORT stands for run->report_path, where the report is then looked for:
 * {"run", "--json", RL_REPORT, "--", program, NULL}. */
#define RL_REPORT "@REPORT"
void rl_run_racelab(rl_run *run, const char *const args[]);

/* Runs `RACELAB_BIN run --json <run->report_path> -- program args...` and parses the report.
 * The variadic forms take program arguments ending with NULL; a program name without '/' is taken
 * from RACELAB_TEST_PROGRAMS (rl_run_test_program) or RACELAB_LAB_DIR (rl_run_lab). */
void rl_run_program(rl_run *run, const char *program, const char *const args[]);
void rl_run_test_program(rl_run *run, const char *name, ...) __attribute__((sentinel));
void rl_run_lab(rl_run *run, const char *name, ...) __attribute__((sentinel));

/* Frees the strings, the report and the run's directory. */
void rl_run_free(rl_run *run);

/* Several lines for an assertion message: the command, how it ended, the files, the finding kinds
 * and the end of stderr. */
const char *rl_describe(rl_run *run);

/* The finding kinds, sorted, each once, joined with ',' ("" for none; "<no report>" without one),
 * e.g. "deadlock,double-lock". */
char *rl_kinds(rl_run *run);

/* Number of findings of that kind. */
size_t rl_count(rl_run *run, const char *kind);

/* The index-th finding (0-based) of that kind, or NULL. */
json_t *rl_finding(rl_run *run, const char *kind, size_t index);

/* The first note of kind "suppressed-cycle" whose reason is `reason`, or NULL. */
json_t *rl_note(rl_run *run, const char *reason);

/* Names of the locks in finding["locks"], sorted and joined with ','. */
char *rl_lock_names(rl_run *run, const json_t *finding);

/* Names of the locks whose ids are in finding["cycle"] (looked up in finding["locks"]), sorted and
 * joined with ','; an id with no lock entry shows as "<id N>". */
char *rl_cycle_lock_names(rl_run *run, const json_t *finding);

/* The strings in note["locks"], sorted and joined with ','. */
char *rl_note_lock_names(rl_run *run, const json_t *note);

/* Look-ups by dotted path from `root` (the report when root is NULL); a component made of digits
 * indexes an array: "exit.status", "stats.locks", "processes.0.pid". */
long long rl_int_at(rl_run *run, const json_t *root, const char *path);
char *rl_str_at(rl_run *run, const json_t *root, const char *path); /* "<missing>" if absent */
/* 1 for true, 0 for false, RL_MISSING when absent or not a boolean. */
int rl_bool_at(rl_run *run, const json_t *root, const char *path);

/* ---- expectations: Criterion assertions, for use inside a Criterion test ---------------------- */

/* The program ran to its own end with exit status 0 within the timeout, the report lists exactly
 * the finding kinds `kinds` (as rl_kinds() spells them) and exit.status 0, and racelab's own status
 * is 0 without findings, 66 with. */
void rl_expect_normal_exit(rl_run *run, const char *kinds);

/* racelab found a deadlock and ended the program: exactly the kinds `kinds`, racelab's status 66,
 * exit {"status": 66, "ended_by_racelab": "deadlock"}, well inside the timeout (under half of it). */
void rl_expect_ended_by_deadlock(rl_run *run, const char *kinds);

/* cr_assert(expr) with rl_describe(run) as its message. */
#define rl_expect(run, ...) cr_assert(__VA_ARGS__, "%s", rl_describe(run))

/* The run started, finished within the timeout and left a readable report. */
bool rl_has_report(const rl_run *run);

/* The line number of the first line of `path` (relative to the source tree) holding `text`; asserts
 * that there is one. For checking the source lines a report names. */
long long rl_source_line_of(const char *path, const char *text);
#define rl_expect_report(run) cr_assert(rl_has_report(run), "%s", rl_describe(run))

#endif
