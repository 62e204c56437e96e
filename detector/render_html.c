/* render_html.c: the report as one self-contained HTML page (`racelab report --format html`,
 * `racelab run --html FILE`). It opens from disk with nothing fetched: CSS inline, pictures as inline
 * SVG, no scripts, no fonts. Formats the report only; what it adds from outside the report is the
 * Graphviz layout of the lock-order graph (render_dot.c's output through `dot -Tsvg`) and the source
 * lines around each stack frame. Sections, in order:
 *
 *   header     program and arguments, exit, counts per kind, statistics, schedule (seed, rerun)
 *   graph      the lock-order graph (or, without Graphviz, its edges as a table, saying why)
 *   findings   one <article> each: summary, threads, and by kind the cycle's edges with both stacks,
 *              the deadlock's waits, the scenario table (one column per thread), the data race's
 *              accesses, the lost update's interleaving (one column per thread), the misuse's stack
 *   timeline   report["timeline"] as one SVG lane per thread (held and waiting intervals), when the
 *              report has one
 *   notes      suppressed cycles with their reason, runtime notes
 *
 * Every string from the report or from a source file goes through put_text() (HTML-escaped, control
 * characters replaced). Source files: only names ending in a C or C++ source suffix are read (a report
 * from elsewhere must not pull arbitrary local files into a page that may be shared), up to 4 MiB,
 * not binary; each at most once (cached for the page). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "render.h"

extern char **environ;

#define CONTEXT_LINES 3              /* source lines shown before and after a frame's line */
#define MAX_SOURCE_BYTES (4 << 20)   /* larger files are not shown */
#define MAX_SOURCE_FILES 256         /* distinct files read for one page */
#define MAX_COLUMNS 64               /* thread columns in a scenario or interleaving table */

/* ---- small helpers ---------------------------------------------------------------------------- */

static const char *str_(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static json_int_t int_(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* HTML-escapes n bytes of s: & < > " ' as entities; NUL and other control characters (except tab and
 * line breaks) as U+FFFD, which HTML does not allow raw. */
static void put_textn(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\t': case '\n': fputc(c, out); break;
        case '\r': break;
        default:
            if (c < 0x20 || c == 0x7f)
                fputs("\xEF\xBF\xBD", out);
            else
                fputc(c, out);
        }
    }
}

static void put_text(FILE *out, const char *s)
{
    if (s)
        put_textn(out, s, strlen(s));
}

/* printf-style, with every %s argument HTML-escaped: formats into a buffer first, then escapes it.
 * Only for short phrases (truncated at 1 KiB). */
static void put_fmt(FILE *out, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void put_fmt(FILE *out, const char *format, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(buf, sizeof buf, format, ap);
    va_end(ap);
    put_text(out, buf);
}

static const char *const error_kinds[] = { "deadlock", "potential-deadlock", "data-race", "lost-update", "use-after-free" };

static bool is_error_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof error_kinds / sizeof *error_kinds; i++)
        if (strcmp(kind, error_kinds[i]) == 0)
            return true;
    return false;
}

/* The finding's name for lock id (NULL value or unknown id: "?"). */
static const char *lock_name(json_t *finding, json_t *id)
{
    size_t i;
    json_t *l;
    if (!json_is_integer(id))
        return "?";
    json_array_foreach(json_object_get(finding, "locks"), i, l)
        if (int_(l, "id") == json_integer_value(id) && json_string_value(json_object_get(l, "name")))
            return str_(l, "name");
    return "?";
}

static void thread_name(json_t *finding, json_int_t tid, char *buf, size_t n)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(finding, "threads"), i, t)
        if (int_(t, "id") == tid && json_string_value(json_object_get(t, "name"))) {
            snprintf(buf, n, "%s", str_(t, "name"));
            return;
        }
    if (tid < 0)
        snprintf(buf, n, "other");
    else
        snprintf(buf, n, "T%lld", (long long)tid);
}

/* ---- source files ----------------------------------------------------------------------------- */

typedef struct source_file {
    char *path;          /* as the frame names it */
    char *data;          /* contents, NULL when not readable (remembered, not retried) */
    size_t len;
    size_t *starts;      /* offset of each line */
    size_t n_lines;
} source_file;

typedef struct html_ctx {
    FILE *out;
    source_file files[MAX_SOURCE_FILES];
    size_t n_files;
} html_ctx;

static bool source_suffix(const char *path)
{
    static const char *const suffixes[] = { ".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx",
                                            ".h++", ".C", ".H", ".inc", ".inl", ".ipp", ".tcc", ".S", ".s" };
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return false;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
        if (strcmp(dot, suffixes[i]) == 0)
            return true;
    return false;
}

/* Reads a regular file of at most MAX_SOURCE_BYTES without NUL bytes; NULL otherwise. */
static char *read_source(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *data = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_SOURCE_BYTES)
        goto done;
    data = malloc((size_t)st.st_size + 1);
    if (!data)
        goto done;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    data[got] = 0;
    if (memchr(data, 0, got)) { /* binary */
        free(data);
        data = NULL;
        goto done;
    }
    *len = got;
done:
    close(fd);
    return data;
}

/* The file a frame names: an absolute path as it is, a relative one from the current directory; an
 * absolute path that is not there (a report from another checkout) is tried relative to the current
 * directory without its leading directories, keeping at least two components ("labs/x/main.c"). */
static source_file *source(html_ctx *c, const char *path)
{
    for (size_t i = 0; i < c->n_files; i++)
        if (strcmp(c->files[i].path, path) == 0)
            return c->files[i].data ? &c->files[i] : NULL;
    if (c->n_files == MAX_SOURCE_FILES || !source_suffix(path))
        return NULL;
    source_file *f = &c->files[c->n_files];
    *f = (source_file){ .path = strdup(path) };
    if (!f->path)
        return NULL;
    c->n_files++;
    f->data = read_source(path, &f->len);
    if (!f->data && path[0] == '/') {
        const char *rest = path + 1;
        for (int tries = 0; tries < 16 && !f->data; tries++) {
            const char *slash = strchr(rest, '/');
            if (!slash || !strchr(slash + 1, '/'))
                break;
            rest = slash + 1;
            f->data = read_source(rest, &f->len);
        }
    }
    if (!f->data)
        return NULL;
    size_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        n += f->data[i] == '\n';
    f->starts = malloc(n * sizeof *f->starts);
    if (!f->starts) {
        free(f->data);
        f->data = NULL;
        return NULL;
    }
    f->starts[f->n_lines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->data[i] == '\n' && i + 1 < f->len)
            f->starts[f->n_lines++] = i + 1;
    return f;
}

static void free_sources(html_ctx *c)
{
    for (size_t i = 0; i < c->n_files; i++) {
        free(c->files[i].path);
        free(c->files[i].data);
        free(c->files[i].starts);
    }
    c->n_files = 0;
}

/* Lines line-CONTEXT_LINES .. line+CONTEXT_LINES of the file, the frame's own line marked. Returns
 * whether the file was readable (and so something was written). */
