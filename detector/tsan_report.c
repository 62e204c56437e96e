/* tsan_report.c: ThreadSanitizer's text reports as racelab findings, and the TSan-binary check
 * (see tsan_report.h).
 *
 * How: the text is cleaned once (colour codes out; NULs and bytes that are not UTF-8 become '?', so
 * every string taken from it is valid for JSON) and split into lines. Each report block is read
 * line by line. A section header says what the frame lines after it belong to ("Previous write of
 * size 8 at ... by thread T1:" -> that access's stack, "Mutex M1 acquired here while holding mutex
 * M0 in thread T1:" -> that edge's to_stack, "Thread T1 ... created by main thread at:" -> that
 * thread's created_at); a blank line or an unknown section ends the stack. References to TSan's
 * mutexes ("mutexes: write M0") are resolved when the block is complete, because the "Mutex M0
 * (0x...) created at:" sections come after the accesses. */
#include "tsan_report.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEPARATOR "=================="
#define HEADER "WARNING: ThreadSanitizer:"

/* TSan's report titles with a racelab finding kind; every other title gets "tsan-<slug>". */
static const struct { const char *title; const char *kind; } known_kinds[] = {
    { "data race", "data-race" },
    { "lock-order-inversion (potential deadlock)", "potential-deadlock" },
    { "double lock of a mutex", "double-lock" },
    { "unlock of an unlocked mutex (or by a wrong thread)", "unlock-unlocked" },
    { "destroy of a locked mutex", "destroy-locked" },
    { "thread leak", "thread-leak" },
    { "signal-unsafe call inside of a signal", "signal-unsafe" },
    { "heap-use-after-free", "use-after-free" },
};

/* ---------- state of one call ---------- */

typedef struct lock_key {
    int pid;
    unsigned long long addr;
    int id;
} lock_key;

typedef struct parse_ctx {
    json_t *findings;
    int next_lock_id;   /* larger than every lock id in findings */
    lock_key *keys;     /* (pid, address) -> lock id, for the mutexes seen in this call */
    size_t n_keys;
    size_t found, skipped;
} parse_ctx;

/* One of TSan's mutexes in the report being read. TSan numbers them M0, M1 ... per report. */
typedef struct mutex_ref {
    unsigned long long tsan_id; /* the N of "MN" */
    int id;                     /* racelab lock id */
    bool has_addr;
    unsigned long long addr;
    json_t *lock;               /* in the finding's "locks" (borrowed) */
} mutex_ref;

/* "(mutexes: write M0)" on an access, resolved when the block ends */
typedef struct hold_ref {
    json_t *access; /* borrowed */
    unsigned long long tsan_id;
    bool write;
} hold_ref;

typedef struct report_state {
    parse_ctx *ctx;
    int pid;
    json_t *finding;
    json_t *stack;        /* where frame lines go now (borrowed); NULL: nowhere */
    json_t *top_stack;    /* frames right after the title line (owned until attached) */
    json_t *accesses, *edges, *other_stacks; /* owned until attached */
    json_t *last_edge;    /* borrowed from edges */
    mutex_ref *mutexes;
    size_t n_mutexes;
    hold_ref *holds;
    size_t n_holds;
    char *variable;       /* from "Location is global 'x'", or NULL */
    unsigned long long var_addr, var_size;
    char *detail;         /* the location line after "Location is ", or NULL */
    long long similar;    /* "And N more similar thread leaks." */
} report_state;

/* ---------- cleaning the text ---------- */

/* Length of the valid UTF-8 sequence (2 to 4 bytes) at s, 0 if there is none. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        cp = s[0] & 0x1fu;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Index just past the escape sequence that starts with the ESC at s[i]. */
static size_t skip_escape(const unsigned char *s, size_t n, size_t i)
{
    i++;
    if (i < n && s[i] == '[') { /* CSI: parameters, intermediates, one final byte */
        i++;
        while (i < n && s[i] >= 0x30 && s[i] <= 0x3f)
            i++;
        while (i < n && s[i] >= 0x20 && s[i] <= 0x2f)
            i++;
        if (i < n && s[i] >= 0x40 && s[i] <= 0x7e)
            i++;
    } else if (i < n && s[i] >= 0x40 && s[i] <= 0x5f) {
        i++;
    }
    return i;
}

/* A NUL-terminated copy of text without escape sequences, with NULs and invalid UTF-8 bytes as '?'.
 * NULL if out of memory. */
