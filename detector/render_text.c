/* render_text.c: the human-readable report, in the sanitizers' style: a headline per finding, the
 * locks by name, every edge of a cycle with both acquisition stacks, and for deadlocks a scenario
 * table with one column per thread (Linux lockdep's "Possible unsafe locking scenario", for N threads).
 * Formats the report document only: no analysis here. Its strings are shown with control characters
 * escaped (see below), as the text goes to a terminal. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define COL 26

/* ---- terminal-safe strings --------------------------------------------------------------------
 * A report may come from anywhere (`racelab report FILE`), and its strings go to a terminal: an ESC
 * in one would start an escape sequence, a newline would break a one-line field. So every byte below
 * 0x20, DEL (0x7f) and the C1 controls U+0080..U+009F (some terminals take U+009B as CSI) are shown
 * escaped: \n, \r and \t as those two characters, the rest as \xHH (C1 as \u00HH). Other UTF-8
 * text, backslashes included, passes unchanged. */

static bool is_c1_control(const unsigned char *c, size_t left)
{
    return left >= 2 && c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f;
}

static bool needs_escaping(const char *text, size_t len)
{
    const unsigned char *c = (const unsigned char *)text;
    for (size_t i = 0; i < len; i++)
        if (c[i] < 0x20 || c[i] == 0x7f || is_c1_control(c + i, len - i))
            return true;
    return false;
}

/* The escaped form of a string that needs it (malloc'd, NUL-terminated; *out_len its length), or NULL
 * when out of memory. Each byte becomes at most 4 ("\x1b"); a C1 control's two bytes become 6. */
static char *escaped(const char *text, size_t len, size_t *out_len)
{
    char *out = malloc(len * 4 + 1);
    if (!out)
        return NULL;
    const unsigned char *c = (const unsigned char *)text;
    size_t at = 0;
    for (size_t i = 0; i < len; i++) {
        if (c[i] == '\n' || c[i] == '\r' || c[i] == '\t') {
            out[at++] = '\\';
            out[at++] = c[i] == '\n' ? 'n' : c[i] == '\r' ? 'r' : 't';
        } else if (c[i] < 0x20 || c[i] == 0x7f) {
            at += (size_t)snprintf(out + at, 5, "\\x%02x", c[i]);
        } else if (is_c1_control(c + i, len - i)) {
            at += (size_t)snprintf(out + at, 7, "\\u%04x", c[i + 1]);
            i++;
        } else {
            out[at++] = (char)c[i];
        }
    }
    out[at] = 0;
    *out_len = at;
    return out;
}

static bool any_string_needs_escaping(json_t *v)
{
    size_t i;
    const char *key;
    json_t *item;
    if (json_is_string(v))
        return needs_escaping(json_string_value(v), json_string_length(v));
    json_array_foreach(v, i, item)
        if (any_string_needs_escaping(item))
            return true;
    json_object_foreach(v, key, item)
        if (any_string_needs_escaping(item))
            return true;
    return false;
}

/* Escapes, in place, every string value in v (v is the renderer's own copy). A string that cannot be
 * escaped for want of memory becomes "?": never shown raw. */
static void escape_strings(json_t *v)
{
    size_t i, len;
    const char *key;
    json_t *item;
    if (json_is_string(v) && needs_escaping(json_string_value(v), json_string_length(v))) {
        char *safe = escaped(json_string_value(v), json_string_length(v), &len);
        if (!safe || json_string_setn(v, safe, len) != 0)
            json_string_set(v, "?");
        free(safe);
    }
    json_array_foreach(v, i, item)
        escape_strings(item);
    json_object_foreach(v, key, item)
        escape_strings(item);
}

/* The report to render: report itself when no string in it needs escaping (a report racelab just
 * made, as a rule), else an escaped copy. NULL when out of memory. Release it with json_decref. */
static json_t *terminal_safe(const json_t *report)
{
    if (!any_string_needs_escaping((json_t *)report))
        return json_incref((json_t *)report);
    json_t *copy = json_deep_copy(report);
    if (copy)
        escape_strings(copy);
    return copy;
}