static bool put_context(html_ctx *c, const char *path, json_int_t line, bool open)
{
    source_file *f = source(c, path);
    if (!f || line < 1 || (size_t)line > f->n_lines)
        return false;
    size_t first = (size_t)line > CONTEXT_LINES ? (size_t)line - CONTEXT_LINES : 1;
    size_t last = (size_t)line + CONTEXT_LINES <= f->n_lines ? (size_t)line + CONTEXT_LINES : f->n_lines;
    fprintf(c->out, "<details class=\"src\"%s><summary>source</summary><pre class=\"src\">", open ? " open" : "");
    for (size_t l = first; l <= last; l++) {
        size_t from = f->starts[l - 1];
        size_t to = l < f->n_lines ? f->starts[l] : f->len;
        while (to > from && (f->data[to - 1] == '\n' || f->data[to - 1] == '\r'))
            to--;
        bool here = l == (size_t)line;
        fprintf(c->out, "%s<span class=\"ln\">%5zu</span> ", here ? "<mark>" : "", l);
        put_textn(c->out, f->data + from, to - from);
        fprintf(c->out, "%s\n", here ? "</mark>" : "");
    }
    fputs("</pre></details>", c->out);
    return true;
}

/* ---- stacks and tables ------------------------------------------------------------------------ */

static void put_stack(html_ctx *c, json_t *frames)
{
    FILE *out = c->out;
    size_t i;
    json_t *f;
    if (!json_array_size(frames)) {
        fputs("<p class=\"nostack\">(no stack)</p>\n", out);
        return;
    }
    bool opened = false;
    fputs("<ol class=\"stack\" start=\"0\">\n", out);
    json_array_foreach(frames, i, f) {
        const char *fn = str_(f, "function"), *file = str_(f, "file");
        json_int_t line = int_(f, "line");
        fputs("<li><code class=\"fn\">", out);
        put_text(out, fn[0] ? fn : str_(f, "pc")[0] ? str_(f, "pc") : "?");
        fputs("</code>", out);
        if (file[0]) {
            fputs(" <span class=\"loc\">", out);
            put_text(out, file);
            if (line > 0)
                fprintf(out, ":%lld", (long long)line);
            fputs("</span>", out);
        } else if (str_(f, "module")[0]) {
            fputs(" <span class=\"module\">(", out);
            put_text(out, str_(f, "module"));
            if (str_(f, "module_offset")[0]) {
                fputc('+', out);
                put_text(out, str_(f, "module_offset"));
            }
            fputs(")</span>", out);
        }
        if (json_is_true(json_object_get(f, "inlined")))
            fputs(" <span class=\"tag\">inlined</span>", out);
        if (file[0] && line > 0 && put_context(c, file, line, !opened))
            opened = true; /* the first frame with source shows it; the others fold it away */
        fputs("</li>\n", out);
    }
    fputs("</ol>\n", out);
}

/* Column of thread t among cols[0..*n), added when new (up to MAX_COLUMNS; beyond: the last). */
static size_t column_of(json_int_t *cols, size_t *n, json_int_t t)
{
    for (size_t k = 0; k < *n; k++)
        if (cols[k] == t)
            return k;
    if (*n < MAX_COLUMNS) {
        cols[*n] = t;
        return (*n)++;
    }
    return *n - 1;
}