static char *clean_text(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == 0x1b) {
            i = skip_escape(s, len, i);
        } else if (s[i] == 0) {
            out[o++] = '?';
            i++;
        } else if (s[i] < 0x80) {
            out[o++] = (char)s[i++];
        } else {
            size_t k = utf8_sequence(s + i, len - i);
            if (k == 0) {
                out[o++] = '?';
                i++;
            } else {
                memcpy(out + o, s + i, k);
                o += k;
                i += k;
            }
        }
    }
    out[o] = 0;
    return out;
}

/* Splits buf into lines in place (without '\n' and a trailing '\r'). NULL if out of memory. */
static char **split_lines(char *buf, size_t *n_lines)
{
    size_t n = 1;
    for (char *p = buf; *p; p++)
        n += *p == '\n';
    char **lines = malloc(n * sizeof *lines);
    if (!lines)
        return NULL;
    size_t k = 0;
    for (char *p = buf;;) {
        lines[k++] = p;
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r')
            p[l - 1] = 0;
        if (!nl)
            break;
        p = nl + 1;
    }
    *n_lines = k;
    return lines;
}

/* ---------- small readers: each consumes from *p on success and leaves it alone on failure ---------- */

static bool eat(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool eat_number(const char **p, unsigned long long *v)
{
    if (!isdigit((unsigned char)**p))
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(*p, &end, 10);
    if (errno)
        return false;
    *v = x;
    *p = end;
    return true;
}

static bool eat_int(const char **p, int *v)
{
    const char *q = *p;
    unsigned long long x;
    if (!eat_number(&q, &x) || x > INT_MAX)
        return false;
    *v = (int)x;
    *p = q;
    return true;
}

/* "0x" and hex digits, copied to buf (at most 18 characters: 64-bit addresses) */
static bool eat_hex(const char **p, char buf[24], unsigned long long *v)
{
    const char *q = *p;
    if (q[0] != '0' || q[1] != 'x' || !isxdigit((unsigned char)q[2]))
        return false;
    size_t n = 2;
    while (isxdigit((unsigned char)q[n]))
        n++;
    if (n > 18)
        return false;
    memcpy(buf, q, n);
    buf[n] = 0;
    *v = strtoull(buf, NULL, 16);
    *p = q + n;
    return true;
}

/* "main thread" (T0) or "thread T<n>", then an optional " '<name>'" */
static bool eat_thread(const char **p, int *tid)
{
    const char *q = *p;
    if (eat(&q, "main thread")) {
        *tid = 0;
    } else if (!eat(&q, "thread T") || !eat_int(&q, tid)) {
        return false;
    }
    if (q[0] == ' ' && q[1] == '\'') {
        const char *close = strchr(q + 2, '\'');
        if (close)
            q = close + 1;
    }
    *p = q;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return (char *)s;
}

/* TSan's "==================" line, possibly after program output that did not end its line */
static bool is_separator(const char *line)
{
    size_t n = strlen(line), k = strlen(SEPARATOR);
    while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    if (n < k || memcmp(line + n - k, SEPARATOR, k) != 0)
        return false;
    return n == k || line[n - k - 1] != '=';
}

/* ---------- frames ---------- */

/* Splits "function location" at the space before the location: the first " /" outside
 * parentheses (an absolute path; C++ names contain spaces inside their parameter lists), else the
 * last space outside parentheses. Returns the index of that space, or -1. */
static long location_split(const char *s)
{
    long last = -1;
    int depth = 0;
    for (long i = 0; s[i]; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && depth > 0)
            depth--;
        else if (s[i] == ' ' && depth == 0) {
            if (s[i + 1] == '/')
                return i;
            last = i;
        }
    }
    return last;
}

