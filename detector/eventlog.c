/* eventlog.c: parses the runtime's event logs (docs/eventlog.md) into the arrays of eventlog.h. */
#include "eventlog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a u64 -> size_t map (open addressing), private to this file ---- */
typedef struct u64map { uint64_t *keys; size_t *vals; size_t mask, used; } u64map;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}

static bool map_get(const u64map *m, uint64_t key, size_t *val)
{
    if (!m->keys || key == 0)
        return false;
    for (size_t i = mix(key) & m->mask; m->keys[i]; i = (i + 1) & m->mask)
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return true;
        }
    return false;
}

static void map_put(u64map *m, uint64_t key, size_t val)
{
    if (key == 0)
        return;
    if ((m->used + 1) * 2 > (m->keys ? m->mask + 1 : 0)) {
        size_t n = m->keys ? (m->mask + 1) * 2 : 64;
        u64map g = { calloc(n, sizeof(uint64_t)), calloc(n, sizeof(size_t)), n - 1, 0 };
        if (!g.keys || !g.vals) {
            free(g.keys);
            free(g.vals);
            return;
        }
        for (size_t i = 0; m->keys && i <= m->mask; i++)
            if (m->keys[i])
                map_put(&g, m->keys[i], m->vals[i]);
        free(m->keys);
        free(m->vals);
        *m = g;
    }
    size_t i = mix(key) & m->mask;
    for (; m->keys[i]; i = (i + 1) & m->mask)
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return;
        }
    m->keys[i] = key;
    m->vals[i] = val;
    m->used++;
}

typedef struct index { u64map stacks, locks, gates, incarnations, threads; } index_t;

/* The threads map's key for thread tid of process image number proc (never 0). */
static uint64_t thread_key(const rl_eventlog *log, const rl_ev_proc *proc, uint32_t tid)
{
    return ((uint64_t)(proc - log->procs) + 1) << 32 | tid;
}

static index_t *idx(rl_eventlog *log)
{
    if (!log->index)
        log->index = calloc(1, sizeof(index_t));
    return log->index;
}

/* grow *arr (of n elements of size elem) by one, zeroed; returns the new element or NULL */
static void *push(void *arrp, size_t *n, size_t elem)
{
    void **arr = arrp;
    if ((*n & (*n - 1)) == 0) { /* n is 0 or a power of two: double */
        size_t cap = *n ? *n * 2 : 4;
        void *g = realloc(*arr, cap * elem);
        if (!g)
            return NULL;
        *arr = g;
    }
    void *e = (char *)*arr + *n * elem;
    memset(e, 0, elem);
    (*n)++;
    return e;
}

/* A number field: strtoull(s, NULL, 0), with the two forms the runtime writes (0x-prefixed hex and
 * decimal without leading zeros) read directly; about half of the parse time went to strtoull. */
static uint64_t num(const char *s)
{
    if (!s)
        return 0;
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        int n = 0;
        for (const char *p = s + 2;; p++, n++) {
            unsigned d;
            if (*p >= '0' && *p <= '9')
                d = (unsigned)(*p - '0');
            else if (*p >= 'a' && *p <= 'f')
                d = (unsigned)(*p - 'a' + 10);
            else if (*p >= 'A' && *p <= 'F')
                d = (unsigned)(*p - 'A' + 10);
            else
                break;
            if (n == 16)
                return strtoull(s, NULL, 0); /* out of range: strtoull's answer */
            v = v << 4 | d;
        }
        return v;
    }
    if (s[0] >= '1' && s[0] <= '9') {
        int n = 0;
        for (const char *p = s; *p >= '0' && *p <= '9'; p++, n++) {
            if (n == 19)
                return strtoull(s, NULL, 0);
            v = v * 10 + (uint64_t)(*p - '0');
        }
        return v;
    }
    return strtoull(s, NULL, 0);
}

/* Split a line into at most max tokens; the last token keeps the rest of the line. */
static size_t split(char *line, char **tok, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        tok[n++] = p;
        if (n == max)
            break;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = 0;
    }
    return n;
}

static rl_ev_proc *current(rl_eventlog *log, rl_ev_proc **cur)
{
    (void)log;
    return *cur;
}