static void put_header_row(FILE *out, json_t *finding, const json_int_t *cols, size_t n)
{
    char name[128];
    fputs("<thead><tr>", out);
    for (size_t k = 0; k < n; k++) {
        thread_name(finding, cols[k], name, sizeof name);
        fputs("<th>", out);
        put_text(out, name);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n", out);
}

static void put_cell_row(FILE *out, size_t col, size_t n, const char *cls, const char *text)
{
    fputs("<tr>", out);
    for (size_t k = 0; k < n; k++) {
        if (k != col) {
            fputs("<td></td>", out);
            continue;
        }
        fprintf(out, "<td class=\"%s\">", cls);
        put_text(out, text);
        fputs("</td>", out);
    }
    fputs("</tr>\n", out);
}

/* The deadlock scenario: one column per thread, read down; "waits" cells block for ever. */
static void put_scenario(FILE *out, json_t *f)
{
    json_t *scenario = json_object_get(f, "scenario");
    json_int_t cols[MAX_COLUMNS];
    size_t n = 0, i;
    json_t *st;
    if (!json_array_size(scenario))
        return;
    json_array_foreach(scenario, i, st)
        column_of(cols, &n, int_(st, "thread"));
    fputs("<h4>Possible unsafe scenario</h4>\n<p class=\"hint\">Read down; each column is one thread. "
          "A step marked <span class=\"blocks\">waits for ever</span> never returns.</p>\n"
          "<table class=\"scenario\">\n", out);
    put_header_row(out, f, cols, n);
    fputs("<tbody>\n", out);
    json_array_foreach(scenario, i, st) {
        char cell[512];
        bool blocks = json_is_true(json_object_get(st, "blocks"));
        if (json_object_get(st, "lock"))
            snprintf(cell, sizeof cell, "%s(%s)%s", str_(st, "op"), lock_name(f, json_object_get(st, "lock")),
                     blocks ? " \xE2\x80\xA6 waits for ever" : "");
        else if (json_object_get(st, "joins"))
            snprintf(cell, sizeof cell, "join(T%lld)%s", (long long)int_(st, "joins"), blocks ? " \xE2\x80\xA6 waits for ever" : "");
        else
            snprintf(cell, sizeof cell, "%s%s", str_(st, "op"), blocks ? " \xE2\x80\xA6 waits for ever" : "");
        put_cell_row(out, column_of(cols, &n, int_(st, "thread")), n, blocks ? "blocks" : "step", cell);
    }
    fprintf(out, "<tr><td class=\"deadlock\" colspan=\"%zu\">*** DEADLOCK ***</td></tr>\n</tbody></table>\n", n ? n : 1);
}

/* The first lost update, one column per thread (as OSTEP's x86.py shows interleavings). */
static void put_trace(FILE *out, json_t *f)
{
    json_t *trace = json_object_get(f, "trace");
    json_int_t cols[MAX_COLUMNS];
    size_t n = 0, i;
    json_t *e;
    if (!json_array_size(trace))
        return;
    json_array_foreach(trace, i, e)
        column_of(cols, &n, int_(e, "thread"));
    fputs("<h4>How the first update was lost</h4>\n<p class=\"hint\">Read down; each column is one thread, "
          "from the stale read to the store that overwrote the others' updates.</p>\n<table class=\"trace\">\n", out);
    put_header_row(out, f, cols, n);
    fputs("<tbody>\n", out);
    json_int_t skipped = int_(f, "trace_skipped");
    json_array_foreach(trace, i, e) {
        char cell[256], who[128];
        bool stale = json_is_true(json_object_get(e, "stale"));
        json_t *ow = json_object_get(e, "overwrote");
        if (stale && ow) {
            thread_name(f, json_integer_value(ow), who, sizeof who);
            snprintf(cell, sizeof cell, "%s %lld \xE2\x86\x90 overwrote %s's update", str_(e, "op"), (long long)int_(e, "value"), who);
        } else {
            snprintf(cell, sizeof cell, "%s %lld%s", str_(e, "op"), (long long)int_(e, "value"), stale ? " \xE2\x86\x90 stale" : "");
        }
        json_t *at = json_object_get(e, "at");
        if (str_(at, "file")[0]) { /* where the access was made */
            const char *file = str_(at, "file"), *base = strrchr(file, '/');
            size_t used = strlen(cell);
            snprintf(cell + used, sizeof cell - used, "  (%s:%lld)", base ? base + 1 : file, (long long)int_(at, "line"));
        }
        put_cell_row(out, column_of(cols, &n, int_(e, "thread")), n, stale ? "stale" : "step", cell);
        if (skipped && i == 7)
            fprintf(out, "<tr><td class=\"skipped\" colspan=\"%zu\">\xE2\x80\xA6 %lld more steps \xE2\x80\xA6</td></tr>\n", n,
                    (long long)skipped);
    }
    fputs("</tbody></table>\n", out);
}

/* ---- findings --------------------------------------------------------------------------------- */

static void put_threads(html_ctx *c, json_t *f)
{
    FILE *out = c->out;
    size_t i;
    json_t *t;
    if (!json_array_size(json_object_get(f, "threads")))
        return;
    fputs("<div class=\"threads\"><h4>Threads</h4><ul>\n", out);
    json_array_foreach(json_object_get(f, "threads"), i, t) {
        fputs("<li><span class=\"thread\">", out);
        put_text(out, str_(t, "name")[0] ? str_(t, "name") : "?");
        fputs("</span>", out);
        if (json_is_integer(json_object_get(t, "parent")))
            fprintf(out, ", created by T%lld", (long long)int_(t, "parent"));
        if (json_array_size(json_object_get(t, "created_at"))) {
            fputs("<details class=\"created\"><summary>created at</summary>\n", out);
            put_stack(c, json_object_get(t, "created_at"));
            fputs("</details>", out);
        }
        fputs("</li>\n", out);
    }
    fputs("</ul></div>\n", out);
}

static void put_locks(FILE *out, json_t *f)
{
    size_t i;
    json_t *l;
    if (!json_array_size(json_object_get(f, "locks")))
        return;
    fputs("<p class=\"locks\">Locks: ", out);
    json_array_foreach(json_object_get(f, "locks"), i, l) {
        fputs(i ? ", <span class=\"lock\">" : "<span class=\"lock\">", out);
        put_text(out, str_(l, "name")[0] ? str_(l, "name") : "?");
        fputs("</span>", out);
        if (str_(l, "kind")[0] || str_(l, "type")[0]) {
            fputs(" (", out);
            put_text(out, str_(l, "kind"));
            if (str_(l, "kind")[0] && str_(l, "type")[0])
                fputs(", ", out);
            put_text(out, str_(l, "type"));
            fputc(')', out);
        }
    }
    fputs("</p>\n", out);
}

static void put_potential_deadlock(html_ctx *c, json_t *f)
{
    FILE *out = c->out;
    size_t i;
    json_t *e, *id;
    char who[128];
    if (json_array_size(json_object_get(f, "cycle"))) {
        fputs("<p class=\"cycle\">Cycle: ", out);
        json_array_foreach(json_object_get(f, "cycle"), i, id) {
            fputs("<span class=\"lock\">", out);
            put_text(out, lock_name(f, id));
            fputs("</span> \xE2\x86\x92 ", out);
        }
        fputs("<span class=\"lock\">", out);
        put_text(out, lock_name(f, json_array_get(json_object_get(f, "cycle"), 0)));
        fputs("</span></p>\n", out);
    }
    json_array_foreach(json_object_get(f, "edges"), i, e) {
        const char *from = lock_name(f, json_object_get(e, "from")), *to = lock_name(f, json_object_get(e, "to"));
        thread_name(f, int_(e, "thread"), who, sizeof who);
        fprintf(out, "<div class=\"edge\"><h4>Edge %zu: ", i + 1);
        put_fmt(out, "%s %s %s while holding %s", who, json_is_true(json_object_get(e, "trylock")) ? "trylocks" : "takes",
                to, from);
        fputs("</h4>\n<p>", out);
        put_fmt(out, "%s taken at:", from);
        fputs("</p>\n", out);
        put_stack(c, json_object_get(e, "from_stack"));
        fputs("<p>", out);
        put_fmt(out, "%s taken at:", to);
        fputs("</p>\n", out);
        put_stack(c, json_object_get(e, "to_stack"));
        fputs("</div>\n", out);
    }
    if (json_is_true(json_object_get(f, "detected_before_blocking")))
        fputs("<p class=\"hint\">racelab saw this cycle close before the thread blocked.</p>\n", out);
    put_scenario(out, f);
}

static void put_deadlock(html_ctx *c, json_t *f)
{
    FILE *out = c->out;
    size_t i, k;
    json_t *w, *h;
    char who[128];
    json_array_foreach(json_object_get(f, "waits"), i, w) {
        thread_name(f, int_(w, "thread"), who, sizeof who);
        json_t *target = json_object_get(w, "waits_for") ? json_object_get(w, "waits_for") : json_object_get(w, "object");
        fputs("<div class=\"wait\"><h4>", out);
        if (target)
            put_fmt(out, "%s waits in %s for %s", who, str_(w, "op"), lock_name(f, target));
        else if (json_object_get(w, "joins"))
            put_fmt(out, "%s waits in %s for T%lld to finish", who, str_(w, "op"), (long long)int_(w, "joins"));
        else
            put_fmt(out, "%s waits in %s", who, str_(w, "op"));
        fputs("</h4>\n", out);
        put_stack(c, json_object_get(w, "stack"));
        json_array_foreach(json_object_get(w, "holds"), k, h) {
            fputs("<p>", out);
            put_fmt(out, "holding %s (%s), taken at:", lock_name(f, json_object_get(h, "lock")), str_(h, "mode"));
            fputs("</p>\n", out);
            put_stack(c, json_object_get(h, "stack"));
        }
        fputs("</div>\n", out);
    }
    put_scenario(out, f);
    if (json_is_true(json_object_get(f, "ended_by_racelab")))
        fputs("<p class=\"hint\">racelab ended the program instead of letting it hang.</p>\n", out);
}

static void put_data_race(html_ctx *c, json_t *f)
{
    FILE *out = c->out;
    size_t i, k;
    json_t *a, *l;
    char who[128];
    json_array_foreach(json_object_get(f, "accesses"), i, a) {
        thread_name(f, int_(a, "thread"), who, sizeof who);
        fputs("<div class=\"access\"><h4>", out);
        put_fmt(out, "%s %s by %s", i == 0 ? "This" : "Earlier", str_(a, "op")[0] ? str_(a, "op") : "access", who);
        if (json_is_integer(json_object_get(a, "value")))
            fprintf(out, " (value %lld)", (long long)int_(a, "value"));
        if (i > 0)
            fputs(", not ordered before it by any lock, join or signal", out);
        fputs("</h4>\n", out);
        if (json_is_array(json_object_get(a, "locks_held"))) {
            fputs("<p>Locks held: ", out);
            if (!json_array_size(json_object_get(a, "locks_held")))
                fputs("none", out);
            json_array_foreach(json_object_get(a, "locks_held"), k, l) {
                fputs(k ? ", <span class=\"lock\">" : "<span class=\"lock\">", out);
                put_text(out, lock_name(f, l));
                fputs("</span>", out);
            }
            fputs("</p>\n", out);
        }
        put_stack(c, json_object_get(a, "stack"));
        fputs("</div>\n", out);
    }
}

static void put_lost_update(FILE *out, json_t *f)
{
    static const char *const numbers[] = { "expected", "actual", "lost", "lost_updates", "overwritten_writes", "stale_stores" };
    static const char *const labels[] = { "expected", "actual", "lost", "updates lost", "writes overwritten", "stale stores" };
    fputs("<dl class=\"numbers\">", out);
    for (size_t k = 0; k < sizeof numbers / sizeof *numbers; k++)
        if (json_is_integer(json_object_get(f, numbers[k])))
            fprintf(out, "<dt>%s</dt><dd>%lld</dd>", labels[k], (long long)int_(f, numbers[k]));
    if (json_is_boolean(json_object_get(f, "consistent")))
        fprintf(out, "<dt>lost = expected \xE2\x88\x92 actual</dt><dd>%s</dd>",
                json_is_true(json_object_get(f, "consistent")) ? "yes" : "no: something wrote the variable behind racelab's back");
    fputs("</dl>\n", out);
    put_trace(out, f);
}

static void put_misuse(html_ctx *c, json_t *f)
{
    FILE *out = c->out;
    size_t i;
    json_t *l;
    if (json_object_get(f, "stack")) {
        fputs("<h4>Where</h4>\n", out);
        put_stack(c, json_object_get(f, "stack"));
    }
    json_array_foreach(json_object_get(f, "locks"), i, l) {
        if (!json_array_size(json_object_get(l, "init")))
            continue;
        fputs("<h4>", out);
        put_fmt(out, "%s was %s at", str_(l, "name"), json_is_true(json_object_get(l, "first_use")) ? "first used" : "created");
        fputs("</h4>\n", out);
        put_stack(c, json_object_get(l, "init"));
    }
}

static void put_finding(html_ctx *c, json_t *f, size_t index)
{
    FILE *out = c->out;
    const char *kind = str_(f, "kind")[0] ? str_(f, "kind") : "unknown";
    fprintf(out, "<article class=\"finding %s\" id=\"finding-%zu\">\n<h3><span class=\"badge\">", is_error_kind(kind) ? "error" : "warning",
            index + 1);
    put_text(out, kind);
    fprintf(out, "</span> #%zu</h3>\n<p class=\"summary\">", index + 1);
    put_text(out, str_(f, "summary")[0] ? str_(f, "summary") : "(no summary)");
    fputs("</p>\n<p class=\"meta\">", out);
    if (json_is_integer(json_object_get(f, "pid")))
        fprintf(out, "process %lld", (long long)int_(f, "pid"));
    if (strcmp(str_(f, "source"), "tsan") == 0)
        fputs(" \xC2\xB7 from ThreadSanitizer", out);
    if (str_(f, "method")[0])
        put_fmt(out, " \xC2\xB7 method: %s", str_(f, "method"));
    if (str_(f, "variable")[0])
        put_fmt(out, " \xC2\xB7 variable: %s", str_(f, "variable"));
    if (str_(f, "race")[0])
        put_fmt(out, " \xC2\xB7 %s", str_(f, "race"));
    if (str_(f, "cause")[0])
        put_fmt(out, " \xC2\xB7 cause: %s", str_(f, "cause"));
    fputs("</p>\n", out);
    if (str_(f, "detail")[0]) {
        fputs("<p class=\"detail\">", out);
        put_text(out, str_(f, "detail"));
        fputs("</p>\n", out);
    }
    put_threads(c, f);
    put_locks(out, f);
    if (strcmp(kind, "potential-deadlock") == 0)
        put_potential_deadlock(c, f);
    else if (strcmp(kind, "deadlock") == 0)
        put_deadlock(c, f);
    else if (json_object_get(f, "accesses"))
        put_data_race(c, f);
    else if (strcmp(kind, "lost-update") == 0)
        put_lost_update(c->out, f);
    if (strcmp(kind, "potential-deadlock") != 0 && strcmp(kind, "deadlock") != 0)
        put_misuse(c, f);
    if (str_(f, "tsan_text")[0]) {
        fputs("<details class=\"tsan\"><summary>ThreadSanitizer's own report</summary><pre>", out);
        put_text(out, str_(f, "tsan_text"));
        fputs("</pre></details>\n", out);
    }
    fputs("</article>\n", out);
}

/* ---- the lock-order graph --------------------------------------------------------------------- */

/* Runs `dot -Tsvg` on the DOT text; on success *svg holds its output (malloc'd). Returns 0, or -1
 * with the reason in why. */
static int run_dot(const char *dot_text, size_t dot_len, char **svg, size_t *svg_len, char *why, size_t whylen)
{
    const char *prog = getenv("RACELAB_DOT") && *getenv("RACELAB_DOT") ? getenv("RACELAB_DOT") : "dot";
    int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
    pid_t pid = -1;
    int rc = -1;
    char errbuf[512] = "";
    size_t errlen = 0, written = 0, cap = 0;
    *svg = NULL;
    *svg_len = 0;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 || pipe2(outp, O_CLOEXEC) != 0 ||
        pipe2(errp, O_CLOEXEC) != 0) {
        snprintf(why, whylen, "cannot start graphviz's dot: %s", strerror(errno));
        goto done;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[1], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    char *argv[] = { (char *)prog, (char *)"-Tsvg", NULL };
    int e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        pid = -1;
        if (e == ENOENT)
            snprintf(why, whylen, "graphviz's %s was not found (install graphviz to get the picture)", prog);
        else
            snprintf(why, whylen, "cannot run graphviz's %s: %s", prog, strerror(e));
        goto done;
    }
    close(in[1]), in[1] = -1;
    close(outp[1]), outp[1] = -1;
    close(errp[1]), errp[1] = -1;
    fcntl(in[0], F_SETFL, fcntl(in[0], F_GETFL) | O_NONBLOCK);
    if (dot_len == 0)
        close(in[0]), in[0] = -1;

    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool timed_out = false;
    while (outp[0] >= 0 || errp[0] >= 0) {
        struct pollfd p[3];
        nfds_t n = 0;
        int which[3];
        if (in[0] >= 0)
            p[n] = (struct pollfd){ .fd = in[0], .events = POLLOUT }, which[n++] = 0;
        if (outp[0] >= 0)
            p[n] = (struct pollfd){ .fd = outp[0], .events = POLLIN }, which[n++] = 1;
        if (errp[0] >= 0)
            p[n] = (struct pollfd){ .fd = errp[0], .events = POLLIN }, which[n++] = 2;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left_ms = RL_HTML_DOT_TIMEOUT_SECONDS * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
                                                             (now.tv_nsec - start.tv_nsec) / 1000000L);
        if (left_ms <= 0) {
            timed_out = true;
            break;
        }
        int r = poll(p, n, (int)left_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        for (nfds_t k = 0; k < n; k++) {
            if (!p[k].revents)
                continue;
            if (which[k] == 0) {
                ssize_t w = send(in[0], dot_text + written, dot_len - written, MSG_NOSIGNAL);
                if (w > 0)
                    written += (size_t)w;
                if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == dot_len)
                    close(in[0]), in[0] = -1; /* all sent (or dot stopped reading): EOF for dot */
            } else if (which[k] == 1) {
                if (cap - *svg_len < 65536) {
                    size_t ncap = cap ? 2 * cap : 65536 * 2;
                    char *g = realloc(*svg, ncap + 1);
                    if (!g) {
                        snprintf(why, whylen, "out of memory reading graphviz's output");
                        timed_out = true; /* kill it */
                        goto stop;
                    }
                    *svg = g;
                    cap = ncap;
                }
                ssize_t got = read(outp[0], *svg + *svg_len, cap - *svg_len);
                if (got > 0)
                    *svg_len += (size_t)got;
                else if (got == 0 || (errno != EINTR && errno != EAGAIN))
                    close(outp[0]), outp[0] = -1;
            } else {
                char tmp[512];
                ssize_t got = read(errp[0], tmp, sizeof tmp);
                if (got > 0) {
                    size_t keep = (size_t)got < sizeof errbuf - 1 - errlen ? (size_t)got : sizeof errbuf - 1 - errlen;
                    memcpy(errbuf + errlen, tmp, keep);
                    errlen += keep;
                    errbuf[errlen] = 0;
                } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                    close(errp[0]), errp[0] = -1;
                }
            }
        }
    }