static const char *s_(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* A string field of the finding's lock with that id, or missing when there is none. */
static const char *lock_field(json_t *finding, json_int_t id, const char *field, const char *missing)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(finding, "locks"), i, l)
        if (json_integer_value(json_object_get(l, "id")) == id)
            return s_(l, field);
    return missing;
}

static const char *lock_name(json_t *finding, json_int_t id) { return lock_field(finding, id, "name", "?"); }

/* The kind of lock id ("mutex", "rwlock", "spinlock", ...), or "". */
static const char *lock_kind(json_t *finding, json_int_t id) { return lock_field(finding, id, "kind", ""); }

/* The call a lock operation of the report names: "lock" is a mutex's; an rwlock's write lock and a
 * spinlock say what they are. */
static const char *lock_call(json_t *finding, const char *op, json_int_t id)
{
    if (strcmp(op, "lock") == 0 && strcmp(lock_kind(finding, id), "rwlock") == 0)
        return "wrlock";
    if (strcmp(op, "lock") == 0 && strcmp(lock_kind(finding, id), "spinlock") == 0)
        return "spin_lock";
    return op;
}

static void print_stack(FILE *out, json_t *frames, const char *indent)
{
    size_t i;
    json_t *f;
    if (!json_array_size(frames)) {
        fprintf(out, "%s(no stack)\n", indent);
        return;
    }
    json_array_foreach(frames, i, f) {
        const char *fn = s_(f, "function"), *file = s_(f, "file");
        json_int_t line = json_integer_value(json_object_get(f, "line"));
        fprintf(out, "%s#%zu %s", indent, i, fn[0] ? fn : s_(f, "pc"));
        if (file[0])
            fprintf(out, " %s:%lld", file, (long long)line);
        else if (s_(f, "module")[0])
            fprintf(out, " (%s)", s_(f, "module"));
        fputc('\n', out);
    }
}

static void print_scenario(FILE *out, json_t *finding, json_t *scenario, bool happened)
{
    /* columns: threads in order of first appearance */
    json_int_t cols[64];
    size_t ncols = 0, i;
    json_t *st;
    json_array_foreach(scenario, i, st) {
        json_int_t t = json_integer_value(json_object_get(st, "thread"));
        size_t k = 0;
        while (k < ncols && cols[k] != t)
            k++;
        if (k == ncols && ncols < 64)
            cols[ncols++] = t;
    }
    fprintf(out, happened ? "\n  How the threads deadlocked (read down; each column is one thread):\n\n"
                          : "\n  Possible unsafe scenario (read down; each column is one thread):\n\n");
    fprintf(out, "    ");
    for (size_t k = 0; k < ncols; k++) {
        char h[16];
        snprintf(h, sizeof h, "T%lld", (long long)cols[k]);
        fprintf(out, "%-*s", COL, h);
    }
    fprintf(out, "\n    ");
    for (size_t k = 0; k < ncols; k++)
        fprintf(out, "%-*s", COL, "----");
    fputc('\n', out);
    json_array_foreach(scenario, i, st) {
        json_int_t t = json_integer_value(json_object_get(st, "thread"));
        size_t k = 0;
        while (k < ncols && cols[k] != t)
            k++;
        char cell[256];
        json_t *lock = json_object_get(st, "lock");
        if (lock && strcmp(s_(st, "op"), "cond-retake") == 0) /* the wait taking its mutex back */
            snprintf(cell, sizeof cell, "cond_wait: lock(%s)%s", lock_name(finding, json_integer_value(lock)),
                     json_is_true(json_object_get(st, "blocks")) ? " ..." : "");
        else if (lock)
            snprintf(cell, sizeof cell, "%s(%s)%s", lock_call(finding, s_(st, "op"), json_integer_value(lock)),
                     lock_name(finding, json_integer_value(lock)), json_is_true(json_object_get(st, "blocks")) ? " ..." : "");
        else if (json_object_get(st, "joins"))
            snprintf(cell, sizeof cell, "join(T%lld) ...", (long long)json_integer_value(json_object_get(st, "joins")));
        else
            snprintf(cell, sizeof cell, "%s ...", s_(st, "op"));
        fprintf(out, "    %*s%s\n", (int)(k * COL), "", cell);
    }
    fprintf(out, "\n    *** DEADLOCK ***  (\"...\": waits for ever)\n");
}