static void parse_line(rl_eventlog *log, char *line, rl_ev_proc **curp)
{
    char *t[16];
    char tag[4] = { 0 };
    size_t tl = strcspn(line, " ");
    if (tl == 0 || tl > 2) {
        log->malformed++;
        return;
    }
    memcpy(tag, line, tl);
    rl_ev_proc *cur = current(log, curp);
    index_t *ix = idx(log);
    if (!ix)
        return;
    if (strcmp(tag, "P") == 0) {
        size_t n = split(line + 1, t, 5);
        if (n < 4) { log->malformed++; return; }
        rl_ev_proc *p = push(&log->procs, &log->n_procs, sizeof *p);
        if (!p) return;
        p->pid = (int)num(t[0]);
        p->ppid = (int)num(t[1]);
        p->incarnation = (uint32_t)num(t[2]);
        p->start_us = num(t[3]);
        p->exe = strdup(n > 4 ? t[4] : "");
        map_put(&ix->incarnations, p->incarnation, log->n_procs - 1);
        *curp = p;
        return;
    }
    if (!cur) { /* lines before any P header */
        log->malformed++;
        return;
    }
    if (strcmp(tag, "M") == 0) {
        if (split(line + 1, t, 2) < 2) { log->malformed++; return; }
        rl_ev_module *m = push(&cur->modules, &cur->n_modules, sizeof *m);
        if (m) { m->bias = num(t[0]); m->path = strdup(t[1]); }
    } else if (strcmp(tag, "T") == 0) {
        if (split(line + 1, t, 3) < 3) { log->malformed++; return; }
        uint32_t tid = (uint32_t)num(t[0]);
        size_t known;
        if (map_get(&ix->threads, thread_key(log, cur, tid), &known))
            return;
        rl_ev_thread *th = push(&cur->threads, &cur->n_threads, sizeof *th);
        if (th) {
            th->tid = tid;
            th->parent = (int32_t)strtoll(t[1], NULL, 10);
            th->stack = num(t[2]);
            map_put(&ix->threads, thread_key(log, cur, tid), cur->n_threads - 1);
        }
    } else if (strcmp(tag, "t") == 0) {
        if (split(line + 1, t, 1) < 1) return;
        size_t i;
        if (map_get(&ix->threads, thread_key(log, cur, (uint32_t)num(t[0])), &i))
            cur->threads[i].ended = true;
    } else if (strcmp(tag, "S") == 0) {
        char *save = NULL, *tok = strtok_r(line + 1, " ", &save);
        if (!tok) { log->malformed++; return; }
        rl_ev_stack *s = push(&log->stacks, &log->n_stacks, sizeof *s);
        if (!s) return;
        s->uid = num(tok);
        size_t cap = 0;
        while ((tok = strtok_r(NULL, " ", &save))) {
            if (s->n == cap) {
                cap = cap ? cap * 2 : 8;
                uint64_t *g = realloc(s->pcs, cap * sizeof *g);
                if (!g) break;
                s->pcs = g;
            }
            s->pcs[s->n++] = num(tok);
        }
        map_put(&ix->stacks, s->uid, log->n_stacks - 1);
    } else if (strcmp(tag, "L") == 0) {
        size_t nt = split(line + 1, t, 7);
        if (nt < 6) { log->malformed++; return; }
        rl_ev_lock *l = push(&log->locks, &log->n_locks, sizeof *l);
        if (!l) return;
        l->uid = num(t[0]);
        l->addr = num(t[1]);
        snprintf(l->kind, sizeof l->kind, "%s", t[2]);
        snprintf(l->mtype, sizeof l->mtype, "%s", t[3]);
        l->pshared = (int)num(t[4]);
        l->init_stack = num(t[5]);
        l->first_use = nt > 6 && num(t[6]) != 0; /* optional */
        l->proc = (size_t)(cur - log->procs);
        map_put(&ix->locks, l->uid, log->n_locks - 1);
    } else if (strcmp(tag, "N") == 0) {
        if (split(line + 1, t, 2) < 2) { log->malformed++; return; }
        rl_ev_name *nm = push(&log->names, &log->n_names, sizeof *nm);
        if (nm) { nm->addr = num(t[0]); nm->name = strdup(t[1]); }
    } else if (strcmp(tag, "G") == 0) {
        char *save = NULL, *tok = strtok_r(line + 1, " ", &save);
        if (!tok) { log->malformed++; return; }
        uint64_t uid = num(tok);
        size_t gi;
        rl_ev_gates *g;
        if (map_get(&ix->gates, uid, &gi)) { /* continuation line */
            g = &log->gates[gi];
        } else {
            g = push(&log->gates, &log->n_gates, sizeof *g);
            if (!g) return;
            g->uid = uid;
            map_put(&ix->gates, uid, log->n_gates - 1);
        }
        while ((tok = strtok_r(NULL, " ", &save))) {
            uint64_t *grown = realloc(g->locks, (g->n + 1) * sizeof *grown);
            if (!grown) break;
            g->locks = grown;
            g->locks[g->n++] = num(tok);
        }
    } else if (strcmp(tag, "E") == 0) {
        if (split(line + 1, t, 9) < 9) { log->malformed++; return; }
        rl_ev_edge *e = push(&cur->edges, &cur->n_edges, sizeof *e);
        if (!e) return;
        e->from = num(t[0]); e->to = num(t[1]); e->tid = (uint32_t)num(t[2]);
        e->hold_mode = t[3][0]; e->want_mode = t[4][0]; e->trylock = num(t[5]) != 0;
        e->from_stack = num(t[6]); e->to_stack = num(t[7]); e->gates = num(t[8]);
    } else if (strcmp(tag, "F") == 0) {
        if (split(line + 1, t, 6) < 6) { log->malformed++; return; }
        rl_ev_misuse *f = push(&cur->misuse, &cur->n_misuse, sizeof *f);
        if (!f) return;
        snprintf(f->kind, sizeof f->kind, "%s", t[0]);
        f->tid = (uint32_t)num(t[1]); f->lock = num(t[2]); f->stack = num(t[3]); f->other = num(t[4]);
        snprintf(f->detail, sizeof f->detail, "%s", strcmp(t[5], "-") ? t[5] : "");
    } else if (strcmp(tag, "D") == 0) {
        if (split(line + 1, t, 1) < 1) { log->malformed++; return; }
        snprintf(cur->deadlock, sizeof cur->deadlock, "%s", t[0]);
    } else if (strcmp(tag, "DW") == 0) {
        size_t nt = split(line + 2, t, 7);
        if (nt < 5) { log->malformed++; return; }
        rl_ev_wait *w = push(&cur->waits, &cur->n_waits, sizeof *w);
        if (!w) return;
        w->tid = (uint32_t)num(t[0]);
        snprintf(w->op, sizeof w->op, "%s", t[1]);
        w->object = num(t[2]); w->join_tid = strtoll(t[3], NULL, 10); w->where = num(t[4]);
        if (nt > 5) /* optional: a full stack of the acquisition */
            w->full = num(t[5]);
        if (nt > 6) /* optional: a condition wait's mutex */
            w->via = num(t[6]);
    } else if (strcmp(tag, "DH") == 0) {
        if (split(line + 2, t, 5) < 5) { log->malformed++; return; }
        rl_ev_hold *h = push(&cur->holds, &cur->n_holds, sizeof *h);
        if (!h) return;
        h->tid = (uint32_t)num(t[0]); h->lock = num(t[1]); h->mode = t[2][0];
        h->where = num(t[3]); h->first_stack = num(t[4]);
    } else if (strcmp(tag, "DE") == 0) {
        /* end of the deadlock block */
    } else if (strcmp(tag, "Y") == 0) {
        char *save = NULL, *tok;
        uint64_t *cyc = NULL;
        size_t n = 0;
        for (tok = strtok_r(line + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            uint64_t *g = realloc(cyc, (n + 1) * sizeof *g);
            if (!g) break;
            cyc = g;
            cyc[n++] = num(tok);
        }
        size_t k = cur->n_live_cycles;
        uint64_t **gc = realloc(cur->live_cycles, (k + 1) * sizeof *gc);
        size_t *gl = gc ? realloc(cur->live_cycle_len, (k + 1) * sizeof *gl) : NULL;
        if (gc) cur->live_cycles = gc;
        if (gl) cur->live_cycle_len = gl;
        if (!gc || !gl) { free(cyc); return; }
        cur->live_cycles[k] = cyc;
        cur->live_cycle_len[k] = n;
        cur->n_live_cycles++;
    } else if (strcmp(tag, "C") == 0) {
        size_t nc = split(line + 1, t, 5);
        if (nc < 4) { log->malformed++; return; }
        cur->has_stats = true;
        cur->stat_threads = num(t[0]); cur->stat_locks = num(t[1]);
        cur->stat_edges = num(t[2]); cur->stat_acquisitions = num(t[3]);
        cur->stat_max_live = nc > 4 ? num(t[4]) : 0;
    } else if (strcmp(tag, "V") == 0) {
        if (split(line + 1, t, 3) < 3) { log->malformed++; return; }
        rl_ev_var *v = push(&cur->vars, &cur->n_vars, sizeof *v);
        if (!v) return;
        v->uid = num(t[0]); v->initial = strtoll(t[1], NULL, 10); v->name = strdup(t[2]);
    } else if (strcmp(tag, "R") == 0) {
        char *save = NULL, *tok[64];
        size_t n = 0;
        for (char *x = strtok_r(line + 1, " ", &save); x && n < 64; x = strtok_r(NULL, " ", &save))
            tok[n++] = x;
        if (n < 12) { log->malformed++; return; }
        rl_ev_race *r = push(&cur->races, &cur->n_races, sizeof *r);
        if (!r) return;
        r->var = num(tok[0]);
        snprintf(r->kind, sizeof r->kind, "%s", tok[1]);
        r->now.tid = (uint32_t)num(tok[2]); r->now.op = tok[3][0]; r->now.value = strtoll(tok[4], NULL, 10); r->now.stack = num(tok[5]);
        r->earlier.tid = (uint32_t)num(tok[6]); r->earlier.op = tok[7][0]; r->earlier.value = strtoll(tok[8], NULL, 10); r->earlier.stack = num(tok[9]);
        size_t at = 10;
        rl_ev_access *acc[2] = { &r->now, &r->earlier };
        for (int k = 0; k < 2 && at < n; k++) {
            uint32_t cnt = (uint32_t)num(tok[at++]);
            for (uint32_t i = 0; i < cnt && at < n; i++, at++)
                if (acc[k]->n_held < 8)
                    acc[k]->held[acc[k]->n_held++] = num(tok[at]);
        }
        for (int k = 0; k < 2 && at < n; k++) /* optional: which were held for reading */
            acc[k]->held_read = (uint8_t)num(tok[at++]);
    } else if (strcmp(tag, "K") == 0) {
        if (split(line + 1, t, 4) < 4) { log->malformed++; return; }
        rl_ev_lockset *k = push(&cur->lockset, &cur->n_lockset, sizeof *k);
        if (k) { k->var = num(t[0]); k->tid = (uint32_t)num(t[1]); k->op = t[2][0]; k->stack = num(t[3]); }
    } else if (strcmp(tag, "Q") == 0 || strcmp(tag, "QE") == 0 || strcmp(tag, "U") == 0) {
        /* Q and QE end in an optional stack (older logs lack it) */
        bool is_q = strcmp(tag, "Q") == 0;
        size_t want = tag[0] == 'U' ? 11 : is_q ? 3 : 8;
        size_t got = split(line + strlen(tag), t, tag[0] == 'U' ? want : want + 1);
        if (got < want) { log->malformed++; return; }
        rl_ev_var *v = NULL;
        for (size_t i = 0; i < cur->n_vars; i++)
            if (cur->vars[i].uid == num(t[0]))
                v = &cur->vars[i];
        if (!v) { log->malformed++; return; }
        if (tag[0] == 'U') {
            v->has_totals = true;
            v->actual = strtoll(t[1], NULL, 10); v->expected = strtoll(t[2], NULL, 10);
            v->lost_value = strtoll(t[3], NULL, 10); v->lost_writes = num(t[4]); v->stale_stores = num(t[5]);
            v->version = num(t[6]); v->outside_writes = num(t[7]); v->nomem = num(t[8]) != 0;
            v->lost_since_assignment = strtoll(t[9], NULL, 10);
            char *extra[5] = { 0 };
            size_t ne = split(t[10], extra, 4); /* lost_updates [accesses locked threads] */
            v->lost_updates = ne > 0 ? num(extra[0]) : 0;
            if (ne >= 4) {
                v->accesses = num(extra[1]); v->locked_accesses = num(extra[2]); v->threads = num(extra[3]);
            }
        } else if (strcmp(tag, "Q") == 0) {
            v->has_trace = true; v->trace_tid = (uint32_t)num(t[1]); v->trace_skipped = num(t[2]);
            v->trace_stack = got > 3 ? num(t[3]) : 0;
        } else {
            rl_ev_trace_event *e = push(&v->trace, &v->n_trace, sizeof *e);
            if (!e) return;
            e->tid = strtoll(t[2], NULL, 10);
            snprintf(e->op, sizeof e->op, "%s", t[3]);
            e->value = strtoll(t[4], NULL, 10); e->version = num(t[5]); e->stale = num(t[6]) != 0;
            e->overwrote = strtoll(t[7], NULL, 10);
            e->stack = got > 8 ? num(t[8]) : 0;
        }
    } else if (strcmp(tag, "Z") == 0) {
        if (split(line + 1, t, 4) < 4) { log->malformed++; return; }
        rl_ev_tl *e = push(&cur->timeline, &cur->n_timeline, sizeof *e);
        if (!e) return;
        e->tid = (uint32_t)num(t[0]); e->t_us = num(t[1]);
        snprintf(e->op, sizeof e->op, "%s", t[2]);
        e->lock = num(t[3]);
    } else if (strcmp(tag, "ZD") == 0) {
        if (split(line + 2, t, 2) < 2) { log->malformed++; return; }
        cur->timeline_dropped += num(t[1]);
    } else if (strcmp(tag, "ZM") == 0) {
        if (split(line + 2, t, 2) < 2) { log->malformed++; return; }
        snprintf(cur->timeline_mark, sizeof cur->timeline_mark, "%s", t[0]);
        cur->timeline_mark_us = num(t[1]);
    } else if (strcmp(tag, "H") == 0) {
        if (split(line + 1, t, 5) < 5) { log->malformed++; return; }
        cur->has_schedule = true;
        snprintf(cur->schedule, sizeof cur->schedule, "%s", t[0]);
        cur->seed = num(t[1]); cur->event_hash = num(t[2]); cur->steps = num(t[3]); cur->fallbacks = num(t[4]);
    } else if (strcmp(tag, "I") == 0) {
        const char *text = line + 1 + strspn(line + 1, " ");
        for (size_t i = 0; i < cur->n_notes; i++)
            if (strcmp(cur->notes[i], text) == 0)
                return;
        char **g = realloc(cur->notes, (cur->n_notes + 1) * sizeof *g);
        if (!g) return;
        cur->notes = g;
        cur->notes[cur->n_notes++] = strdup(text);
    } else if (strcmp(tag, "W") == 0) {
        if (split(line + 1, t, 3) < 3) { log->malformed++; return; }
        rl_ev_reaped *w = push(&cur->reaped, &cur->n_reaped, sizeof *w);
        if (w) { w->pid = (int)num(t[0]); w->status = strtoll(t[1], NULL, 10); w->signal = (int)num(t[2]); }
    } else if (strcmp(tag, "X") == 0) {
        if (split(line + 1, t, 2) < 2) { log->malformed++; return; }
        snprintf(cur->exit_how, sizeof cur->exit_how, "%s", t[0]);
        cur->exit_status = strtoll(t[1], NULL, 10);
    } else {
        log->malformed++;
    }
}

void rl_eventlog_parse(rl_eventlog *log, const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, text, len);
    copy[len] = 0;
    rl_ev_proc *cur = NULL;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (cur) /* procs may have moved (realloc): re-derive the current one */
            cur = &log->procs[log->n_procs - 1];
        parse_line(log, line, &cur);
    }
    /* A final line without '\n' was cut by a crash mid-write: strtok_r still hands it over; that is
     * fine for complete records and a malformed count for torn ones. */
    free(copy);
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int rl_eventlog_read_dir(const char *dir, rl_eventlog *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "racelab.", 8) != 0)
            continue;
        char **g = realloc(names, (n + 1) * sizeof *g);
        if (!g)
            break;
        names = g;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        free(names[i]);
        if (!f)
            continue;
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
            if (len + 65536 > cap) {
                cap = cap ? cap * 2 : 131072;
                char *g = realloc(buf, cap);
                if (!g)
                    break;
                buf = g;
            }
            size_t r = fread(buf + len, 1, cap - len, f);
            len += r;
            if (r == 0)
                break;
        }
        fclose(f);
        if (buf)
            rl_eventlog_parse(out, buf, len);
        free(buf);
    }
    free(names);
    return 0;
}