stop:
    if (timed_out) {
        kill(pid, SIGKILL);
        if (!why[0])
            snprintf(why, whylen, "graphviz's %s took more than %d s to lay out the graph", prog, RL_HTML_DOT_TIMEOUT_SECONDS);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        goto done;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !*svg) {
        for (char *nl = errbuf; *nl; nl++)
            if (*nl == '\n')
                *nl = ' ';
        snprintf(why, whylen, "graphviz's %s failed%s%s", prog, errbuf[0] ? ": " : "", errbuf);
        goto done;
    }
    (*svg)[*svg_len] = 0;
    if (!strstr(*svg, "<svg")) {
        snprintf(why, whylen, "graphviz's %s wrote no SVG", prog);
        goto done;
    }
    rc = 0;
done:
    for (int k = 0; k < 2; k++) {
        if (in[k] >= 0) close(in[k]);
        if (outp[k] >= 0) close(outp[k]);
        if (errp[k] >= 0) close(errp[k]);
    }
    if (rc != 0) {
        free(*svg);
        *svg = NULL;
        *svg_len = 0;
    }
    return rc;
}

static size_t graph_edge_count(json_t *report)
{
    size_t n = 0, i, k;
    json_t *f, *w;
    json_array_foreach(json_object_get(report, "findings"), i, f) {
        n += json_array_size(json_object_get(f, "edges"));
        json_array_foreach(json_object_get(f, "waits"), k, w)
            n += json_array_size(json_object_get(w, "holds"));
    }
    json_array_foreach(json_object_get(report, "notes"), i, f)
        n += json_array_size(json_object_get(f, "locks"));
    return n;
}