/* One frame from the text after "#N " ("increment /p/main.c:43:17 (mod+0xd0612) (BuildId: ..)"). */
static json_t *parse_frame(const char *text)
{
    char *s = strdup(text);
    if (!s)
        return NULL;
    char pc[24] = "0x0";
    char *module = NULL;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = 0;
    char *build_id = strstr(s, " (BuildId: ");
    if (build_id && ends_with(s, ")")) {
        *build_id = 0;
        n = strlen(s);
    }
    /* "(module+0xoff)", "(<unknown module>)" or "(0xabsolute)" at the end */
    char *open = n ? strrchr(s, '(') : NULL;
    if (open && s[n - 1] == ')' && (open == s || open[-1] == ' ')) {
        s[n - 1] = 0;
        const char *inner = open + 1;
        char *plus = strstr(inner, "+0x") ? strrchr(inner, '+') : NULL;
        unsigned long long v;
        const char *h = plus ? plus + 1 : inner;
        bool is_module = false;
        if (plus && eat_hex(&h, pc, &v) && *h == 0) {
            *plus = 0;
            module = open + 1;
            is_module = true;
        } else if (!plus && eat_hex(&h, pc, &v) && *h == 0) {
            is_module = true;
        } else if (strcmp(inner, "<unknown module>") == 0) {
            is_module = true;
        }
        if (is_module) {
            *open = 0;
        } else {
            s[n - 1] = ')'; /* part of the function name after all */
            snprintf(pc, sizeof pc, "0x0");
        }
    }
    char *head = s;
    n = strlen(head);
    while (n && head[n - 1] == ' ')
        head[--n] = 0;

    const char *function = head, *file = NULL;
    unsigned long long line = 0;
    long split = location_split(head);
    if (split >= 0) {
        head[split] = 0;
        char *loc = head + split + 1;
        if (strcmp(loc, "<null>") != 0 && *loc) {
            /* "file:line:column", "file:line" or "file" */
            for (int k = 0; k < 2; k++) {
                char *colon = strrchr(loc, ':');
                const char *digits = colon ? colon + 1 : NULL;
                unsigned long long v;
                if (!digits || !eat_number(&digits, &v) || *digits)
                    break;
                *colon = 0;
                line = v; /* the last number cut off is the line */
            }
            file = loc;
        }
    }
    json_t *f = json_pack("{s:s}", "pc", pc);
    if (f && strcmp(function, "<null>") != 0 && *function)
        json_object_set_new(f, "function", json_string(function));
    if (f && file && *file)
        json_object_set_new(f, "file", json_string(file));
    if (f && line && line <= INT_MAX)
        json_object_set_new(f, "line", json_integer((json_int_t)line));
    if (f && module && *module)
        json_object_set_new(f, "module", json_string(module));
    free(s);
    return f;
}

/* ---------- locks and threads ---------- */

static int max_lock_id(json_t *findings)
{
    int max = -1;
    size_t i, k;
    json_t *f, *l;
    json_array_foreach(findings, i, f) {
        json_array_foreach(json_object_get(f, "locks"), k, l) {
            json_int_t id = json_integer_value(json_object_get(l, "id"));
            if (id > max && id < INT_MAX)
                max = (int)id;
        }
    }
    return max;
}

static int lock_id_for(parse_ctx *ctx, int pid, unsigned long long addr)
{
    for (size_t i = 0; i < ctx->n_keys; i++)
        if (ctx->keys[i].pid == pid && ctx->keys[i].addr == addr)
            return ctx->keys[i].id;
    int id = ctx->next_lock_id++;
    lock_key *g = realloc(ctx->keys, (ctx->n_keys + 1) * sizeof *g);
    if (g) { /* out of memory: the id is still unique, only not shared with later reports */
        ctx->keys = g;
        ctx->keys[ctx->n_keys++] = (lock_key){ pid, addr, id };
    }
    return id;
}

/* TSan's mutex M<tsan_id> of this report, added to the finding's locks on first sight.
 * addr_text is NULL when the reference carries no address. NULL if out of memory. */
static mutex_ref *mutex_get(report_state *st, unsigned long long tsan_id, const char *addr_text,
                            unsigned long long addr)
{
    for (size_t i = 0; i < st->n_mutexes; i++) {
        mutex_ref *m = &st->mutexes[i];
        if (m->tsan_id != tsan_id)
            continue;
        if (addr_text && !m->has_addr) { /* keeps its id: unique, but not shared with other reports */
            m->has_addr = true;
            m->addr = addr;
            json_object_set_new(m->lock, "address", json_string(addr_text));
        }
        return m;
    }
    mutex_ref *g = realloc(st->mutexes, (st->n_mutexes + 1) * sizeof *g);
    if (!g)
        return NULL;
    st->mutexes = g;
    mutex_ref *m = &st->mutexes[st->n_mutexes];
    char name[32];
    snprintf(name, sizeof name, "M%llu", tsan_id);
    m->tsan_id = tsan_id;
    m->has_addr = addr_text != NULL;
    m->addr = addr;
    m->id = addr_text ? lock_id_for(st->ctx, st->pid, addr) : st->ctx->next_lock_id++;
    m->lock = json_pack("{s:i,s:s}", "id", m->id, "name", name);
    if (!m->lock)
        return NULL;
    if (addr_text)
        json_object_set_new(m->lock, "address", json_string(addr_text));
    json_array_append_new(json_object_get(st->finding, "locks"), m->lock);
    st->n_mutexes++;
    return m;
}

