/* report.h: builds the racelab report, a JSON document (jansson json_t, plain data with no formatting
 * decisions), from the runtime's event logs: it symbolizes stacks and names locks, runs the complete
 * lock-order cycle analysis (every elementary cycle, checked by cycle_check.c) per process, and turns
 * misuse records and real deadlocks into findings. The document's shape is docs/report.schema.json.
 * Renderers (render_text.c, and the CLI's JSON writer) only format it.
 * Threading: none. Memory: the returned json_t belongs to the caller (json_decref). */
#ifndef RACELAB_REPORT_H
#define RACELAB_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "eventlog.h"

typedef struct rl_child_status { int pid; int status; int signal; } rl_child_status;

typedef struct rl_run_info {
    const char *program;          /* as resolved (absolute if found on PATH) */
    char *const *args;            /* argv[1..] of the program */
    int n_args;
    int main_pid;
    int exit_status;              /* program's exit status, -1 if killed by a signal */
    int exit_signal;              /* the signal, 0 if none */
    bool instrumented;            /* false: statically linked, the runtime could not be preloaded */
    const char *source_root;      /* file paths under it are shown relative; NULL for none */
    const rl_child_status *children; size_t n_children; /* other processes reaped */
    const int *still_running; size_t n_still_running; /* processes alive when the report was built */
    size_t max_cycles;            /* bound on the cycle enumeration per process; 0: 10000 */
    const char *schedule;         /* the schedule asked for (NULL: native) and its seed: the report's */
    unsigned long long seed;      /* schedule when the program died before the runtime wrote its own */
} rl_run_info;

json_t *rl_report_build(const rl_eventlog *log, const rl_run_info *info);

/* report_load.c: a report saved by `racelab run --json`, read back. Each returns the document (the
 * caller's, json_decref), or NULL with a one-line reason in err (no trailing newline): the file cannot
 * be read, is not JSON (with jansson's line and column), or is not a racelab report (not an object
 * with "racelab_version" and a "findings" array of objects, "notes" an array when present; the
 * renderers accept any shape inside that frame). path "-" reads standard input; shown names the text
 * in messages. Any bytes are accepted; nothing is limited but memory. */
json_t *rl_report_load_file(const char *path, char *err, size_t err_len);
json_t *rl_report_load_text(const char *text, size_t len, const char *shown, char *err, size_t err_len);
/* NULL when doc has the frame above, else why not (a constant, or why filled in). */
const char *rl_report_frame_problem(const json_t *doc, char *why, size_t n);

/* Number of findings in a report. */
size_t rl_report_finding_count(const json_t *report);

/* render_text.c: the human-readable report (sanitizer style) to `out`. Control characters in the
 * report's strings (bytes below 0x20, DEL, C1 controls) are written escaped (\n, \x1b, \u009b), so
 * the text is safe for a terminal whatever the report holds; `report` itself is not changed. */
void rl_report_render_text(const json_t *report, FILE *out);

#endif