/* Without a picture: the graph's edges as a table, straight from the report. */
static void put_edge_table(FILE *out, json_t *report)
{
    size_t i, k;
    json_t *f, *e;
    char who[128];
    fputs("<table class=\"edges\"><thead><tr><th>holding</th><th>takes</th><th>thread</th><th>where</th><th>cycle</th>"
          "</tr></thead>\n<tbody>\n", out);
    json_array_foreach(json_object_get(report, "findings"), i, f) {
        json_array_foreach(json_object_get(f, "edges"), k, e) {
            json_t *fr = NULL, *x;
            size_t j;
            json_array_foreach(json_object_get(e, "to_stack"), j, x)
                if (!fr && str_(x, "file")[0])
                    fr = x;
            thread_name(f, int_(e, "thread"), who, sizeof who);
            fputs("<tr class=\"cycle\"><td>", out);
            put_text(out, lock_name(f, json_object_get(e, "from")));
            fputs("</td><td>", out);
            put_text(out, lock_name(f, json_object_get(e, "to")));
            fputs("</td><td>", out);
            put_text(out, who);
            fputs("</td><td>", out);
            if (fr)
                put_fmt(out, "%s:%lld", str_(fr, "file"), (long long)int_(fr, "line"));
            fprintf(out, "</td><td><a href=\"#finding-%zu\">#%zu</a></td></tr>\n", i + 1, i + 1);
        }
    }
    json_array_foreach(json_object_get(report, "notes"), i, f) {
        json_t *locks = json_object_get(f, "locks");
        size_t n = json_array_size(locks);
        if (strcmp(str_(f, "kind"), "suppressed-cycle") != 0)
            continue;
        for (k = 0; k < n; k++) {
            fputs("<tr class=\"suppressed\"><td>", out);
            put_text(out, json_string_value(json_array_get(locks, k)));
            fputs("</td><td>", out);
            put_text(out, json_string_value(json_array_get(locks, (k + 1) % n)));
            fputs("</td><td></td><td></td><td>not a deadlock: ", out);
            put_text(out, str_(f, "reason"));
            fputs("</td></tr>\n", out);
        }
    }
    fputs("</tbody></table>\n", out);
}

static void put_graph(FILE *out, json_t *report, char *warn, size_t warnlen)
{
    fputs("<section id=\"graph\">\n<h2>Lock-order graph</h2>\n<p class=\"hint\">Each box is a lock. An arrow from A to B "
          "means a thread took B while holding A; its label names the thread and the line where it took B. "
          "<span class=\"legend-cycle\">Red</span>: the edges of a reported cycle (and of a real deadlock). "
          "<span class=\"legend-suppressed\">Dashed grey</span>: a cycle that cannot deadlock, labelled with "
          "the reason.</p>\n", out);
    char why[768] = "";
    char *svg = NULL;
    size_t svg_len = 0;
    size_t edges = graph_edge_count(report);
    if (edges > RL_HTML_MAX_GRAPH_EDGES) {
        snprintf(why, sizeof why, "the graph has %zu edges, more than the %d racelab lays out", edges, RL_HTML_MAX_GRAPH_EDGES);
    } else {
        char *dot = NULL;
        size_t dot_len = 0;
        FILE *mem = open_memstream(&dot, &dot_len);
        if (!mem) {
            snprintf(why, sizeof why, "out of memory");
        } else {
            int r = rl_report_render_dot(report, mem);
            if (fclose(mem) != 0 || r != 0)
                snprintf(why, sizeof why, "out of memory");
            else
                run_dot(dot, dot_len, &svg, &svg_len, why, sizeof why);
            free(dot);
        }
    }
    if (svg) {
        /* from "<svg" on: the XML prolog and doctype do not belong inside HTML */
        const char *at = strstr(svg, "<svg");
        fputs("<div class=\"graph\">\n", out);
        fwrite(at, 1, svg_len - (size_t)(at - svg), out);
        fputs("</div>\n", out);
        free(svg);
    } else {
        fputs("<p class=\"warning\">No picture: ", out);
        put_text(out, why);
        fputs(". The edges:</p>\n", out);
        put_edge_table(out, report);
        snprintf(warn, warnlen, "the lock-order graph is shown as a table: %s", why);
    }
    fputs("</section>\n", out);
}

/* ---- the timeline ----------------------------------------------------------------------------- */

typedef struct tl_event {
    json_int_t t, thread, lock;
    const char *op;
    size_t order;
} tl_event;

typedef struct tl_open {
    json_int_t thread, lock, start;
    int kind;      /* 0 held, 1 waiting for a lock, 2 waiting on a condition */
    int depth;     /* held: how many other locks the thread held then */
} tl_open;