/* The first lost update, one column per thread (as OSTEP's x86.py shows interleavings). */
static void print_trace(FILE *out, json_t *f)
{
    json_t *trace = json_object_get(f, "trace");
    if (!json_array_size(trace))
        return;
    json_int_t cols[64];
    size_t ncols = 0, i;
    json_t *e;
    json_array_foreach(trace, i, e) {
        json_int_t t = json_integer_value(json_object_get(e, "thread"));
        size_t k = 0;
        while (k < ncols && cols[k] != t)
            k++;
        if (k == ncols && ncols < 64)
            cols[ncols++] = t;
    }
    fprintf(out, "  How the first update was lost (read down; one column per thread):\n\n    ");
    for (size_t k = 0; k < ncols; k++) {
        char h[16];
        snprintf(h, sizeof h, cols[k] < 0 ? "other" : "T%lld", (long long)cols[k]);
        fprintf(out, "%-*s", COL, h);
    }
    fprintf(out, "\n    ");
    for (size_t k = 0; k < ncols; k++)
        fprintf(out, "%-*s", COL, "----");
    fputc('\n', out);
    json_int_t skipped = json_integer_value(json_object_get(f, "trace_skipped"));
    json_array_foreach(trace, i, e) {
        json_int_t t = json_integer_value(json_object_get(e, "thread"));
        size_t k = 0;
        while (k < ncols && cols[k] != t)
            k++;
        char cell[128];
        json_t *ow = json_object_get(e, "overwrote");
        if (json_is_true(json_object_get(e, "stale")) && ow)
            snprintf(cell, sizeof cell, "%s %lld  <- overwrote T%lld's update", s_(e, "op"),
                     (long long)json_integer_value(json_object_get(e, "value")), (long long)json_integer_value(ow));
        else
            snprintf(cell, sizeof cell, "%s %lld%s", s_(e, "op"), (long long)json_integer_value(json_object_get(e, "value")),
                     json_is_true(json_object_get(e, "stale")) ? "  <- stale" : "");
        /* where the two accesses that matter were made: the first read and the stale store */
        json_t *at = json_object_get(e, "at");
        const char *file = s_(at, "file");
        char where[160] = "";
        if ((i == 0 || json_is_true(json_object_get(e, "stale"))) && file[0]) {
            const char *base = strrchr(file, '/');
            snprintf(where, sizeof where, "  (%s:%lld)", base ? base + 1 : file,
                     (long long)json_integer_value(json_object_get(at, "line")));
        }
        fprintf(out, "    %*s%s%s\n", (int)(k * COL), "", cell, where);
        if (skipped && i == 7)
            fprintf(out, "    ... %lld more steps ...\n", (long long)skipped);
    }
    fputc('\n', out);
}