/* The finding's entry for thread tid, added on first mention. */
static json_t *thread_get(report_state *st, int tid)
{
    json_t *threads = json_object_get(st->finding, "threads");
    size_t i;
    json_t *t;
    json_array_foreach(threads, i, t)
        if (json_integer_value(json_object_get(t, "id")) == tid)
            return t;
    char name[32];
    snprintf(name, sizeof name, "T%d", tid);
    t = json_pack("{s:i,s:s}", "id", tid, "name", name);
    json_array_append_new(threads, t);
    return t;
}

/* ---------- section headers ---------- */

/* "Cycle in lock order graph: M0 (0x...) => M1 (0x...) => M0" */
static void parse_cycle(report_state *st, const char *p)
{
    json_t *cycle = json_array();
    for (;;) {
        unsigned long long m, addr;
        char addr_text[24];
        if (!eat(&p, "M") || !eat_number(&p, &m))
            break;
        const char *q = p;
        bool has_addr = eat(&q, " (") && eat_hex(&q, addr_text, &addr) && eat(&q, ")");
        if (has_addr)
            p = q;
        mutex_ref *ref = mutex_get(st, m, has_addr ? addr_text : NULL, has_addr ? addr : 0);
        if (!has_addr && json_array_size(cycle) && ref &&
            ref->id == json_integer_value(json_array_get(cycle, 0)))
            break; /* back at the first mutex */
        if (ref)
            json_array_append_new(cycle, json_integer(ref->id));
        if (!eat(&p, " => "))
            break;
    }
    json_object_set_new(st->finding, "cycle", cycle);
}

/* "Mutex M1 acquired here while holding mutex M0 in thread T1:" (TSan's edge M0 -> M1) */
static bool parse_edge(report_state *st, const char *p)
{
    unsigned long long to, from;
    int tid;
    if (!eat(&p, "Mutex M") || !eat_number(&p, &to) || !eat(&p, " acquired here while holding mutex M") ||
        !eat_number(&p, &from) || !eat(&p, " in ") || !eat_thread(&p, &tid) || !eat(&p, ":"))
        return false;
    mutex_ref *mf = mutex_get(st, from, NULL, 0);
    int from_id = mf ? mf->id : -1;
    mutex_ref *mt = mutex_get(st, to, NULL, 0);
    int to_id = mt ? mt->id : -1;
    thread_get(st, tid);
    json_t *e = json_pack("{s:i,s:i,s:i,s:[],s:[]}", "from", from_id, "to", to_id, "thread", tid,
                          "to_stack", "from_stack");
    if (!e)
        return false;
    json_array_append_new(st->edges, e);
    st->last_edge = e;
    st->stack = json_object_get(e, "to_stack");
    return true;
}

/* "Mutex M0 (0x...) created at:" or "Mutex M0 is already destroyed." */
static bool parse_mutex(report_state *st, const char *p)
{
    unsigned long long m, addr;
    char addr_text[24];
    if (!eat(&p, "Mutex M") || !eat_number(&p, &m))
        return false;
    const char *q = p;
    if (eat(&q, " (") && eat_hex(&q, addr_text, &addr) && eat(&q, ") created at:")) {
        mutex_ref *ref = mutex_get(st, m, addr_text, addr);
        if (ref) {
            json_t *init = json_array();
            json_object_set_new(ref->lock, "init", init);
            st->stack = init;
        }
        return true;
    }
    if (eat(&p, " is already destroyed.")) {
        mutex_get(st, m, NULL, 0);
        return true;
    }
    return false;
}

/* "[Previous ][atomic ]read|write of size N at 0x... by main thread|thread T1[ (mutexes: write M0)]:"
 * (TSan capitalises the first word) */