static int by_time(const void *a, const void *b)
{
    const tl_event *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static const char *timeline_lock_name(json_t *report, json_int_t id)
{
    size_t i, k;
    json_t *f, *l;
    json_array_foreach(json_object_get(json_object_get(report, "timeline"), "locks"), i, l)
        if (int_(l, "id") == id && json_string_value(json_object_get(l, "name")))
            return str_(l, "name");
    json_array_foreach(json_object_get(report, "findings"), i, f)
        json_array_foreach(json_object_get(f, "locks"), k, l)
            if (int_(l, "id") == id && json_string_value(json_object_get(l, "name")))
                return str_(l, "name");
    return NULL;
}

#define TL_LABEL_W 140
#define TL_PLOT_W 860
#define TL_LANE_H 34
#define TL_TOP 24

typedef struct tl_geom {
    json_int_t t0, span;
    json_int_t *lanes;   /* thread id of each lane */
    size_t n_lanes;
} tl_geom;

static double tl_x(const tl_geom *g, json_int_t t)
{
    return TL_LABEL_W + (double)(t - g->t0) * TL_PLOT_W / (double)g->span;
}

static size_t tl_lane(const tl_geom *g, json_int_t thread)
{
    for (size_t i = 0; i < g->n_lanes; i++)
        if (g->lanes[i] == thread)
            return i;
    return 0;
}

static void tl_rect(FILE *out, json_t *report, const tl_geom *g, const tl_open *o, json_int_t end, bool still_open)
{
    static const char *const cls[] = { "held", "waiting", "condwait" };
    static const char *const verb[] = { "holds", "waits for", "waits on a condition with" };
    double x0 = tl_x(g, o->start), x1 = tl_x(g, end);
    double y = TL_TOP + (double)tl_lane(g, o->thread) * TL_LANE_H;
    double h;
    if (o->kind == 0) {
        y += 4 + 5 * (o->depth < 3 ? o->depth : 3);
        h = 12;
    } else {
        y += 20;
        h = 9;
    }
    const char *name = o->lock >= 0 ? timeline_lock_name(report, o->lock) : NULL;
    char lock[64];
    if (!name) {
        if (o->lock >= 0)
            snprintf(lock, sizeof lock, "lock %lld", (long long)o->lock);
        else
            snprintf(lock, sizeof lock, "a lock");
        name = lock;
    }
    fprintf(out, "<rect class=\"%s%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\"><title>", cls[o->kind],
            still_open ? " open" : "", x0, y, x1 - x0 < 1.5 ? 1.5 : x1 - x0, h);
    put_fmt(out, "T%lld %s %s from %lld to %lld \xC2\xB5s%s", (long long)o->thread, verb[o->kind], name,
            (long long)o->start, (long long)end, still_open ? " (still, when the timeline ends)" : "");
    fputs("</title></rect>\n", out);
}

static void put_timeline(FILE *out, json_t *report)
{
    json_t *tl = json_object_get(report, "timeline");
    fputs("<section id=\"timeline\">\n<h2>Thread timeline</h2>\n", out);
    if (!json_is_object(tl)) {
        fputs("<p class=\"empty\">no timeline recorded (run with --html to record one)</p>\n</section>\n", out);
        return;
    }
    json_t *events = json_object_get(tl, "events"), *threads = json_object_get(tl, "threads");
    size_t n = json_array_size(events), i;
    tl_event *ev = calloc(n ? n : 1, sizeof *ev);
    tl_open *open = calloc(n ? n : 1, sizeof *open);
    tl_geom g = { 0 };
    g.lanes = calloc(json_array_size(threads) + n + 1, sizeof *g.lanes);
    if (!ev || !open || !g.lanes) {
        fputs("<p class=\"warning\">The timeline could not be drawn: out of memory.</p>\n</section>\n", out);
        goto done;
    }
    json_t *e;
    json_array_foreach(threads, i, e) {
        size_t k = 0;
        while (k < g.n_lanes && g.lanes[k] != int_(e, "id"))
            k++;
        if (k == g.n_lanes)
            g.lanes[g.n_lanes++] = int_(e, "id");
    }
    size_t m = 0;
    json_array_foreach(events, i, e) {
        if (!json_is_integer(json_object_get(e, "t_us")) || !json_is_string(json_object_get(e, "op")))
            continue;
        bool has_thread = json_is_integer(json_object_get(e, "thread"));
        ev[m] = (tl_event){ .t = int_(e, "t_us"), .thread = has_thread ? int_(e, "thread") : -1, .op = str_(e, "op"),
                            .order = i, .lock = json_is_integer(json_object_get(e, "lock")) ? int_(e, "lock") : -1 };
        size_t k = 0;
        while (k < g.n_lanes && g.lanes[k] != ev[m].thread)
            k++;
        if (k == g.n_lanes && has_thread) /* a thread the list does not name still gets a lane */
            g.lanes[g.n_lanes++] = ev[m].thread;
        m++;
    }
    qsort(ev, m, sizeof *ev, by_time);
    g.t0 = m ? ev[0].t : 0;
    g.span = m && ev[m - 1].t > g.t0 ? ev[m - 1].t - g.t0 : 1;
    json_int_t t_end = g.t0 + g.span;
    int height = TL_TOP + (int)g.n_lanes * TL_LANE_H + 8;
    fprintf(out, "<p class=\"hint\">One lane per thread, time from left to right (%lld \xC2\xB5s in all). "
                 "<span class=\"legend-held\">Blue</span>: holding a lock (stacked when several). "
                 "<span class=\"legend-waiting\">Orange</span>: waiting for a lock; "
                 "<span class=\"legend-condwait\">grey</span>: waiting on a condition variable. "
                 "<span class=\"legend-deadlock\">Red line</span>: deadlock. Hover a bar for details.</p>\n",
            (long long)g.span);
    fprintf(out, "<div class=\"graph\"><svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"thread timeline\">\n",
            TL_LABEL_W + TL_PLOT_W + 20, height, TL_LABEL_W + TL_PLOT_W + 20, height);
    for (int q = 0; q <= 4; q++) {
        double x = TL_LABEL_W + TL_PLOT_W * q / 4.0;
        fprintf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                     "<text class=\"tick\" x=\"%.1f\" y=\"14\" text-anchor=\"%s\">%lld \xC2\xB5s</text>\n",
                x, TL_TOP - 4, x, height - 8, x, q == 0 ? "start" : q == 4 ? "end" : "middle", (long long)(g.span * q / 4));
    }
    for (size_t l = 0; l < g.n_lanes; l++) {
        const char *name = NULL;
        json_array_foreach(threads, i, e)
            if (int_(e, "id") == g.lanes[l] && json_string_value(json_object_get(e, "name")))
                name = str_(e, "name");
        fprintf(out, "<rect class=\"lane\" x=\"0\" y=\"%zu\" width=\"%d\" height=\"%d\"/><text class=\"thread\" x=\"6\" y=\"%zu\">",
                TL_TOP + l * TL_LANE_H, TL_LABEL_W + TL_PLOT_W + 20, TL_LANE_H - 2, TL_TOP + l * TL_LANE_H + 20);
        if (name)
            put_text(out, name);
        else
            fprintf(out, "T%lld", (long long)g.lanes[l]);
        fputs("</text>\n", out);
    }
    size_t n_open = 0;
    for (i = 0; i < m; i++) {
        tl_event *x = &ev[i];
        int close_kind = -1, open_kind = -1;
        if (strcmp(x->op, "lock") == 0)
            open_kind = 1;
        else if (strcmp(x->op, "acquired") == 0)
            close_kind = 1, open_kind = 0;
        else if (strcmp(x->op, "unlock") == 0)
            close_kind = 0;
        else if (strcmp(x->op, "wait") == 0)
            open_kind = 2;
        else if (strcmp(x->op, "wake") == 0)
            close_kind = 2;
        else if (strcmp(x->op, "deadlock") == 0) {
            double px = tl_x(&g, x->t);
            fprintf(out, "<line class=\"deadlock\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"><title>deadlock at %lld \xC2\xB5s</title></line>\n",
                    px, TL_TOP - 4, px, height - 8, (long long)x->t);
        }
        if (close_kind >= 0) {
            for (size_t k = n_open; k-- > 0;) {
                if (open[k].thread == x->thread && open[k].kind == close_kind && (close_kind == 2 || open[k].lock == x->lock)) {
                    tl_rect(out, report, &g, &open[k], x->t, false);
                    open[k] = open[--n_open];
                    break;
                }
            }
        }
        if (open_kind >= 0) {
            int depth = 0;
            for (size_t k = 0; k < n_open; k++)
                depth += open[k].thread == x->thread && open[k].kind == 0;
            open[n_open++] = (tl_open){ .thread = x->thread, .lock = x->lock, .start = x->t, .kind = open_kind, .depth = depth };
        }
    }
    for (size_t k = 0; k < n_open; k++)
        tl_rect(out, report, &g, &open[k], t_end, true);
    fputs("</svg></div>\n</section>\n", out);
done:
    free(ev);
    free(open);
    free(g.lanes);
}