void rl_eventlog_free(rl_eventlog *log)
{
    for (size_t i = 0; i < log->n_procs; i++) {
        rl_ev_proc *p = &log->procs[i];
        free(p->exe);
        for (size_t k = 0; k < p->n_modules; k++)
            free(p->modules[k].path);
        free(p->modules);
        free(p->threads);
        free(p->edges);
        free(p->misuse);
        free(p->waits);
        free(p->holds);
        for (size_t k = 0; k < p->n_notes; k++)
            free(p->notes[k]);
        free(p->notes);
        for (size_t k = 0; k < p->n_live_cycles; k++)
            free(p->live_cycles[k]);
        free(p->live_cycles);
        free(p->live_cycle_len);
        for (size_t k = 0; k < p->n_vars; k++) {
            free(p->vars[k].name);
            free(p->vars[k].trace);
        }
        free(p->vars);
        free(p->races);
        free(p->timeline);
        free(p->reaped);
        free(p->lockset);
    }
    free(log->procs);
    for (size_t i = 0; i < log->n_stacks; i++)
        free(log->stacks[i].pcs);
    free(log->stacks);
    free(log->locks);
    for (size_t i = 0; i < log->n_gates; i++)
        free(log->gates[i].locks);
    free(log->gates);
    for (size_t i = 0; i < log->n_names; i++)
        free(log->names[i].name);
    free(log->names);
    index_t *ix = log->index;
    if (ix) {
        u64map *maps[] = { &ix->stacks, &ix->locks, &ix->gates, &ix->incarnations, &ix->threads };
        for (size_t i = 0; i < sizeof maps / sizeof *maps; i++) {
            free(maps[i]->keys);
            free(maps[i]->vals);
        }
        free(ix);
    }
    memset(log, 0, sizeof *log);
}