static bool parse_access(report_state *st, const char *p)
{
    bool atomic = false;
    eat(&p, "Previous ");
    if (eat(&p, "atomic ") || eat(&p, "Atomic "))
        atomic = true;
    const char *op;
    if (eat(&p, "read ") || eat(&p, "Read "))
        op = "read";
    else if (eat(&p, "write ") || eat(&p, "Write "))
        op = "write";
    else
        return false;
    unsigned long long size, addr;
    char addr_text[24];
    int tid;
    if (!eat(&p, "of size ") || !eat_number(&p, &size) || size > INT_MAX || !eat(&p, " at ") ||
        !eat_hex(&p, addr_text, &addr) || !eat(&p, " by ") || !eat_thread(&p, &tid))
        return false;
    json_t *a = json_pack("{s:i,s:s,s:i,s:s,s:b,s:[]}", "thread", tid, "op", op, "size", (int)size,
                          "address", addr_text, "atomic", atomic, "stack");
    if (!a)
        return false;
    thread_get(st, tid);
    json_array_append_new(st->accesses, a);
    st->stack = json_object_get(a, "stack");
    if (eat(&p, " (mutexes:")) {
        for (;;) {
            bool write;
            unsigned long long m;
            if (eat(&p, " write M"))
                write = true;
            else if (eat(&p, " read M"))
                write = false;
            else
                break;
            if (!eat_number(&p, &m))
                break;
            hold_ref *g = realloc(st->holds, (st->n_holds + 1) * sizeof *g);
            if (g) {
                st->holds = g;
                st->holds[st->n_holds++] = (hold_ref){ a, m, write };
            }
            if (!eat(&p, ","))
                break;
        }
    }
    return true;
}

/* "Location is global 'counter' of size 8 at 0x... (mod+0x...)", "... heap block of size 16 at
 * 0x... allocated by main thread:", "... stack of thread T2." */
static void parse_location(report_state *st, const char *p)
{
    if (st->detail) /* TSan prints one location; keep the first if ever there are more */
        return;
    st->detail = strdup(p);
    if (st->detail) {
        size_t n = strlen(st->detail);
        while (n && (st->detail[n - 1] == ':' || st->detail[n - 1] == '.' || st->detail[n - 1] == ' '))
            st->detail[--n] = 0;
    }
    if (!eat(&p, "global '"))
        return;
    const char *close = strchr(p, '\'');
    if (!close || close == p || strncmp(p, "<null>'", 7) == 0)
        return;
    st->variable = strndup(p, (size_t)(close - p));
    p = close + 1;
    unsigned long long size = 0, addr;
    char addr_text[24];
    if (eat(&p, " of size "))
        eat_number(&p, &size);
    if (eat(&p, " at ") && eat_hex(&p, addr_text, &addr)) {
        st->var_addr = addr;
        st->var_size = size;
    } else {
        free(st->variable); /* no address: it cannot name a mutex, and is hardly the variable */
        st->variable = NULL;
    }
}

/* "Thread T1 'name' (tid=123, running) created by main thread at:" */
static bool parse_thread(report_state *st, const char *p)
{
    int tid, parent;
    if (!eat(&p, "Thread T") || !eat_int(&p, &tid))
        return false;
    json_t *t = thread_get(st, tid);
    const char *by = strstr(p, " created by ");
    st->stack = NULL;
    if (!t || !by)
        return true;
    p = by + strlen(" created by ");
    if (eat_thread(&p, &parent))
        json_object_set_new(t, "parent", json_integer(parent));
    if (ends_with(p, " at:")) {
        json_t *created = json_array();
        json_object_set_new(t, "created_at", created);
        st->stack = created;
    }
    return true;
}

/* ---------- one report ---------- */

static const char *kind_for(const char *title, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof known_kinds / sizeof known_kinds[0]; i++)
        if (strcmp(title, known_kinds[i].title) == 0)
            return known_kinds[i].kind;
    size_t o = (size_t)snprintf(buf, n, "tsan-");
    bool dash = true; /* no '-' right after "tsan-" */
    for (const char *p = title; *p && o + 1 < n; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) && c < 0x80) {
            buf[o++] = (char)tolower(c);
            dash = false;
        } else if (!dash) {
            buf[o++] = '-';
            dash = true;
        }
    }
    while (o > 5 && buf[o - 1] == '-')
        o--;
    buf[o] = 0;
    if (o == 5)
        snprintf(buf, n, "tsan-other");
    return buf;
}

/* "fn (file.c:43)" for the first frame with a source file in stack (malloc'd); NULL if none */
static char *site_text(json_t *stack)
{
    size_t i;
    json_t *f;
    json_array_foreach(stack, i, f) {
        const char *file = json_string_value(json_object_get(f, "file"));
        const char *fn = json_string_value(json_object_get(f, "function"));
        json_int_t line = json_integer_value(json_object_get(f, "line"));
        if (!file)
            continue;
        const char *base = strrchr(file, '/');
        char *text = NULL;
        int n = line ? asprintf(&text, "%s (%s:%lld)", fn ? fn : "?", base ? base + 1 : file, (long long)line)
                     : asprintf(&text, "%s (%s)", fn ? fn : "?", base ? base + 1 : file);
        return n < 0 ? NULL : text;
    }
    return NULL;
}