/* ---- the page --------------------------------------------------------------------------------- */

static const char css[] =
    ":root{--red:#c62828;--amber:#b26a00;--ink:#1d1d1f;--mute:#5f6368;--line:#dadce0;--bg:#fafafa}\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:var(--ink);"
    "margin:0 auto;max-width:70rem;padding:1rem 2rem 3rem;line-height:1.45;background:#fff}\n"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{border-bottom:2px solid var(--line);padding-bottom:.2rem;margin-top:2.2rem}\n"
    "h3{margin:.2rem 0}h4{margin:1rem 0 .3rem;font-size:1rem}\n"
    "code,pre,.loc,.module{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.9em}\n"
    "pre{background:var(--bg);border:1px solid var(--line);padding:.5rem .7rem;overflow-x:auto;margin:.3rem 0}\n"
    ".verdict{font-size:1.15rem;font-weight:600}.verdict.bad{color:var(--red)}.verdict.good{color:#2e7d32}\n"
    "dl.meta,dl.numbers{display:grid;grid-template-columns:max-content auto;gap:.15rem 1rem;margin:.5rem 0}\n"
    "dt{color:var(--mute)}dd{margin:0}\n"
    "nav ol{margin:.3rem 0}\n"
    ".finding{border:1px solid var(--line);border-left:6px solid var(--amber);border-radius:6px;padding:.6rem 1rem;margin:1rem 0}\n"
    ".finding.error{border-left-color:var(--red)}\n"
    ".badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;color:#fff;background:var(--amber);font-size:.95rem}\n"
    ".finding.error .badge{background:var(--red)}\n"
    ".summary{font-weight:600}.meta,.hint{color:var(--mute)}.warning{color:var(--amber);font-weight:600}\n"
    ".lock,.thread{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;background:#eef2f7;border-radius:3px;padding:0 .25rem}\n"
    "ol.stack{margin:.2rem 0 .6rem;padding-left:2.2rem}ol.stack li{margin:.1rem 0}\n"
    ".fn{font-weight:600}.tag{font-size:.75rem;color:var(--mute);border:1px solid var(--line);border-radius:3px;padding:0 .2rem}\n"
    "details.src summary,details.created summary,details.tsan summary{cursor:pointer;color:var(--mute);font-size:.85rem}\n"
    "pre.src mark{background:#fff3b0;display:inline-block;min-width:100%}\n"
    ".ln{color:#9aa0a6;user-select:none}\n"
    "table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid var(--line);padding:.25rem .6rem;text-align:left;"
    "font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.88rem;vertical-align:top}\n"
    "table.scenario td,table.trace td,table.scenario th,table.trace th{min-width:11em}\n"
    "th{background:var(--bg)}td.blocks,td.stale{color:var(--red);font-weight:600}\n"
    "td.deadlock{color:var(--red);font-weight:700;text-align:center}td.skipped{color:var(--mute);text-align:center}\n"
    "tr.suppressed td{color:var(--mute)}\n"
    ".graph{overflow-x:auto;border:1px solid var(--line);border-radius:6px;padding:.5rem;background:#fff}\n"
    ".graph svg{max-width:100%;height:auto}\n"
    ".legend-cycle,.legend-deadlock{color:var(--red);font-weight:600}.legend-suppressed{color:#8c8c8c;font-weight:600}\n"
    ".legend-held{color:#1f6fbf;font-weight:600}.legend-waiting{color:#e08a00;font-weight:600}.legend-condwait{color:#888;font-weight:600}\n"
    "svg.timeline rect.lane{fill:#f6f8fa}svg.timeline rect.held{fill:#1f6fbf}svg.timeline rect.waiting{fill:#f0a030}\n"
    "svg.timeline rect.condwait{fill:#b0b0b0}svg.timeline rect.open{opacity:.65}\n"
    "svg.timeline line.tick{stroke:#e0e0e0}svg.timeline text{font:12px system-ui,sans-serif;fill:#444}\n"
    "svg.timeline line.deadlock{stroke:#c62828;stroke-width:2}\n"
    "footer{margin-top:3rem;color:var(--mute);font-size:.85rem}\n";