const rl_ev_stack *rl_eventlog_stack(const rl_eventlog *log, uint64_t uid)
{
    size_t i;
    return log->index && map_get(&((index_t *)log->index)->stacks, uid, &i) ? &log->stacks[i] : NULL;
}

const rl_ev_lock *rl_eventlog_lock(const rl_eventlog *log, uint64_t uid)
{
    size_t i;
    return log->index && map_get(&((index_t *)log->index)->locks, uid, &i) ? &log->locks[i] : NULL;
}

const rl_ev_gates *rl_eventlog_gates(const rl_eventlog *log, uint64_t uid)
{
    size_t i;
    return log->index && map_get(&((index_t *)log->index)->gates, uid, &i) ? &log->gates[i] : NULL;
}

const rl_ev_proc *rl_eventlog_proc_of(const rl_eventlog *log, uint64_t uid)
{
    size_t i;
    return log->index && map_get(&((index_t *)log->index)->incarnations, uid >> 32, &i) ? &log->procs[i] : NULL;
}

const char *rl_eventlog_name_for(const rl_eventlog *log, uint64_t addr)
{
    const char *name = NULL;
    for (size_t i = 0; i < log->n_names; i++)
        if (log->names[i].addr == addr)
            name = log->names[i].name; /* the latest wins */
    return name;
}