static const char *lock_name(json_t *finding, json_int_t id)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(finding, "locks"), i, l)
        if (json_integer_value(json_object_get(l, "id")) == id)
            return json_string_value(json_object_get(l, "name"));
    return "?";
}

/* One line: "data race on 'counter' at increment (main.c:43)",
 * "lock-order-inversion (potential deadlock): M0 -> M1 -> M0 at transfer (main.c:61)",
 * "thread leak: T1 created at main (leak.c:11); 2 more similar" */
static void set_summary(report_state *st, const char *title, const char *kind)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        return;
    json_t *f = st->finding;
    fputs(title, out);
    if (st->variable)
        fprintf(out, " on '%s'", st->variable);
    json_t *cycle = json_object_get(f, "cycle");
    if (json_array_size(cycle)) {
        fputs(":", out);
        size_t i;
        json_t *id;
        json_array_foreach(cycle, i, id)
            fprintf(out, " %s ->", lock_name(f, json_integer_value(id)));
        fprintf(out, " %s", lock_name(f, json_integer_value(json_array_get(cycle, 0))));
    }
    json_t *threads = json_object_get(f, "threads");
    if (strcmp(kind, "thread-leak") == 0 && json_array_size(threads)) {
        json_t *t = json_array_get(threads, 0);
        fprintf(out, ": %s", json_string_value(json_object_get(t, "name")));
        char *site = site_text(json_object_get(t, "created_at"));
        if (site)
            fprintf(out, " created at %s", site);
        free(site);
    } else {
        json_t *stacks[3] = {
            json_object_get(json_array_get(st->accesses, 0), "stack"),
            json_object_get(json_array_get(st->edges, 0), "to_stack"),
            st->top_stack,
        };
        char *site = NULL;
        for (size_t i = 0; i < 3 && !site; i++)
            site = site_text(stacks[i]);
        if (site)
            fprintf(out, " at %s", site);
        free(site);
    }
    if (st->similar > 0)
        fprintf(out, "; %lld more similar", st->similar);
    fclose(out);
    if (text)
        json_object_set_new(f, "summary", json_string(text));
    free(text);
}

/* Resolves mutex references, names locks after the global variable they are, attaches the parts. */
static void finish_report(report_state *st, const char *title, const char *kind)
{
    json_t *f = st->finding;
    for (size_t i = 0; i < st->n_holds; i++) {
        mutex_ref *m = mutex_get(st, st->holds[i].tsan_id, NULL, 0);
        if (!m)
            continue;
        json_t *holds = json_object_get(st->holds[i].access, "holds");
        if (!holds) {
            holds = json_array();
            json_object_set_new(st->holds[i].access, "holds", holds);
        }
        json_array_append_new(holds, json_pack("{s:i,s:s}", "lock", m->id, "mode",
                                               st->holds[i].write ? "write" : "read"));
    }
    for (size_t i = 0; st->variable && i < st->n_mutexes; i++) {
        mutex_ref *m = &st->mutexes[i];
        if (!m->has_addr || m->addr < st->var_addr ||
            (m->addr != st->var_addr && m->addr - st->var_addr >= st->var_size))
            continue;
        char *name = NULL;
        if (m->addr == st->var_addr)
            name = strdup(st->variable);
        else if (asprintf(&name, "%s+%llu", st->variable, m->addr - st->var_addr) < 0)
            name = NULL;
        if (name)
            json_object_set_new(m->lock, "name", json_string(name));
        free(name);
    }
    if (json_array_size(st->accesses))
        json_object_set(f, "accesses", st->accesses);
    if (st->variable)
        json_object_set_new(f, "variable", json_string(st->variable));
    if (st->detail && *st->detail)
        json_object_set_new(f, "detail", json_string(st->detail));
    if (json_array_size(st->edges))
        json_object_set(f, "edges", st->edges);
    if (json_array_size(st->top_stack)) {
        json_object_set(f, "stack", st->top_stack);
    } else if (strcmp(kind, "thread-leak") == 0) {
        json_t *created = json_object_get(json_array_get(json_object_get(f, "threads"), 0), "created_at");
        if (json_array_size(created))
            json_object_set_new(f, "stack", json_deep_copy(created));
    }
    if (json_array_size(st->other_stacks))
        json_object_set(f, "other_stacks", st->other_stacks);
    if (st->similar > 0)
        json_object_set_new(f, "count", json_integer(st->similar + 1));
    set_summary(st, title, kind);
}