static void print_finding(FILE *out, json_t *f, size_t index)
{
    const char *kind = s_(f, "kind");
    bool tsan = strcmp(s_(f, "source"), "tsan") == 0;
    fprintf(out, "==%lld== racelab%s: %s #%zu: %s\n", (long long)json_integer_value(json_object_get(f, "pid")),
            tsan ? " (from ThreadSanitizer)" : "", kind, index + 1, s_(f, "summary"));
    if (strcmp(kind, "potential-deadlock") == 0) {
        size_t i;
        json_t *e, *id;
        fprintf(out, "  Cycle: ");
        json_array_foreach(json_object_get(f, "cycle"), i, id)
            fprintf(out, "%s -> ", lock_name(f, json_integer_value(id)));
        fprintf(out, "%s\n", lock_name(f, json_integer_value(json_array_get(json_object_get(f, "cycle"), 0))));
        json_array_foreach(json_object_get(f, "edges"), i, e) {
            const char *from = lock_name(f, json_integer_value(json_object_get(e, "from")));
            const char *to = lock_name(f, json_integer_value(json_object_get(e, "to")));
            fprintf(out, "  Edge %zu: T%lld takes %s while holding %s\n", i + 1,
                    (long long)json_integer_value(json_object_get(e, "thread")), to, from);
            fprintf(out, "    %s taken at:\n", from);
            print_stack(out, json_object_get(e, "from_stack"), "      ");
            fprintf(out, "    %s taken at:\n", to);
            print_stack(out, json_object_get(e, "to_stack"), "      ");
        }
        if (json_is_true(json_object_get(f, "detected_before_blocking")))
            fprintf(out, "  (racelab saw this cycle close before the thread blocked)\n");
        if (json_array_size(json_object_get(f, "scenario")))
            print_scenario(out, f, json_object_get(f, "scenario"), false);
    } else if (strcmp(kind, "deadlock") == 0) {
        size_t i, k;
        json_t *w, *h;
        json_array_foreach(json_object_get(f, "waits"), i, w) {
            json_t *lock = json_object_get(w, "waits_for");
            json_t *obj = json_object_get(w, "object");
            json_t *joins = json_object_get(w, "joins");
            json_int_t on = json_integer_value(lock ? lock : obj);
            fprintf(out, "  T%lld waits in %s", (long long)json_integer_value(json_object_get(w, "thread")),
                    lock || obj ? lock_call(f, s_(w, "op"), on) : s_(w, "op"));
            if (lock && strcmp(s_(w, "op"), "cond-retake") == 0)
                fprintf(out, " (pthread_cond_wait taking %s back)", lock_name(f, on));
            else if (lock || obj)
                fprintf(out, " for %s", lock_name(f, on));
            if (joins)
                fprintf(out, " for T%lld to finish", (long long)json_integer_value(joins));
            fprintf(out, " at:\n");
            print_stack(out, json_object_get(w, "stack"), "      ");
            json_array_foreach(json_object_get(w, "holds"), k, h) {
                json_int_t held = json_integer_value(json_object_get(h, "lock"));
                bool rw = strcmp(lock_kind(f, held), "rwlock") == 0; /* modes mean something for rwlocks only */
                fprintf(out, "    holding %s%s, taken at:\n", lock_name(f, held),
                        !rw ? "" : strcmp(s_(h, "mode"), "read") == 0 ? " (for reading)" : " (for writing)");
                print_stack(out, json_object_get(h, "stack"), "      ");
            }
        }
        if (json_array_size(json_object_get(f, "scenario")))
            print_scenario(out, f, json_object_get(f, "scenario"), true);
        fprintf(out, "  racelab ended the program instead of letting it hang.\n");
    } else if (strcmp(kind, "data-race") == 0 && json_object_get(f, "accesses")) {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(f, "accesses"), i, a) {
            char value[48] = "";
            if (json_object_get(a, "value"))
                snprintf(value, sizeof value, " (value %lld)", (long long)json_integer_value(json_object_get(a, "value")));
            fprintf(out, "  %s %s by T%lld%s%s:\n", i == 0 ? "This" : "Earlier", s_(a, "op"),
                    (long long)json_integer_value(json_object_get(a, "thread")), value,
                    i == 0 ? "" : ", not ordered before it by any lock, join or signal");
            print_stack(out, json_object_get(a, "stack"), "      ");
        }
    } else if (strcmp(kind, "lost-update") == 0) {
        print_trace(out, f);
        if (json_array_size(json_object_get(f, "stack"))) {
            fprintf(out, "  The store that lost the first update:\n");
            print_stack(out, json_object_get(f, "stack"), "      ");
        }
    } else {
        print_stack(out, json_object_get(f, "stack"), "    ");
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(f, "locks"), i, l) {
            if (json_array_size(json_object_get(l, "init"))) {
                fprintf(out, "  %s was %s at:\n", s_(l, "name"),
                        json_is_true(json_object_get(l, "first_use")) ? "first used" : "created");
                print_stack(out, json_object_get(l, "init"), "    ");
            }
        }
    }
    fputc('\n', out);
}

