/* render.h: the report renderers besides plain text (report.h has rl_report_render_text): the
 * lock-order graph as Graphviz DOT, one self-contained HTML page, SARIF 2.1.0, and the text report
 * with colour. The report document's shape is docs/report.schema.json; the output formats are
 * described in docs/report-formats.md.
 *
 * Ground rules (as TSan's PrintReport: "No additional logic"):
 *  - Renderers only format. They decide nothing about what is a finding; they show what the report
 *    says, in the report's order, so the same report always gives the same bytes (golden tests
 *    compare them exactly). The HTML page is the exception only in what it adds from outside the
 *    report: the source lines around each stack frame (read when the file is readable) and the graph
 *    layout (Graphviz's `dot`, run as a subprocess).
 *  - Any JSON value is accepted: `{}` renders an empty report, fields of the wrong type are treated as
 *    absent. Whether a document is a racelab report at all is the caller's decision (the CLI checks).
 *  - Threading: none; a renderer must not run concurrently with a change to the same report. The HTML
 *    renderer starts and waits for a child process (see below); nothing else has side effects beyond
 *    writing to `out`.
 *  - Cost: linear in the report's size, except the DOT graph's node and edge look-ups (linear each,
 *    so quadratic in the number of locks; fine for the thousands a report holds).
 */
#ifndef RACELAB_RENDER_H
#define RACELAB_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* render_dot.c: the lock-order graph. Nodes are locks, labelled by name; edges come from the
 * findings' "edges" (a thread took `to` while holding `from`; labelled with the thread and the source
 * line where `to` was taken) and from deadlocks' "waits" (holding one lock, waiting for another); all
 * of these belong to reported cycles and are drawn red. Cycles listed in notes[] as
 * "suppressed-cycle" (lock names only, no edges) are drawn between the named locks in order, dashed
 * grey, labelled with the reason. Locks of several processes are grouped in one cluster per process.
 * Returns 0, or -1 if writing to `out` failed. */
int rl_report_render_dot(const json_t *report, FILE *out);

/* Edges beyond which rl_report_render_html does not ask Graphviz for a layout and lists the graph's
 * edges as a table instead, saying so (300 labelled edges already take dot several seconds; twice as
 * many, more than the timeout below). */
#define RL_HTML_MAX_GRAPH_EDGES 300

/* Seconds the HTML renderer waits for Graphviz before it kills it and falls back to the table. */
#define RL_HTML_DOT_TIMEOUT_SECONDS 20

/* render_html.c: one self-contained HTML page (inline CSS and SVG; no scripts, fonts or anything
 * fetched): header with program, exit and schedule (seed, rerun command); the lock-order graph laid
 * out by Graphviz and embedded as inline SVG; one section per finding (summary, threads, cycle edges
 * with both stacks, the deadlock scenario and the lost-update interleaving as tables with one column
 * per thread, data-race accesses) where every stack frame shows its source line and a few lines around
 * it when the file is readable (an absolute path as it is, a relative one from the current
 * directory); the thread timeline from report["timeline"] when there is one; the notes.
 * Everything from the report or from source files is HTML-escaped.
 *
 * Graphviz: runs `dot -Tsvg` (or $RACELAB_DOT, when set, instead of `dot`) with posix_spawnp, feeding
 * it rl_report_render_dot's output, and kills it after RL_HTML_DOT_TIMEOUT_SECONDS. When dot is
 * missing, fails, times out, or the graph has more than RL_HTML_MAX_GRAPH_EDGES edges, the page lists
 * the edges in a table instead and says why.
 *
 * Returns 0 when the page was written; `err` (errlen bytes, may be NULL if errlen is 0) is then ""
 * or a one-line warning saying what was degraded (for example "graphviz's dot was not found: ...").
 * Returns -1 if writing to `out` failed, with the reason in `err`. */
int rl_report_render_html(const json_t *report, FILE *out, char *err, size_t errlen);

/* render_sarif.c: the report as a SARIF 2.1.0 log: one run whose tool.driver (name "racelab") has one
 * rule per finding kind present (in order of first appearance), and one result per finding, in the
 * report's order: ruleId = kind, level "error" (deadlocks, races, lost updates, use-after-free) or
 * "warning" (lock misuse and the rest), message.text = the summary, the location of the first stack
 * frame with a file and line, the other stacks as relatedLocations and, for cycles, deadlocks and
 * races, one threadFlow per thread in a codeFlow. Relative file paths stay relative (uriBaseId
 * "SRCROOT": the directory racelab ran in); absolute ones become file:// URIs.
 * Returns a new document (json_decref it), or NULL when out of memory. */
json_t *rl_report_to_sarif(const json_t *report);

/* render_text_colour.c: rl_report_render_text's output, with ANSI colours when `colour` is true
 * (headlines red or yellow by kind, notes and the summary line highlighted); exactly
 * rl_report_render_text when it is false. The caller decides `colour` (the CLI: stdout is a terminal
 * and NO_COLOR is not set). Returns 0, or -1 if writing to `out` failed. */
int rl_report_render_text_styled(const json_t *report, FILE *out, bool colour);

#endif