static void route_line(report_state *st, const char *line)
{
    const char *p = skip_spaces(line);
    if (p[0] == '#' && isdigit((unsigned char)p[1])) {
        while (isdigit((unsigned char)*++p))
            ;
        if (st->stack && *p == ' ')
            json_array_append_new(st->stack, parse_frame(skip_spaces(p)));
        return;
    }
    if (*p == 0) {
        st->stack = NULL;
        return;
    }
    if (p == line) /* TSan indents everything inside a report: program output, leave the stack be */
        return;
    if (strcmp(p, "[failed to restore the stack]") == 0)
        return;
    st->stack = NULL;
    if (eat(&p, "Cycle in lock order graph: ")) {
        parse_cycle(st, p);
    } else if (strncmp(p, "Mutex M", 7) == 0) {
        if (!parse_edge(st, p) && !parse_mutex(st, p)) {
            unsigned long long m;
            const char *q = p + 7;
            if (eat_number(&q, &m) && eat(&q, " previously acquired by the same thread here:") &&
                st->last_edge)
                st->stack = json_object_get(st->last_edge, "from_stack");
        }
    } else if (eat(&p, "Location is ")) {
        parse_location(st, p);
    } else if (strncmp(p, "Thread T", 8) == 0) {
        parse_thread(st, p);
    } else if (strcmp(p, "and:") == 0) {
        json_t *more = json_array();
        json_array_append_new(st->other_stacks, more);
        st->stack = more;
    } else if (eat(&p, "And ")) {
        unsigned long long n;
        if (eat_number(&p, &n) && eat(&p, " more similar thread leaks") && n < LLONG_MAX)
            st->similar = (long long)n;
    } else {
        parse_access(st, p); /* or some other section, whose frames are dropped */
    }
}

/* Builds the finding for lines[first..last] (the header line is lines[header]); false if unusable. */
static bool parse_block(parse_ctx *ctx, char **lines, size_t first, size_t header, size_t last, int pid)
{
    const char *title_start = skip_spaces(strstr(lines[header], HEADER) + strlen(HEADER));
    char *title = strdup(title_start);
    if (!title)
        return false;
    size_t n = strlen(title);
    while (n && title[n - 1] == ' ')
        title[--n] = 0;
    char *pid_at = strstr(title, " (pid=");
    while (pid_at && strstr(pid_at + 1, " (pid="))
        pid_at = strstr(pid_at + 1, " (pid=");
    if (pid_at && ends_with(title, ")")) {
        const char *q = pid_at + strlen(" (pid=");
        int v;
        if (eat_int(&q, &v) && strcmp(q, ")") == 0) {
            pid = v;
            *pid_at = 0;
        }
    }
    if (!*title) {
        free(title);
        return false;
    }
    char kind_buf[128];
    const char *kind = kind_for(title, kind_buf, sizeof kind_buf);

    report_state st = { .ctx = ctx, .pid = pid };
    st.finding = json_pack("{s:s,s:s,s:s,s:i,s:[],s:[]}", "kind", kind, "source", "tsan", "summary", title,
                           "pid", pid, "threads", "locks");
    st.top_stack = json_array();
    st.accesses = json_array();
    st.edges = json_array();
    st.other_stacks = json_array();
    bool ok = st.finding && st.top_stack && st.accesses && st.edges && st.other_stacks;
    if (ok) {
        st.stack = st.top_stack;
        for (size_t i = header + 1; i < last; i++)
            route_line(&st, lines[i]);
        finish_report(&st, title, kind);

        size_t len = 0;
        for (size_t i = first; i <= last; i++)
            len += strlen(lines[i]) + 1;
        char *raw = malloc(len + 1), *o = raw;
        for (size_t i = first; raw && i <= last; i++) {
            size_t l = strlen(lines[i]);
            memcpy(o, lines[i], l);
            o += l;
            *o++ = '\n';
        }
        if (raw) {
            *o = 0;
            json_object_set_new(st.finding, "tsan_text", json_string(raw));
        }
        free(raw);
        ok = json_array_append(ctx->findings, st.finding) == 0;
    }
    json_decref(st.finding);
    json_decref(st.top_stack);
    json_decref(st.accesses);
    json_decref(st.edges);
    json_decref(st.other_stacks);
    free(st.mutexes);
    free(st.holds);
    free(st.variable);
    free(st.detail);
    free(title);
    return ok;
}