static void render_report(json_t *report, FILE *out)
{
    json_t *findings = json_object_get(report, "findings");
    size_t i;
    json_t *f;
    if (!json_is_true(json_object_get(report, "instrumented")) && !json_is_true(json_object_get(report, "tsan")))
        fprintf(out, "racelab: warning: the program was not instrumented (statically linked, or set-user-ID?): nothing was checked\n");
    json_array_foreach(findings, i, f)
        print_finding(out, f, i);
    /* notes: every one, except that cycles ruled out as deadlocks stop after the first 10 (a thread holding
     * 200 locks in both orders makes thousands); the JSON report has them all */
    json_t *n;
    size_t ruled_out = 0;
    json_array_foreach(json_object_get(report, "notes"), i, n) {
        bool cycle = strcmp(s_(n, "kind"), "suppressed-cycle") == 0;
        if (!cycle || ++ruled_out <= 10)
            fprintf(out, "racelab: note: %s\n", s_(n, "summary"));
    }
    if (ruled_out > 10)
        fprintf(out, "racelab: note: ... and %zu more lock-order cycles that cannot deadlock (all are in the JSON report)\n",
                ruled_out - 10);
    /* SUMMARY line: counts per kind */
    const char *kinds[] = { "deadlock", "potential-deadlock", "data-race", "lost-update", "double-lock",
                            "unlock-unlocked", "unlock-foreign", "destroy-locked", "held-at-exit", "cond-misuse",
                            "uninitialized-lock" };
    char counts[512] = "";
    size_t at = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t c = 0;
        json_array_foreach(findings, i, f)
            c += strcmp(s_(f, "kind"), kinds[k]) == 0;
        if (c && at < sizeof counts)
            at += (size_t)snprintf(counts + at, sizeof counts - at, "%s%zu %s", at ? ", " : "", c, kinds[k]);
    }
    json_t *ex = json_object_get(report, "exit");
    if (json_object_get(ex, "signal_name") && !json_object_get(ex, "ended_by_racelab"))
        fprintf(out, "racelab: %s was killed by %s; the report covers what it did until then\n", s_(report, "program"),
                s_(ex, "signal_name"));
    json_t *sched = json_object_get(report, "schedule");
    if (sched && strcmp(s_(sched, "mode"), "native") != 0)
        fprintf(out, "racelab: schedule %s, seed %lld%s%s; rerun: %s\n", s_(sched, "mode"),
                (long long)json_integer_value(json_object_get(sched, "seed")),
                json_object_get(sched, "event_hash") ? ", event hash " : "", s_(sched, "event_hash"), s_(sched, "rerun"));
    json_t *st = json_object_get(report, "stats");
    long long th = json_integer_value(json_object_get(st, "threads")), lk = json_integer_value(json_object_get(st, "locks"));
    long long ed = json_integer_value(json_object_get(st, "edges")), aq = json_integer_value(json_object_get(st, "acquisitions"));
    fprintf(out, "SUMMARY: racelab: %zu finding%s%s%s%s in %s (%lld thread%s, %lld lock%s, %lld lock-order edge%s, %lld acquisition%s)\n",
            json_array_size(findings), json_array_size(findings) == 1 ? "" : "s", at ? " (" : "", counts, at ? ")" : "",
            s_(report, "program"), th, th == 1 ? "" : "s", lk, lk == 1 ? "" : "s", ed, ed == 1 ? "" : "s", aq,
            aq == 1 ? "" : "s");
}

void rl_report_render_text(const json_t *report, FILE *out)
{
    json_t *safe = terminal_safe(report);
    if (!safe) {
        fprintf(out, "racelab: out of memory while rendering the report\n");
        return;
    }
    render_report(safe, out);
    json_decref(safe);
}