static void put_header(FILE *out, json_t *report)
{
    json_t *findings = json_object_get(report, "findings"), *v, *f;
    size_t n = json_array_size(findings), i, k;
    fputs("<header>\n<h1>racelab report</h1>\n<p class=\"program\"><code>", out);
    put_text(out, str_(report, "program")[0] ? str_(report, "program") : "(program unknown)");
    json_array_foreach(json_object_get(report, "args"), i, v) {
        fputc(' ', out);
        put_text(out, json_string_value(v));
    }
    fputs("</code></p>\n", out);
    fprintf(out, "<p class=\"verdict %s\">%zu finding%s", n ? "bad" : "good", n, n == 1 ? "" : "s");
    /* counts per kind, in order of first appearance */
    const char *seen[64];
    size_t n_seen = 0;
    json_array_foreach(findings, i, f) {
        const char *kind = str_(f, "kind");
        for (k = 0; k < n_seen && strcmp(seen[k], kind) != 0; k++)
            ;
        if (k == n_seen && n_seen < 64)
            seen[n_seen++] = kind;
    }
    for (k = 0; k < n_seen; k++) {
        size_t c = 0;
        json_array_foreach(findings, i, f)
            c += strcmp(str_(f, "kind"), seen[k]) == 0;
        fputs(k ? ", " : ": ", out);
        put_fmt(out, "%zu %s", c, seen[k][0] ? seen[k] : "unknown");
    }
    fputs("</p>\n", out);
    if (json_is_false(json_object_get(report, "instrumented")) && !json_is_true(json_object_get(report, "tsan")))
        fputs("<p class=\"warning\">The program was not instrumented (statically linked, or set-user-ID?): nothing was checked.</p>\n", out);
    fputs("<dl class=\"meta\">\n", out);
    json_t *ex = json_object_get(report, "exit");
    if (json_is_object(ex)) {
        fputs("<dt>exit</dt><dd>", out);
        if (json_is_integer(json_object_get(ex, "status")))
            fprintf(out, "status %lld", (long long)int_(ex, "status"));
        if (str_(ex, "signal_name")[0])
            put_fmt(out, "killed by %s", str_(ex, "signal_name"));
        else if (json_is_integer(json_object_get(ex, "signal")))
            fprintf(out, "killed by signal %lld", (long long)int_(ex, "signal"));
        if (str_(ex, "ended_by_racelab")[0])
            put_fmt(out, " (ended by racelab: %s)", str_(ex, "ended_by_racelab"));
        if (str_(ex, "unknown")[0])
            put_text(out, str_(ex, "unknown"));
        fputs("</dd>\n", out);
    }
    if (json_is_true(json_object_get(report, "tsan")))
        fputs("<dt>checker</dt><dd>ThreadSanitizer (the program is a TSan build)</dd>\n", out);
    json_t *st = json_object_get(report, "stats");
    if (json_is_object(st))
        fprintf(out, "<dt>seen</dt><dd>%lld process%s, %lld threads, %lld locks, %lld lock-order edges, %lld acquisitions</dd>\n",
                (long long)int_(st, "processes"), int_(st, "processes") == 1 ? "" : "es", (long long)int_(st, "threads"),
                (long long)int_(st, "locks"), (long long)int_(st, "edges"), (long long)int_(st, "acquisitions"));
    if (json_array_size(json_object_get(report, "processes")) > 1) {
        fputs("<dt>processes</dt><dd>", out);
        json_array_foreach(json_object_get(report, "processes"), i, v) {
            fprintf(out, "%s%lld (parent %lld) ", i ? ", " : "", (long long)int_(v, "pid"), (long long)int_(v, "parent_pid"));
            put_text(out, str_(v, "program"));
        }
        fputs("</dd>\n", out);
    }
    if (str_(report, "racelab_version")[0]) {
        fputs("<dt>racelab</dt><dd>", out);
        put_text(out, str_(report, "racelab_version"));
        fputs("</dd>\n", out);
    }
    fputs("</dl>\n", out);
    json_t *sched = json_object_get(report, "schedule");
    if (json_is_object(sched)) {
        fputs("<section id=\"schedule\">\n<h2>Schedule</h2>\n<dl class=\"meta\">\n<dt>schedule</dt><dd>", out);
        put_text(out, str_(sched, "mode")[0] ? str_(sched, "mode") : "?");
        fprintf(out, "</dd>\n<dt>seed</dt><dd>%lld</dd>\n", (long long)int_(sched, "seed"));
        if (json_is_integer(json_object_get(sched, "steps")) && int_(sched, "steps"))
            fprintf(out, "<dt>steps</dt><dd>%lld</dd>\n", (long long)int_(sched, "steps"));
        if (str_(sched, "event_hash")[0]) {
            fputs("<dt>event hash</dt><dd><code>", out);
            put_text(out, str_(sched, "event_hash"));
            fputs("</code></dd>\n", out);
        }
        if (int_(sched, "fallbacks") > 0)
            fprintf(out, "<dt>fallbacks</dt><dd class=\"warning\">%lld (a spinning thread lost the token: this run is not "
                         "exactly reproducible)</dd>\n", (long long)int_(sched, "fallbacks"));
        fputs("</dl>\n", out);
        if (str_(sched, "rerun")[0]) {
            fputs("<p>Rerun the same interleaving:</p>\n<pre class=\"rerun\"><code>", out);
            put_text(out, str_(sched, "rerun"));
            fputs("</code></pre>\n", out);
        }
        fputs("</section>\n", out);
    }
    if (n) {
        fputs("<nav><h2>Contents</h2><ol>\n", out);
        json_array_foreach(findings, i, f) {
            fprintf(out, "<li><a href=\"#finding-%zu\">", i + 1);
            put_text(out, str_(f, "kind"));
            fputs("</a>: ", out);
            const char *s = str_(f, "summary");
            size_t len = strlen(s);
            if (len > 120) { /* a short line; the section has it all (cut at a UTF-8 character boundary) */
                len = 120;
                while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
                    len--;
            }
            put_textn(out, s, len);
            fputs(len < strlen(s) ? "\xE2\x80\xA6</li>\n" : "</li>\n", out);
        }
        fputs("</ol></nav>\n", out);
    }
    fputs("</header>\n", out);
}

static void put_notes(FILE *out, json_t *report)
{
    json_t *notes = json_object_get(report, "notes"), *n, *l;
    size_t i, k;
    if (!json_array_size(notes))
        return;
    fputs("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n", out);
    json_array_foreach(notes, i, n) {
        fprintf(out, "<li class=\"note %s\">", strcmp(str_(n, "kind"), "suppressed-cycle") == 0 ? "suppressed" : "other");
        if (str_(n, "kind")[0]) {
            fputs("<strong>", out);
            put_text(out, str_(n, "kind"));
            if (str_(n, "reason")[0]) {
                fputs(" (", out);
                put_text(out, str_(n, "reason"));
                fputc(')', out);
            }
            fputs("</strong>: ", out);
        }
        put_text(out, str_(n, "summary"));
        if (json_array_size(json_object_get(n, "locks"))) {
            fputs(" \xE2\x80\x94 locks: ", out);
            json_array_foreach(json_object_get(n, "locks"), k, l) {
                fputs(k ? ", <span class=\"lock\">" : "<span class=\"lock\">", out);
                put_text(out, json_string_value(l));
                fputs("</span>", out);
            }
        }
        fputs("</li>\n", out);
    }
    fputs("</ul>\n</section>\n", out);
}

int rl_report_render_html(const json_t *report_c, FILE *out, char *err, size_t errlen)
{
    json_t *report = (json_t *)report_c; /* jansson's getters take non-const */
    char warn[1024] = "";
    html_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        if (errlen)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->out = out;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
          "<title>racelab report", out);
    if (str_(report, "program")[0]) {
        fputs(": ", out);
        put_text(out, str_(report, "program"));
    }
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
    put_header(out, report);
    put_graph(out, report, warn, sizeof warn);
    json_t *findings = json_object_get(report, "findings"), *f;
    size_t i;
    fputs("<section id=\"findings\">\n<h2>Findings in detail</h2>\n", out);
    if (!json_array_size(findings))
        fputs("<p class=\"empty\">No findings: racelab saw nothing wrong in this run.</p>\n", out);
    json_array_foreach(findings, i, f)
        put_finding(c, f, i);
    fputs("</section>\n", out);
    put_timeline(out, report);
    put_notes(out, report);
    fputs("<footer>Made by racelab", out);
    if (str_(report, "racelab_version")[0]) {
        fputc(' ', out);
        put_text(out, str_(report, "racelab_version"));
    }
    fputs(". Detection rules: docs/rules.md in racelab's source.</footer>\n</body>\n</html>\n", out);
    free_sources(c);
    free(c);
    if (fflush(out) != 0 || ferror(out)) {
        if (errlen)
            snprintf(err, errlen, "cannot write the page: %s", strerror(errno));
        return -1;
    }
    if (errlen)
        snprintf(err, errlen, "%s", warn);
    return 0;
}