static void parse_text(parse_ctx *ctx, const char *text, size_t len, int pid)
{
    char *buf = clean_text(text, len);
    size_t n_lines = 0;
    char **lines = buf ? split_lines(buf, &n_lines) : NULL;
    if (!lines) {
        free(buf);
        return;
    }
    for (size_t i = 0; i < n_lines;) {
        if (!strstr(lines[i], HEADER)) {
            i++;
            continue;
        }
        size_t first = i > 0 && is_separator(lines[i - 1]) ? i - 1 : i, end = i + 1;
        while (end < n_lines && !is_separator(lines[end]) && !strstr(lines[end], HEADER))
            end++;
        if (end < n_lines && is_separator(lines[end])) {
            if (parse_block(ctx, lines, first, i, end, pid))
                ctx->found++;
            else
                ctx->skipped++;
            i = end + 1;
        } else { /* cut short */
            ctx->skipped++;
            i = end;
        }
    }
    free(lines);
    free(buf);
}

/* ---------- API ---------- */

size_t rl_tsan_parse(const char *text, size_t len, int pid, json_t *findings, size_t *skipped)
{
    if (!json_is_array(findings) || (!text && len))
        return 0;
    parse_ctx ctx = { .findings = findings, .next_lock_id = max_lock_id(findings) + 1 };
    if (text)
        parse_text(&ctx, text, len, pid);
    free(ctx.keys);
    if (skipped)
        *skipped += ctx.skipped;
    return ctx.found;
}

typedef struct log_file {
    char *name;
    int pid;
} log_file;

static int cmp_log_file(const void *a, const void *b)
{
    const log_file *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The whole file; NULL if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, in);
        if (n < cap)
            break;
        char *g = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!g) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = g;
        cap *= 2;
    }
    if (buf && ferror(in)) {
        free(buf);
        buf = NULL;
    }
    fclose(in);
    *len = n;
    return buf;
}

size_t rl_tsan_parse_dir(const char *dir, const char *prefix, json_t *findings, size_t *skipped)
{
    if (!dir || !prefix || !json_is_array(findings))
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    parse_ctx ctx = { .findings = findings, .next_lock_id = max_lock_id(findings) + 1 };
    log_file *files = NULL;
    size_t n_files = 0;
    size_t prefix_len = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, prefix_len) != 0)
            continue;
        char *path = NULL;
        struct stat sb;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
            continue;
        bool regular = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
        free(path);
        if (!regular)
            continue;
        log_file *g = realloc(files, (n_files + 1) * sizeof *g);
        char *name = strdup(e->d_name);
        if (!g || !name) {
            free(name);
            if (g)
                files = g;
            ctx.skipped++;
            continue;
        }
        files = g;
        const char *dot = strrchr(name, '.');
        const char *digits = dot ? dot + 1 : "";
        int pid = 0;
        if (!eat_int(&digits, &pid) || *digits)
            pid = 0;
        files[n_files++] = (log_file){ name, pid };
    }
    closedir(d);
    if (n_files)
        qsort(files, n_files, sizeof *files, cmp_log_file);
    for (size_t i = 0; i < n_files; i++) {
        char *path = NULL;
        size_t len = 0;
        char *text = asprintf(&path, "%s/%s", dir, files[i].name) < 0 ? NULL : read_file(path, &len);
        if (text)
            parse_text(&ctx, text, len, files[i].pid);
        else
            ctx.skipped++;
        free(text);
        free(path);
        free(files[i].name);
    }
    free(files);
    free(ctx.keys);
    if (skipped)
        *skipped += ctx.skipped;
    return ctx.found;
}

bool rl_is_tsan_binary(const char *path)
{
    if (!path || elf_version(EV_CURRENT) == EV_NONE)
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool found = false;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    if (elf && elf_kind(elf) == ELF_K_ELF) {
        Elf_Scn *scn = NULL;
        while (!found && (scn = elf_nextscn(elf, scn))) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
                sh.sh_entsize == 0)
                continue;
            Elf_Data *data = elf_getdata(scn, NULL);
            size_t n = data ? data->d_size / sh.sh_entsize : 0;
            for (size_t i = 0; i < n && !found; i++) {
                GElf_Sym sym;
                if (!gelf_getsym(data, (int)i, &sym))
                    break;
                const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
                found = name && strcmp(name, "__tsan_init") == 0;
            }
        }
    }
    elf_end(elf);
    close(fd);
    return found;
}
