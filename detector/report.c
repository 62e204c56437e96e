/* report.c: builds the report document from the event logs (see report.h). */
#include "report.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_check.h"
#include "cycle_enum.h"
#include "symbolize.h"

typedef struct builder {
    const rl_eventlog *log;
    const rl_run_info *info;
    rl_symbolizer **syms;      /* per process image, lazily */
    uint64_t *lock_uids;       /* report lock id = index here */
    size_t n_lock_ids;
    json_t *notes;
    /* per log lock (index in log->locks), numbered on first need: locks made at one call site (the
     * first frame of the stack that initialised or first used them), in the order they were made */
    uint32_t *site_ordinal;    /* 1, 2, ... among its site's locks; 0 without a stack */
    uint32_t *site_total;      /* how many locks its site made */
    bool sites_numbered;
} builder;

/* ---------- symbols ---------- */

static rl_symbolizer *symbolizer_for(builder *b, const rl_ev_proc *p)
{
    if (!p)
        return NULL;
    size_t i = (size_t)(p - b->log->procs);
    if (!b->syms[i]) {
        b->syms[i] = rl_symbolizer_new();
        for (size_t k = 0; b->syms[i] && k < p->n_modules; k++)
            rl_symbolizer_add_module(b->syms[i], p->modules[k].path, p->modules[k].bias);
    }
    return b->syms[i];
}

static const char *short_path(builder *b, const char *path)
{
    return b->info->source_root ? rl_path_relative(path, b->info->source_root) : path;
}

static json_t *frames_json(builder *b, uint64_t stack_uid)
{
    json_t *arr = json_array();
    const rl_ev_stack *s = rl_eventlog_stack(b->log, stack_uid);
    if (!s)
        return arr;
    rl_symbolizer *sym = symbolizer_for(b, rl_eventlog_proc_of(b->log, stack_uid));
    bool done = false;
    for (size_t i = 0; i < s->n && !done; i++) {
        rl_frame inl[8];
        size_t n_inl = 0;
        if (sym)
            n_inl = rl_symbolize_code_inlined(sym, s->pcs[i], true, inl, 8);
        if (n_inl == 0) {
            memset(&inl[0], 0, sizeof inl[0]);
            inl[0].pc = s->pcs[i];
            n_inl = 1;
        }
        for (size_t k = 0; k < n_inl && !done; k++) {
            rl_frame *f = &inl[k];
            /* racelab.h's inline wrappers are racelab's, not the program's: show their caller */
            size_t fl = strlen(f->file);
            if (fl >= 10 && strcmp(f->file + fl - 10, "/racelab.h") == 0)
                continue;
            char pc[32];
            snprintf(pc, sizeof pc, "0x%llx", (unsigned long long)s->pcs[i]);
            json_t *fr = json_pack("{s:s}", "pc", pc);
            if (f->function[0])
                json_object_set_new(fr, "function", json_string(f->function));
            if (f->file[0])
                json_object_set_new(fr, "file", json_string(short_path(b, f->file)));
            if (f->line)
                json_object_set_new(fr, "line", json_integer(f->line));
            if (f->module[0]) {
                json_object_set_new(fr, "module", json_string(f->module));
                const rl_ev_proc *owner = rl_eventlog_proc_of(b->log, stack_uid);
                for (size_t m = 0; owner && m < owner->n_modules; m++)
                    if (strcmp(owner->modules[m].path, f->module) == 0 && s->pcs[i] >= owner->modules[m].bias) {
                        char off[32];
                        snprintf(off, sizeof off, "0x%llx", (unsigned long long)(s->pcs[i] - owner->modules[m].bias));
                        json_object_set_new(fr, "module_offset", json_string(off));
                        break;
                    }
            }
            if (k > 0)
                json_object_set_new(fr, "inlined", json_true());
            json_array_append_new(arr, fr);
            /* stop at main or the thread's start: the frames below (libc) say nothing to a student */
            if (strcmp(f->function, "main") == 0)
                done = true;
            else if (json_array_size(arr) > 1 &&
                     (strcmp(f->function, "start_thread") == 0 || strcmp(f->function, "__clone3") == 0)) {
                json_array_remove(arr, json_array_size(arr) - 1);
                done = true;
            }
        }
    }
    return arr;
}

/* "func (file:line)" of a stack's first frame with a source line */
static void site_text(json_t *frames, char *buf, size_t n)
{
    buf[0] = 0;
    size_t i;
    json_t *f;
    json_array_foreach(frames, i, f) {
        const char *fn = json_string_value(json_object_get(f, "function"));
        const char *file = json_string_value(json_object_get(f, "file"));
        json_int_t line = json_integer_value(json_object_get(f, "line"));
        if (file) {
            const char *base = strrchr(file, '/');
            snprintf(buf, n, "%s (%s:%lld)", fn ? fn : "?", base ? base + 1 : file, (long long)line);
            return;
        }
        if (fn && !buf[0])
            snprintf(buf, n, "%s", fn);
    }
}

static size_t elem_size(const char *kind)
{
    if (strcmp(kind, "mutex") == 0) return sizeof(pthread_mutex_t);
    if (strcmp(kind, "rwlock") == 0) return sizeof(pthread_rwlock_t);
    if (strcmp(kind, "cond") == 0) return sizeof(pthread_cond_t);
    if (strcmp(kind, "spinlock") == 0) return sizeof(pthread_spinlock_t);
    return 32; /* sem_t */
}

static void number_lock_sites(builder *b);

/* The place a stack names, as lock names and finding summaries show it: "fn (file.c:line)". */
static void stack_site_text(builder *b, uint64_t stack_uid, char *buf, size_t n)
{
    json_t *fr = frames_json(b, stack_uid);
    site_text(fr, buf, n);
    json_decref(fr);
}

/* A name for a lock: the program's own (racelab_name_lock), its symbol (a global), or, for a lock in
 * the heap or on a stack, its kind and the place that made it; when that place made several locks,
 * which one ("mutex #2 at make_node (list.c:16)"), so that two locks of one finding never share a name. */
static void lock_name(builder *b, const rl_ev_lock *l, char *buf, size_t n)
{
    const char *given = rl_eventlog_name_for(b->log, l->addr);
    if (given) {
        snprintf(buf, n, "%s", given);
        return;
    }
    rl_symbolizer *sym = symbolizer_for(b, &b->log->procs[l->proc]);
    if (sym && rl_symbolize_data(sym, l->addr, elem_size(l->kind), buf, n) == 0 && buf[0])
        return;
    char site[600];
    stack_site_text(b, l->init_stack, site, sizeof site);
    number_lock_sites(b);
    size_t index = (size_t)(l - b->log->locks);
    bool several = b->site_total && index < b->log->n_locks && b->site_total[index] > 1;
    if (site[0] && several)
        snprintf(buf, n, "%s #%u at %s", l->kind, b->site_ordinal[index], site);
    else if (site[0])
        snprintf(buf, n, "%s at %s", l->kind, site);
    else
        snprintf(buf, n, "%s 0x%llx", l->kind, (unsigned long long)l->addr);
}

static int lock_id(builder *b, uint64_t uid)
{
    for (size_t i = 0; i < b->n_lock_ids; i++)
        if (b->lock_uids[i] == uid)
            return (int)i;
    uint64_t *g = realloc(b->lock_uids, (b->n_lock_ids + 1) * sizeof *g);
    if (!g)
        return -1;
    b->lock_uids = g;
    b->lock_uids[b->n_lock_ids] = uid;
    return (int)b->n_lock_ids++;
}

static json_t *lock_json(builder *b, uint64_t uid)
{
    const rl_ev_lock *l = rl_eventlog_lock(b->log, uid);
    char name[512], addr[32];
    if (!l)
        return json_pack("{s:i,s:s}", "id", lock_id(b, uid), "name", "unknown lock");
    lock_name(b, l, name, sizeof name);
    snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)l->addr);
    json_t *j = json_pack("{s:i,s:s,s:s,s:s}", "id", lock_id(b, uid), "name", name, "address", addr,
                          "kind", l->kind);
    if (strcmp(l->kind, "mutex") == 0)
        json_object_set_new(j, "type", json_string(l->mtype));
    json_object_set_new(j, "init", frames_json(b, l->init_stack));
    if (l->first_use)
        json_object_set_new(j, "first_use", json_true());
    return j;
}

static const char *name_of(json_t *locks, int id)
{
    size_t i;
    json_t *l;
    json_array_foreach(locks, i, l)
        if (json_integer_value(json_object_get(l, "id")) == id)
            return json_string_value(json_object_get(l, "name"));
    return "?";
}

/* add a lock to a finding's "locks" (once) and return its id */
static int add_lock(builder *b, json_t *finding, uint64_t uid)
{
    json_t *locks = json_object_get(finding, "locks");
    int id = lock_id(b, uid);
    size_t i;
    json_t *l;
    json_array_foreach(locks, i, l)
        if (json_integer_value(json_object_get(l, "id")) == id)
            return id;
    json_array_append_new(locks, lock_json(b, uid));
    return id;
}

static void add_thread(builder *b, json_t *finding, const rl_ev_proc *p, uint32_t tid)
{
    json_t *threads = json_object_get(finding, "threads");
    size_t i;
    json_t *t;
    json_array_foreach(threads, i, t)
        if (json_integer_value(json_object_get(t, "id")) == tid)
            return;
    char name[32];
    snprintf(name, sizeof name, "T%u", tid);
    json_t *j = json_pack("{s:i,s:s}", "id", (int)tid, "name", name);
    for (size_t k = 0; k < p->n_threads; k++)
        if (p->threads[k].tid == tid) {
            if (p->threads[k].parent >= 0)
                json_object_set_new(j, "parent", json_integer(p->threads[k].parent));
            if (p->threads[k].stack)
                json_object_set_new(j, "created_at", frames_json(b, p->threads[k].stack));
        }
    json_array_append_new(threads, j);
}

static json_t *new_finding(const char *kind, const rl_ev_proc *p)
{
    return json_pack("{s:s,s:s,s:i,s:[],s:[]}", "kind", kind, "summary", "", "pid", p->pid, "threads",
                     "locks");
}

/* ---------- potential deadlocks: the complete cycle analysis ---------- */

/* Lock uids numbered densely (0, 1, ...) for the cycle enumeration; a hash index keeps it linear in
 * the number of logged edges (programs with 10^5 locks exist). */
typedef struct dense {
    uint64_t *uids; size_t n, cap;
    uint64_t *keys; uint32_t *vals; size_t mask; /* open addressing: uid -> id */
} dense;

static uint64_t dense_hash(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33;
    return x;
}

static bool dense_rehash(dense *d, size_t slots)
{
    uint64_t *keys = calloc(slots, sizeof *keys);
    uint32_t *vals = calloc(slots, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return false;
    }
    for (size_t i = 0; i < d->n; i++) {
        if (!d->uids[i])
            continue;
        size_t j = dense_hash(d->uids[i]) & (slots - 1);
        while (keys[j])
            j = (j + 1) & (slots - 1);
        keys[j] = d->uids[i];
        vals[j] = (uint32_t)i;
    }
    free(d->keys);
    free(d->vals);
    d->keys = keys;
    d->vals = vals;
    d->mask = slots - 1;
    return true;
}

static uint32_t dense_id(dense *d, uint64_t uid)
{
    /* lock uids are never 0 (0 marks an empty slot); a 0 from a damaged log is simply not indexed */
    if (d->keys && uid)
        for (size_t j = dense_hash(uid) & d->mask; d->keys[j]; j = (j + 1) & d->mask)
            if (d->keys[j] == uid)
                return d->vals[j];
    if ((d->n + 1) * 2 > (d->keys ? d->mask + 1 : 0) && !dense_rehash(d, d->keys ? (d->mask + 1) * 2 : 64))
        return 0;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        uint64_t *g = realloc(d->uids, cap * sizeof *g);
        if (!g)
            return 0;
        d->uids = g;
        d->cap = cap;
    }
    d->uids[d->n] = uid;
    if (uid) {
        size_t j = dense_hash(uid) & d->mask;
        while (d->keys[j])
            j = (j + 1) & d->mask;
        d->keys[j] = uid;
        d->vals[j] = (uint32_t)d->n;
    }
    return (uint32_t)d->n++;
}

static uint64_t text_hash(const char *text, uint64_t seed)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (; *text; text++)
        h = (h ^ (unsigned char)*text) * 0x100000001b3ULL;
    return dense_hash(h);
}

/* Fills site_ordinal / site_total (see builder) in one pass over the log's locks, grouping them by
 * process, kind and the text of the place that made them, as their names show it (two inlined copies
 * of one constructor are one place); each distinct stack is symbolized once (a loop making locks
 * gives them one stack). On running out of memory the names simply go without a number. */
static void number_lock_sites(builder *b)
{
    if (b->sites_numbered)
        return;
    b->sites_numbered = true;
    const rl_eventlog *log = b->log;
    uint32_t *ordinal = calloc(log->n_locks + 1, sizeof *ordinal);
    uint32_t *group = calloc(log->n_locks + 1, sizeof *group);
    uint32_t *counts = NULL, *stack_group = NULL; /* per site group; per distinct (kind, stack) */
    size_t cap_counts = 0, cap_stacks = 0;
    dense sites = { 0 }, stacks = { 0 };
    bool ok = ordinal && group;
    for (size_t i = 0; ok && i < log->n_locks; i++) {
        const rl_ev_lock *l = &log->locks[i];
        if (!rl_eventlog_stack(log, l->init_stack))
            continue;
        /* a stack uid names its process image; the kind keeps a mutex and a cond from one line apart */
        uint64_t kind_seed = text_hash(l->kind, 0);
        uint32_t p = dense_id(&stacks, dense_hash(l->init_stack ^ kind_seed) | 1);
        if (p >= cap_stacks) {
            size_t cap = cap_stacks ? cap_stacks * 2 : 64;
            uint32_t *grown = realloc(stack_group, cap * sizeof *grown);
            if (!(ok = grown != NULL))
                break;
            for (size_t k = cap_stacks; k < cap; k++)
                grown[k] = UINT32_MAX;
            stack_group = grown;
            cap_stacks = cap;
        }
        if (stack_group[p] == UINT32_MAX) {
            char text[600];
            stack_site_text(b, l->init_stack, text, sizeof text);
            stack_group[p] = dense_id(&sites, text_hash(text, kind_seed ^ dense_hash((uint64_t)l->proc + 1)) | 1);
        }
        uint32_t g = stack_group[p];
        if (g >= cap_counts) {
            size_t cap = cap_counts ? cap_counts * 2 : 64;
            while (cap <= g)
                cap *= 2;
            uint32_t *grown = realloc(counts, cap * sizeof *grown);
            if (!(ok = grown != NULL))
                break;
            memset(grown + cap_counts, 0, (cap - cap_counts) * sizeof *grown);
            counts = grown;
            cap_counts = cap;
        }
        ordinal[i] = ++counts[g];
        group[i] = g;
    }
    if (ok) {
        for (size_t i = 0; i < log->n_locks; i++)
            group[i] = ordinal[i] ? counts[group[i]] : 0; /* group[] becomes the total */
        b->site_ordinal = ordinal;
        b->site_total = group;
    } else {
        free(ordinal);
        free(group);
    }
    free(counts);
    free(stack_group);
    free(sites.uids);
    free(sites.keys);
    free(sites.vals);
    free(stacks.uids);
    free(stacks.keys);
    free(stacks.vals);
}

typedef struct cycle_list { uint32_t **cycles; size_t *lens; size_t n; } cycle_list;

static bool collect_cycle(void *ctx, const uint32_t *nodes, size_t len)
{
    cycle_list *cl = ctx;
    uint32_t **g = realloc(cl->cycles, (cl->n + 1) * sizeof *g);
    size_t *gl = g ? realloc(cl->lens, (cl->n + 1) * sizeof *gl) : NULL;
    if (g) cl->cycles = g;
    if (gl) cl->lens = gl;
    if (!g || !gl)
        return false;
    cl->cycles[cl->n] = malloc(len * sizeof **cl->cycles);
    if (!cl->cycles[cl->n])
        return false;
    memcpy(cl->cycles[cl->n], nodes, len * sizeof *nodes);
    cl->lens[cl->n++] = len;
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void cycle_summary_names(json_t *finding, json_t *cycle_ids, char *buf, size_t n)
{
    json_t *locks = json_object_get(finding, "locks");
    size_t at = 0, i;
    json_t *id;
    buf[0] = 0;
    json_array_foreach(cycle_ids, i, id)
        at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s -> ", name_of(locks, (int)json_integer_value(id)));
    if (json_array_size(cycle_ids))
        snprintf(buf + (at < n ? at : n - 1), at < n ? n - at : 1, "%s",
                 name_of(locks, (int)json_integer_value(json_array_get(cycle_ids, 0))));
}

static bool live_detected(const rl_ev_proc *p, const uint64_t *uids, size_t len)
{
    for (size_t c = 0; c < p->n_live_cycles; c++) {
        if (p->live_cycle_len[c] != len)
            continue;
        size_t hits = 0;
        for (size_t i = 0; i < len; i++)
            for (size_t k = 0; k < len; k++)
                if (p->live_cycles[c][k] == uids[i]) { hits++; break; }
        if (hits == len)
            return true;
    }
    return false;
}

/* The enumeration's callback: keeps cycles of at least min_len nodes (shorter ones were kept by an
 * earlier, tighter pass) until max are kept; one more means the bound is reached. */
typedef struct collect_ctx { cycle_list *cl; size_t min_len, max; bool full; } collect_ctx;

static bool collect_bounded(void *ctx, const uint32_t *nodes, size_t len)
{
    collect_ctx *cc = ctx;
    if (len < cc->min_len)
        return true;
    if (cc->cl->n >= cc->max) {
        cc->full = true;
        return false;
    }
    return collect_cycle(cc->cl, nodes, len);
}

/* Edge records sorted by (from, to) dense ids: the witnesses of one graph edge are one run. */
typedef struct edge_ref { uint32_t from, to; size_t rec; } edge_ref;

static int cmp_edge_ref(const void *a, const void *b)
{
    const edge_ref *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* The first ref of edge from -> to (refs sorted), and how many there are. */
static size_t edge_refs_find(const edge_ref *refs, size_t n, uint32_t from, uint32_t to, size_t *count)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (refs[mid].from < from || (refs[mid].from == from && refs[mid].to < to))
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < n && refs[k].from == from && refs[k].to == to)
        k++;
    *count = k - lo;
    return lo;
}

/* Threads that witnessed some edge: a cycle that can deadlock needs a different one per edge. */
static size_t edge_threads(const rl_ev_proc *p)
{
    uint32_t *tids = malloc((p->n_edges ? p->n_edges : 1) * sizeof *tids);
    if (!tids)
        return SIZE_MAX;
    for (size_t i = 0; i < p->n_edges; i++)
        tids[i] = p->edges[i].tid;
    qsort(tids, p->n_edges, sizeof *tids, cmp_u32);
    size_t n = 0;
    for (size_t i = 0; i < p->n_edges; i++)
        n += i == 0 || tids[i] != tids[i - 1];
    free(tids);
    return n;
}

static void analyze_cycles(builder *b, const rl_ev_proc *p, json_t *findings)
{
    if (!p->n_edges)
        return;
    dense d = { 0 };
    rl_edge_pair *pairs = calloc(p->n_edges, sizeof *pairs);
    edge_ref *refs = calloc(p->n_edges, sizeof *refs);
    if (!pairs || !refs) {
        free(pairs);
        free(refs);
        return;
    }
    for (size_t i = 0; i < p->n_edges; i++) {
        pairs[i].from = dense_id(&d, p->edges[i].from);
        pairs[i].to = dense_id(&d, p->edges[i].to);
        refs[i] = (edge_ref){ pairs[i].from, pairs[i].to, i };
    }
    qsort(refs, p->n_edges, sizeof *refs, cmp_edge_ref);
    size_t n_nodes = d.n;
    cycle_list cl = { 0 };
    size_t max = b->info->max_cycles ? b->info->max_cycles : 10000;
    /* Shortest cycles first (iterative deepening on the cycle length): a graph of 10^3 locks all
     * taken in one order holds exponentially many long cycles, none of which can deadlock; the short
     * one planted in it must not wait behind them. A cycle needs a different thread per edge, so no
     * cycle longer than the number of threads that took locks in order can deadlock: the search stops
     * there (but always looks at two-lock cycles, so a single thread's inversion gets its note). */
    size_t threads = edge_threads(p), bound = threads < 2 ? 2 : threads;
    collect_ctx cc = { &cl, 0, max, false };
    bool truncated = false, cut = false;
    for (size_t k = 2;; k++) {
        cc.min_len = k == 2 ? 0 : k;
        rl_cycle_enum_result er = rl_cycles_enumerate_bounded(&rl_libc_allocator, n_nodes, pairs, p->n_edges,
                                                              0, k, collect_bounded, &cc);
        if (cc.full || er.nomem) {
            truncated = true;
            break;
        }
        if (!er.length_cut)
            break; /* every cycle has been seen */
        if (k >= bound) {
            cut = true;
            break;
        }
    }
    if (truncated) {
        char summary[300];
        snprintf(summary, sizeof summary,
                 "the lock-order graph has more cycles than racelab examines (%zu, shortest first); the others were "
                 "not checked, so a cycle among them that can deadlock is not reported", max);
        json_array_append_new(b->notes, json_pack("{s:s,s:i,s:s}", "kind", "limit", "pid", p->pid, "summary", summary));
    }
    if (cut) {
        char summary[256];
        snprintf(summary, sizeof summary,
                 "lock-order cycles of more than %zu locks were not examined: only %zu thread%s took locks in "
                 "order, and a deadlock needs a different thread for every lock of its cycle",
                 bound, threads, threads == 1 ? "" : "s");
        json_array_append_new(b->notes, json_pack("{s:s,s:i,s:s}", "kind", "limit", "pid", p->pid, "summary", summary));
    }
    for (size_t c = 0; c < cl.n; c++) {
        size_t len = cl.lens[c];
        uint32_t *nodes = cl.cycles[c];
        rl_cycle_edge *cedges = calloc(len, sizeof *cedges);
        rl_witness **warr = calloc(len, sizeof *warr);
        size_t **wsrc = calloc(len, sizeof *wsrc); /* witness -> edge record index */
        uint32_t **gate_bufs = NULL;
        size_t n_gate_bufs = 0;
        size_t *chosen = calloc(len, sizeof *chosen);
        if (!cedges || !warr || !wsrc || !chosen)
            goto next;
        for (size_t i = 0; i < len; i++) {
            uint32_t from = nodes[i], to = nodes[(i + 1) % len];
            size_t count;
            size_t first = edge_refs_find(refs, p->n_edges, from, to, &count);
            warr[i] = calloc(count ? count : 1, sizeof **warr);
            wsrc[i] = calloc(count ? count : 1, sizeof **wsrc);
            if (!warr[i] || !wsrc[i])
                goto next;
            size_t k = 0;
            for (size_t r = first; r < first + count; r++) {
                size_t e = refs[r].rec;
                const rl_ev_edge *ev = &p->edges[e];
                const rl_ev_gates *g = rl_eventlog_gates(b->log, ev->gates);
                uint32_t *gates = calloc(g && g->n ? g->n : 1, sizeof *gates);
                uint32_t **gb = realloc(gate_bufs, (n_gate_bufs + 1) * sizeof *gb);
                if (!gates || !gb) { free(gates); if (gb) gate_bufs = gb; goto next; }
                gate_bufs = gb;
                gate_bufs[n_gate_bufs++] = gates;
                size_t ng = 0;
                for (size_t x = 0; g && x < g->n; x++)
                    gates[ng++] = dense_id(&d, g->locks[x]);
                qsort(gates, ng, sizeof *gates, cmp_u32);
                warr[i][k] = (rl_witness){ ev->tid, ev->hold_mode == 'w' ? RL_MODE_WRITE : RL_MODE_READ,
                                           ev->want_mode == 'w' ? RL_MODE_WRITE : RL_MODE_READ, ev->trylock,
                                           gates, ng };
                wsrc[i][k] = e;
                k++;
            }
            cedges[i].witnesses = warr[i];
            cedges[i].n_witnesses = k;
        }
        rl_cycle_check_result res = { .chosen = chosen };
        rl_cycle_check(cedges, len, 0, &res);

        uint64_t *uids = calloc(len, sizeof *uids);
        if (!uids)
            goto next;
        for (size_t i = 0; i < len; i++)
            uids[i] = d.uids[nodes[i]];
        if (res.verdict == RL_CYCLE_DEADLOCK) {
            json_t *f = new_finding("potential-deadlock", p);
            json_t *cyc = json_array(), *edges = json_array(), *scenario = json_array();
            for (size_t i = 0; i < len; i++)
                json_array_append_new(cyc, json_integer(add_lock(b, f, uids[i])));
            char text[2048];
            size_t at = 0;
            for (size_t i = 0; i < len; i++) {
                const rl_ev_edge *ev = &p->edges[wsrc[i][chosen[i]]];
                add_thread(b, f, p, ev->tid);
                json_t *gates = json_array();
                const rl_ev_gates *g = rl_eventlog_gates(b->log, ev->gates);
                for (size_t x = 0; g && x < g->n; x++)
                    if (g->locks[x] != ev->from)
                        json_array_append_new(gates, json_integer(add_lock(b, f, g->locks[x])));
                json_array_append_new(edges, json_pack("{s:i,s:i,s:i,s:s,s:s,s:b,s:o,s:o,s:o}",
                    "from", add_lock(b, f, ev->from), "to", add_lock(b, f, ev->to), "thread", (int)ev->tid,
                    "from_mode", ev->hold_mode == 'w' ? "write" : "read",
                    "to_mode", ev->want_mode == 'w' ? "write" : "read", "trylock", ev->trylock,
                    "other_locks_held", gates,
                    "from_stack", frames_json(b, ev->from_stack), "to_stack", frames_json(b, ev->to_stack)));
                json_array_append_new(scenario, json_pack("{s:i,s:s,s:i,s:b}", "thread", (int)ev->tid, "op",
                    ev->hold_mode == 'w' ? "lock" : "rdlock", "lock", add_lock(b, f, ev->from), "blocks", 0));
            }
            for (size_t i = 0; i < len; i++) {
                const rl_ev_edge *ev = &p->edges[wsrc[i][chosen[i]]];
                json_array_append_new(scenario, json_pack("{s:i,s:s,s:i,s:b}", "thread", (int)ev->tid, "op",
                    ev->want_mode == 'w' ? "lock" : "rdlock", "lock", add_lock(b, f, ev->to), "blocks", 1));
            }
            json_t *locks = json_object_get(f, "locks");
            for (size_t i = 0; i < len && at < sizeof text; i++) {
                const rl_ev_edge *ev = &p->edges[wsrc[i][chosen[i]]];
                at += (size_t)snprintf(text + at, sizeof text - at, "%sT%u takes %s while holding %s",
                                       i ? "; " : "", ev->tid, name_of(locks, add_lock(b, f, ev->to)),
                                       name_of(locks, add_lock(b, f, ev->from)));
            }
            char summary[2600];
            snprintf(summary, sizeof summary, "lock-order cycle of %zu locks can deadlock: %s", len, text);
            json_object_set_new(f, "summary", json_string(summary));
            json_object_set_new(f, "cycle", cyc);
            json_object_set_new(f, "edges", edges);
            json_object_set_new(f, "scenario", scenario);
            json_object_set_new(f, "detected_before_blocking", json_boolean(live_detected(p, uids, len)));
            json_array_append_new(findings, f);
        } else {
            json_t *tmp = new_finding("note", p);
            json_t *cyc = json_array();
            for (size_t i = 0; i < len; i++)
                json_array_append_new(cyc, json_integer(add_lock(b, tmp, uids[i])));
            char names[1024];
            cycle_summary_names(tmp, cyc, names, sizeof names);
            json_t *lock_names = json_array();
            for (size_t i = 0; i < len; i++)
                json_array_append_new(lock_names, json_string(name_of(json_object_get(tmp, "locks"),
                                                                      (int)json_integer_value(json_array_get(cyc, i)))));
            const char *why;
            char gate_name[512] = "";
            switch (res.verdict) {
            case RL_CYCLE_SINGLE_THREAD: why = "every order in it was taken by the same thread, which cannot wait for itself"; break;
            case RL_CYCLE_GATE_LOCK:
                why = "the threads always hold a common gate lock around these acquisitions";
                if (res.gate_found && res.gate < d.n) {
                    json_t *gl = lock_json(b, d.uids[res.gate]);
                    snprintf(gate_name, sizeof gate_name, "%s", json_string_value(json_object_get(gl, "name")));
                    json_decref(gl);
                }
                break;
            case RL_CYCLE_TRYLOCK: why = "it is closed only by a trylock or a timed lock, which gives up instead of waiting for ever"; break;
            case RL_CYCLE_READ_ONLY: why = "it is made of read locks that never block each other"; break;
            case RL_CYCLE_SEARCH_LIMIT: why = "the check gave up (too many ways to combine its witnesses)"; break;
            default: why = "more than one rule rules it out"; break;
            }
            char summary[2048];
            snprintf(summary, sizeof summary, "lock-order cycle %s is not a deadlock: %s%s%s%s", names, why,
                     gate_name[0] ? " (" : "", gate_name, gate_name[0] ? ")" : "");
            json_t *note = json_pack("{s:s,s:s,s:i,s:o,s:s}", "kind", "suppressed-cycle", "reason",
                                     rl_cycle_verdict_name(res.verdict), "pid", p->pid, "locks", lock_names,
                                     "summary", summary);
            if (gate_name[0])
                json_object_set_new(note, "gate", json_string(gate_name));
            json_array_append_new(b->notes, note);
            json_decref(cyc);
            json_decref(tmp);
        }
        free(uids);
    next:
        for (size_t i = 0; i < n_gate_bufs; i++)
            free(gate_bufs[i]);
        free(gate_bufs);
        for (size_t i = 0; warr && wsrc && i < len; i++) {
            free(warr[i]);
            free(wsrc[i]);
        }
        free(warr);
        free(wsrc);
        free(cedges);
        free(chosen);
        free(cl.cycles[c]);
    }
    free(cl.cycles);
    free(cl.lens);
    free(pairs);
    free(refs);
    free(d.uids);
    free(d.keys);
    free(d.vals);
}

/* ---------- real deadlocks ---------- */

/* The full stack recorded for an acquisition's chain, when it starts at this very call site; else the
 * call site alone. */
static json_t *best_stack(builder *b, uint64_t site, uint64_t full)
{
    const rl_ev_stack *one = rl_eventlog_stack(b->log, site), *all = rl_eventlog_stack(b->log, full);
    if (one && all && one->n == 1 && all->n > 1 && all->pcs[0] == one->pcs[0])
        return frames_json(b, full);
    return frames_json(b, site);
}

static const char *op_call(const char *op)
{
    if (strcmp(op, "lock") == 0) return "lock";
    if (strcmp(op, "rdlock") == 0) return "rdlock";
    if (strcmp(op, "cond-wait") == 0 || strcmp(op, "cond-retake") == 0) return "pthread_cond_wait";
    if (strcmp(op, "sem-wait") == 0) return "sem_wait";
    if (strcmp(op, "join") == 0) return "pthread_join";
    if (strcmp(op, "barrier") == 0) return "pthread_barrier_wait";
    if (strcmp(op, "once") == 0) return "pthread_once";
    return op;
}

/* The call a thread waits in: op_call's, except that "lock" is a mutex's, and an rwlock's write lock
 * and a spinlock say what they are. */
static const char *wait_call(const char *op, const rl_ev_lock *l)
{
    if (strcmp(op, "lock") == 0 && l && strcmp(l->kind, "rwlock") == 0)
        return "wrlock";
    if (strcmp(op, "lock") == 0 && l && strcmp(l->kind, "spinlock") == 0)
        return "spin_lock";
    return op_call(op);
}

/* The thread that ended holding lock (its held-at-exit record in this process), or -1. */
static long long ended_holder(const rl_ev_proc *p, uint64_t lock)
{
    for (size_t i = 0; lock && i < p->n_holds; i++) /* a live thread holds it now (a robust mutex taken over) */
        if (p->holds[i].lock == lock)
            return -1;
    for (size_t i = 0; lock && i < p->n_misuse; i++)
        if (p->misuse[i].lock == lock && strcmp(p->misuse[i].kind, "held-at-exit") == 0)
            return p->misuse[i].tid;
    return -1;
}

static void analyze_deadlock(builder *b, const rl_ev_proc *p, json_t *findings)
{
    if (!p->deadlock[0])
        return;
    bool stall = strcmp(p->deadlock, "stall") == 0;
    json_t *f = new_finding("deadlock", p);
    json_object_set_new(f, "cause", json_string(stall ? "stall" : "cycle"));
    json_t *waits = json_array(), *cycle = json_array(), *scenario = json_array();
    json_t *locks = json_object_get(f, "locks");
    char text[4096];
    size_t at = 0;
    for (size_t i = 0; i < p->n_waits; i++) {
        const rl_ev_wait *w = &p->waits[i];
        add_thread(b, f, p, w->tid);
        json_t *holds = json_array();
        for (size_t k = 0; k < p->n_holds; k++) {
            const rl_ev_hold *h = &p->holds[k];
            if (h->tid != w->tid)
                continue;
            json_array_append_new(holds, json_pack("{s:i,s:s,s:o}", "lock", add_lock(b, f, h->lock), "mode",
                                                   h->mode == 'w' ? "write" : "read", "stack",
                                                   best_stack(b, h->where, h->first_stack)));
        }
        json_t *wj = json_pack("{s:i,s:s,s:o,s:o}", "thread", (int)w->tid, "op", w->op, "stack",
                               best_stack(b, w->where, w->full), "holds", holds);
        char what[600] = "";
        if (w->object) {
            const rl_ev_lock *l = rl_eventlog_lock(b->log, w->object);
            int id = add_lock(b, f, w->object);
            bool lock_wait = strcmp(w->op, "lock") == 0 || strcmp(w->op, "rdlock") == 0;
            bool retake = strcmp(w->op, "cond-retake") == 0; /* a condition wait that needs its mutex back */
            json_object_set_new(wj, lock_wait || retake ? "waits_for" : "object", json_integer(id));
            if (!stall)
                json_array_append_new(cycle, json_integer(id));
            size_t wat;
            if (retake)
                wat = (size_t)snprintf(what, sizeof what, "pthread_cond_wait, to take %s back", name_of(locks, id));
            else
                wat = (size_t)snprintf(what, sizeof what, "%s(%s)", wait_call(w->op, l), name_of(locks, id));
            /* the lock it needs (or, woken from a condition wait, must take back) is held by a thread that
             * ended: nothing will ever release it */
            uint64_t needs = lock_wait || retake ? w->object : w->via;
            long long gone = ended_holder(p, needs);
            if (w->via && !lock_wait && !retake) {
                if (gone >= 0) { /* (a mutex nobody holds is no part of why it waits) */
                    int mid = add_lock(b, f, w->via);
                    json_object_set_new(wj, "mutex", json_integer(mid));
                    if (wat < sizeof what)
                        snprintf(what + wat, sizeof what - wat, ", and would have to take %s back, which T%lld still "
                                 "holds: it ended without unlocking it", name_of(locks, mid), gone);
                }
            } else if (gone >= 0 && (lock_wait || retake) && wat < sizeof what) {
                snprintf(what + wat, sizeof what - wat, ", which T%lld still holds: it ended without unlocking it", gone);
            }
        } else if (w->join_tid >= 0) {
            json_object_set_new(wj, "joins", json_integer(w->join_tid));
            snprintf(what, sizeof what, "pthread_join(T%lld)", (long long)w->join_tid);
        } else {
            snprintf(what, sizeof what, "%s", op_call(w->op));
        }
        char held[1024] = "";
        size_t hat = 0;
        size_t k;
        json_t *h;
        json_array_foreach(holds, k, h)
            hat += (size_t)snprintf(held + hat, hat < sizeof held ? sizeof held - hat : 0, "%s%s", k ? ", " : "",
                                    name_of(locks, (int)json_integer_value(json_object_get(h, "lock"))));
        if (at < sizeof text)
            at += (size_t)snprintf(text + at, sizeof text - at, "%sT%u%s%s%s waits in %s", i ? "; " : "", w->tid,
                                   held[0] ? " holds " : "", held, held[0] ? " and" : "", what);
        json_array_append_new(waits, wj);
    }
    /* scenario (cycles): each thread first takes the lock the previous one waits for, then blocks */
    if (!stall) {
        size_t n = p->n_waits;
        for (size_t i = 0; i < n; i++) {
            const rl_ev_wait *w = &p->waits[i], *prev = &p->waits[(i + n - 1) % n];
            uint64_t want_prev = prev->object;
            for (size_t k = 0; k < p->n_holds; k++)
                if (p->holds[k].tid == w->tid && p->holds[k].lock == want_prev) {
                    json_array_append_new(scenario, json_pack("{s:i,s:s,s:i,s:b}", "thread", (int)w->tid, "op",
                                                              p->holds[k].mode == 'w' ? "lock" : "rdlock", "lock",
                                                              add_lock(b, f, want_prev), "blocks", 0));
                    break;
                }
        }
        for (size_t i = 0; i < n; i++) {
            const rl_ev_wait *w = &p->waits[i];
            json_t *step = json_pack("{s:i,s:s,s:b}", "thread", (int)w->tid, "op", w->op, "blocks", 1);
            if (w->object)
                json_object_set_new(step, "lock", json_integer(add_lock(b, f, w->object)));
            if (w->join_tid >= 0)
                json_object_set_new(step, "joins", json_integer(w->join_tid));
            json_array_append_new(scenario, step);
        }
        json_object_set_new(f, "cycle", cycle);
        json_object_set_new(f, "scenario", scenario);
    } else {
        json_decref(cycle);
        json_decref(scenario);
    }
    char summary[4400];
    snprintf(summary, sizeof summary, "%s: %s",
             stall ? "every thread is blocked and none can wake another"
             : p->n_waits == 1 ? "a thread waits for a lock it holds itself"
                               : "threads wait for each other in a cycle",
             text);
    json_object_set_new(f, "summary", json_string(summary));
    json_object_set_new(f, "waits", waits);
    json_object_set_new(f, "ended_by_racelab", json_true());
    json_array_insert_new(findings, 0, f);
}

/* ---------- misuse ---------- */

static void analyze_misuse(builder *b, const rl_ev_proc *p, json_t *findings)
{
    for (size_t i = 0; i < p->n_misuse; i++) {
        const rl_ev_misuse *m = &p->misuse[i];
        json_t *f = new_finding(m->kind, p);
        add_thread(b, f, p, m->tid);
        json_t *locks = json_object_get(f, "locks");
        const char *name = m->lock ? name_of(locks, add_lock(b, f, m->lock)) : "?";
        const char *other = m->other ? name_of(locks, add_lock(b, f, m->other)) : "?";
        json_t *stack = frames_json(b, m->stack);
        char site[600], summary[2048];
        site_text(stack, site, sizeof site);
        const char *at = site[0] ? " at " : "";
        /* unlock-foreign, destroy-locked: who held the lock at that moment (detail "held-by-T<tid>" or
         * "held-for-reading"), and whether that thread ended still holding it (its held-at-exit) */
        long long holder = -1;
        bool reading = strcmp(m->detail, "held-for-reading") == 0, holder_ended = false;
        if (strncmp(m->detail, "held-by-T", 9) == 0 && m->detail[9] >= '0' && m->detail[9] <= '9') {
            holder = strtoll(m->detail + 9, NULL, 10);
            for (size_t k = 0; k < p->n_misuse; k++)
                holder_ended |= p->misuse[k].lock == m->lock && p->misuse[k].tid == (uint32_t)holder &&
                                strcmp(p->misuse[k].kind, "held-at-exit") == 0;
        }
        if (strcmp(m->kind, "double-lock") == 0)
            snprintf(summary, sizeof summary, "T%u locks %s again while already holding it%s%s", m->tid, name, at, site);
        else if (strcmp(m->kind, "unlock-unlocked") == 0)
            snprintf(summary, sizeof summary, "T%u unlocks %s, which is not locked%s%s", m->tid, name, at, site);
        else if (strcmp(m->kind, "unlock-foreign") == 0 && holder >= 0)
            snprintf(summary, sizeof summary, "T%u unlocks %s%s%s, but T%lld %s it", m->tid, name, at, site, holder,
                     holder_ended ? "(which has ended) still holds" : "holds");
        else if (strcmp(m->kind, "unlock-foreign") == 0)
            snprintf(summary, sizeof summary, "T%u unlocks %s%s%s, but %s", m->tid, name, at, site,
                     reading ? "other threads hold it for reading" : "another thread holds it");
        else if (strcmp(m->kind, "destroy-locked") == 0 && holder == (long long)m->tid)
            snprintf(summary, sizeof summary, "T%u destroys %s%s%s while it still holds it itself", m->tid, name, at, site);
        else if (strcmp(m->kind, "destroy-locked") == 0 && holder >= 0)
            snprintf(summary, sizeof summary, "T%u destroys %s%s%s while T%lld %s it", m->tid, name, at, site, holder,
                     holder_ended ? "(which has ended) still holds" : "holds");
        else if (strcmp(m->kind, "destroy-locked") == 0)
            snprintf(summary, sizeof summary, "T%u destroys %s%s%s while it is %s", m->tid, name, at, site,
                     reading ? "held for reading" : "locked");
        else if (strcmp(m->kind, "uninitialized-lock") == 0)
            snprintf(summary, sizeof summary, "T%u uses %s, which was never initialised (a spinlock needs pthread_spin_init; "
                     "glibc on x86-64 takes a zeroed one as locked)%s%s", m->tid, name, at, site);
        else if (strcmp(m->kind, "held-at-exit") == 0)
            snprintf(summary, sizeof summary, "T%u ends while still holding %s (locked%s%s)", m->tid, name, at, site);
        else if (strcmp(m->kind, "cond-misuse") == 0 && strcmp(m->detail, "two-mutexes") == 0)
            snprintf(summary, sizeof summary, "T%u waits on %s with %s while other threads wait on it with a different mutex%s%s",
                     m->tid, name, other, at, site);
        else if (strcmp(m->kind, "cond-misuse") == 0)
            snprintf(summary, sizeof summary, "T%u waits on %s without holding its mutex %s%s%s", m->tid, name, other, at, site);
        else
            snprintf(summary, sizeof summary, "T%u: %s on %s%s%s", m->tid, m->kind, name, at, site);
        json_object_set_new(f, "summary", json_string(summary));
        json_object_set_new(f, "stack", stack);
        if (holder >= 0)
            json_object_set_new(f, "holder", json_integer(holder));
        else if (m->detail[0] && !reading)
            json_object_set_new(f, "detail", json_string(m->detail));
        json_array_append_new(findings, f);
    }
}

/* ---------- data races and lost updates (shared variables) ---------- */

static const rl_ev_var *var_of(const rl_ev_proc *p, uint64_t uid)
{
    for (size_t i = 0; i < p->n_vars; i++)
        if (p->vars[i].uid == uid)
            return &p->vars[i];
    return NULL;
}

static const char *op_word(char op) { return op == 'w' ? "write" : "read"; }

static json_t *access_json(builder *b, json_t *f, const rl_ev_proc *p, const rl_ev_access *a, char *site, size_t n)
{
    add_thread(b, f, p, a->tid);
    json_t *held = json_array(), *reading = json_array();
    for (uint32_t i = 0; i < a->n_held; i++) {
        int id = add_lock(b, f, a->held[i]);
        json_array_append_new(held, json_integer(id));
        if (a->held_read >> i & 1)
            json_array_append_new(reading, json_integer(id));
    }
    json_t *stack = frames_json(b, a->stack);
    site_text(stack, site, n);
    json_t *acc = json_pack("{s:i,s:s,s:I,s:o,s:o}", "thread", (int)a->tid, "op", op_word(a->op), "value",
                            (json_int_t)a->value, "locks_held", held, "stack", stack);
    if (json_array_size(reading))
        json_object_set_new(acc, "locks_held_for_reading", reading);
    else
        json_decref(reading);
    return acc;
}

static void held_text(json_t *f, json_t *acc, char *buf, size_t n)
{
    json_t *held = json_object_get(acc, "locks_held");
    size_t at = 0, i;
    json_t *id;
    buf[0] = 0;
    if (!json_array_size(held)) {
        snprintf(buf, n, "no lock");
        return;
    }
    json_t *reading = json_object_get(acc, "locks_held_for_reading");
    json_array_foreach(held, i, id) {
        bool for_reading = false;
        size_t k;
        json_t *r;
        json_array_foreach(reading, k, r) for_reading |= json_integer_value(r) == json_integer_value(id);
        at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s%s", i ? ", " : "",
                               name_of(json_object_get(f, "locks"), (int)json_integer_value(id)),
                               for_reading ? " for reading" : "");
    }
}

static void analyze_races(builder *b, const rl_ev_proc *p, json_t *findings)
{
    for (size_t i = 0; i < p->n_races; i++) {
        const rl_ev_race *r = &p->races[i];
        const rl_ev_var *v = var_of(p, r->var);
        const char *name = v && v->name ? v->name : "a shared variable";
        json_t *f = new_finding("data-race", p);
        char now_site[600], earlier_site[600], now_held[512], earlier_held[512];
        json_t *now = access_json(b, f, p, &r->now, now_site, sizeof now_site);
        json_t *earlier = access_json(b, f, p, &r->earlier, earlier_site, sizeof earlier_site);
        held_text(f, now, now_held, sizeof now_held);
        held_text(f, earlier, earlier_held, sizeof earlier_held);
        char summary[2600];
        snprintf(summary, sizeof summary,
                 "data race on %s: T%u %ss it%s%s while T%u's %s%s%s is not ordered before it (T%u held %s, T%u held %s)",
                 name, r->now.tid, op_word(r->now.op), now_site[0] ? " at " : "", now_site, r->earlier.tid,
                 op_word(r->earlier.op), earlier_site[0] ? " at " : "", earlier_site, r->now.tid, now_held,
                 r->earlier.tid, earlier_held);
        json_object_set_new(f, "summary", json_string(summary));
        json_object_set_new(f, "method", json_string("happens-before"));
        json_object_set_new(f, "variable", json_string(name));
        json_object_set_new(f, "race", json_string(r->kind));
        json_object_set_new(f, "accesses", json_pack("[o,o]", now, earlier));
        json_array_append_new(findings, f);
    }
    for (size_t i = 0; i < p->n_lockset; i++) {
        const rl_ev_lockset *k = &p->lockset[i];
        const rl_ev_var *v = var_of(p, k->var);
        const char *name = v && v->name ? v->name : "a shared variable";
        json_t *f = new_finding("data-race", p);
        add_thread(b, f, p, k->tid);
        json_t *stack = frames_json(b, k->stack);
        char site[600], summary[1400];
        site_text(stack, site, sizeof site);
        snprintf(summary, sizeof summary,
                 "lock discipline violated on %s: T%u %ss it%s%s, and no single lock was held at every access "
                 "by more than one thread (Eraser's lockset rule). This is a rule broken, not proof that two "
                 "accesses overlapped: the happens-before findings say which races really happened",
                 name, k->tid, op_word(k->op), site[0] ? " at " : "", site);
        json_object_set_new(f, "summary", json_string(summary));
        json_object_set_new(f, "method", json_string("lockset"));
        json_object_set_new(f, "variable", json_string(name));
        json_object_set_new(f, "stack", stack);
        json_array_append_new(findings, f);
    }
}

static void analyze_lost_updates(builder *b, const rl_ev_proc *p, json_t *findings)
{
    for (size_t i = 0; i < p->n_vars; i++) {
        const rl_ev_var *v = &p->vars[i];
        if (!v->has_trace && !(v->has_totals && (v->lost_value || v->stale_stores)))
            continue;
        json_t *f = new_finding("lost-update", p);
        json_object_set_new(f, "variable", json_string(v->name));
        char summary[1024];
        if (v->has_totals) {
            /* losses before the last plain assignment were reset with it */
            bool consistent = v->lost_since_assignment == v->expected - v->actual;
            json_object_set_new(f, "expected", json_integer(v->expected));
            json_object_set_new(f, "actual", json_integer(v->actual));
            json_object_set_new(f, "lost", json_integer(v->lost_since_assignment));
            json_object_set_new(f, "lost_total", json_integer(v->lost_value));
            json_object_set_new(f, "lost_updates", json_integer((json_int_t)v->lost_updates));
            json_object_set_new(f, "overwritten_writes", json_integer((json_int_t)v->lost_writes));
            json_object_set_new(f, "stale_stores", json_integer((json_int_t)v->stale_stores));
            json_object_set_new(f, "consistent", json_boolean(consistent));
            /* with unit increments the value lost is the number of updates lost; otherwise (adds of 4500,
             * say) both are given, so that "4500 lost" is not read as 4500 updates */
            char what[512];
            long long lost = (long long)v->lost_since_assignment;
            if (lost == (long long)v->lost_updates)
                snprintf(what, sizeof what, "%lld update%s of %s lost", lost, lost == 1 ? "" : "s", v->name);
            else
                snprintf(what, sizeof what, "%s ended %llu %s (%llu update%s lost)", v->name,
                         (unsigned long long)(lost < 0 ? -(unsigned long long)lost : (unsigned long long)lost),
                         lost < 0 ? "over" : "short", (unsigned long long)v->lost_updates, v->lost_updates == 1 ? "" : "s");
            snprintf(summary, sizeof summary,
                     "%s: expected %lld, got %lld; %llu store%s wrote a value computed from a stale read, "
                     "overwriting %llu write%s%s",
                     what, (long long)v->expected, (long long)v->actual, (unsigned long long)v->stale_stores,
                     v->stale_stores == 1 ? "" : "s", (unsigned long long)v->lost_writes, v->lost_writes == 1 ? "" : "s",
                     consistent ? "" : " (the count does not add up: some writes bypassed racelab_store)");
        } else {
            snprintf(summary, sizeof summary, "updates of %s were lost (the program ended before the totals)", v->name);
        }
        json_object_set_new(f, "summary", json_string(summary));
        if (v->has_trace) {
            json_t *trace = json_array();
            for (size_t k = 0; k < v->n_trace; k++) {
                const rl_ev_trace_event *e = &v->trace[k];
                if (e->tid >= 0)
                    add_thread(b, f, p, (uint32_t)e->tid);
                json_t *ev = json_pack("{s:I,s:s,s:I}", "thread", (json_int_t)e->tid, "op",
                                       strcmp(e->op, "load") == 0 ? "read" : strcmp(e->op, "store") == 0 ? "write" : e->op,
                                       "value", (json_int_t)e->value);
                if (e->stale) {
                    json_object_set_new(ev, "stale", json_true());
                    if (e->overwrote >= 0)
                        json_object_set_new(ev, "overwrote", json_integer(e->overwrote));
                }
                json_t *where = e->stack ? frames_json(b, e->stack) : NULL;
                if (json_array_size(where))
                    json_object_set(ev, "at", json_array_get(where, 0));
                json_decref(where);
                json_array_append_new(trace, ev);
            }
            json_object_set_new(f, "trace", trace);
            if (v->trace_stack) /* the stale store that lost the first update */
                json_object_set_new(f, "stack", frames_json(b, v->trace_stack));
            if (v->trace_skipped)
                json_object_set_new(f, "trace_skipped", json_integer((json_int_t)v->trace_skipped));
        }
        json_array_append_new(findings, f);
    }
    for (size_t i = 0; i < p->n_vars; i++) {
        const rl_ev_var *v = &p->vars[i];
        if (v->has_totals && v->outside_writes) {
            char text[512];
            snprintf(text, sizeof text,
                     "%s changed %llu time%s behind racelab's back (another process sharing the memory, or a plain "
                     "write): the lost-update count covers only what this process saw",
                     v->name, (unsigned long long)v->outside_writes, v->outside_writes == 1 ? "" : "s");
            json_array_append_new(b->notes, json_pack("{s:s,s:i,s:s}", "kind", "runtime", "pid", p->pid, "summary", text));
        }
    }
}

/* ---------- the document ---------- */

static json_t *exit_json(int status, int sig, const char *ended_by)
{
    json_t *j = json_object();
    if (sig) {
        json_object_set_new(j, "signal", json_integer(sig));
        const char *abbrev = sigabbrev_np(sig);
        char name[32];
        snprintf(name, sizeof name, "SIG%s", abbrev ? abbrev : "?");
        json_object_set_new(j, "signal_name", json_string(name));
    } else {
        json_object_set_new(j, "status", json_integer(status));
    }
    if (ended_by)
        json_object_set_new(j, "ended_by_racelab", json_string(ended_by));
    return j;
}

/* How the program itself saw child pid end (a W record in any process's log), or NULL. */
static const rl_ev_reaped *reaped_by_parent(const rl_eventlog *log, int pid)
{
    for (size_t i = 0; i < log->n_procs; i++)
        for (size_t k = 0; k < log->procs[i].n_reaped; k++)
            if (log->procs[i].reaped[k].pid == pid)
                return &log->procs[i].reaped[k];
    return NULL;
}

/* A note for a process the program started that left no event log (once per pid). */
static void note_if_unlogged(builder *b, const rl_eventlog *log, int pid)
{
    for (size_t i = 0; i < log->n_procs; i++)
        if (log->procs[i].pid == pid)
            return;
    size_t k;
    json_t *note;
    json_array_foreach(b->notes, k, note)
        if (json_integer_value(json_object_get(note, "pid")) == pid &&
            strcmp(json_string_value(json_object_get(note, "kind")), "unchecked-process") == 0)
            return;
    char summary[512];
    snprintf(summary, sizeof summary,
             "process %d, started by the program, ran unchecked: it left no event log (it could not open a file, "
             "its environment had lost racelab's variables, or its program cannot be preloaded into, such as a "
             "static binary); nothing it did is in this report",
             pid);
    json_array_append_new(b->notes, json_pack("{s:s,s:i,s:s}", "kind", "unchecked-process", "pid", pid, "summary", summary));
}

/* A process without its statistics line (killed, crashed, or exec'd before its end): count what its
 * log shows instead of reporting zeros. Acquisitions are not in the log (they are counted in memory). */
static void stats_from_log(const rl_eventlog *log, size_t proc, uint64_t *threads, uint64_t *locks, uint64_t *edges)
{
    const rl_ev_proc *p = &log->procs[proc];
    *threads = p->n_threads;
    *locks = 0;
    for (size_t k = 0; k < log->n_locks; k++)
        if (log->locks[k].proc == proc &&
            (strcmp(log->locks[k].kind, "mutex") == 0 || strcmp(log->locks[k].kind, "rwlock") == 0))
            (*locks)++;
    *edges = 0;
    edge_ref *refs = calloc(p->n_edges ? p->n_edges : 1, sizeof *refs); /* distinct (from, to) pairs */
    if (!refs)
        return;
    dense d = { 0 };
    for (size_t k = 0; k < p->n_edges; k++)
        refs[k] = (edge_ref){ dense_id(&d, p->edges[k].from), dense_id(&d, p->edges[k].to), k };
    qsort(refs, p->n_edges, sizeof *refs, cmp_edge_ref);
    for (size_t k = 0; k < p->n_edges; k++)
        *edges += k == 0 || refs[k].from != refs[k - 1].from || refs[k].to != refs[k - 1].to;
    free(refs);
    free(d.uids);
    free(d.keys);
    free(d.vals);
}

size_t rl_report_finding_count(const json_t *report)
{
    return json_array_size(json_object_get(report, "findings"));
}

/* A schedule's mode, seed and the command that reruns it. */
static json_t *schedule_json(const rl_run_info *info, const char *mode, unsigned long long seed)
{
    char rerun[4096];
    size_t at = (size_t)snprintf(rerun, sizeof rerun, "racelab run --schedule %s --seed %llu -- %s", mode, seed,
                                 info->program);
    for (int k = 0; k < info->n_args && at < sizeof rerun; k++)
        at += (size_t)snprintf(rerun + at, sizeof rerun - at, " %s", info->args[k]);
    return json_pack("{s:s,s:I,s:s}", "mode", mode, "seed", (json_int_t)seed, "rerun", rerun);
}

json_t *rl_report_build(const rl_eventlog *log, const rl_run_info *info)
{
    builder b = { log, info, calloc(log->n_procs + 1, sizeof(rl_symbolizer *)), NULL, 0, json_array(), NULL, NULL, false };
    json_t *findings = json_array(), *procs = json_array(), *args = json_array();
    for (int i = 0; i < info->n_args; i++)
        json_array_append_new(args, json_string(info->args[i]));
    uint64_t threads = 0, locks = 0, edges = 0, acq = 0, max_live = 0;
    json_t *variables = json_array();
    for (size_t i = 0; i < log->n_procs; i++) {
        const rl_ev_proc *p = &log->procs[i];
        json_t *pf = json_array();
        analyze_deadlock(&b, p, pf);
        analyze_cycles(&b, p, pf);
        analyze_misuse(&b, p, pf);
        analyze_races(&b, p, pf);
        analyze_lost_updates(&b, p, pf);
        json_array_extend(findings, pf);
        json_decref(pf);
        for (size_t k = 0; k < p->n_notes; k++)
            json_array_append_new(b.notes, json_pack("{s:s,s:i,s:s}", "kind", "runtime", "pid", p->pid, "summary", p->notes[k]));
        if (p->has_stats) {
            threads += p->stat_threads;
            locks += p->stat_locks;
            edges += p->stat_edges;
        } else {
            uint64_t t = 0, l = 0, e = 0;
            stats_from_log(log, i, &t, &l, &e);
            threads += t;
            locks += l;
            edges += e;
        }
        acq += p->stat_acquisitions;
        if (p->stat_max_live > max_live)
            max_live = p->stat_max_live;
        for (size_t k = 0; k < p->n_vars; k++) {
            const rl_ev_var *v = &p->vars[k];
            json_t *vj = json_pack("{s:s,s:i,s:I}", "name", v->name ? v->name : "", "pid", p->pid, "initial",
                                   (json_int_t)v->initial);
            if (v->has_totals) {
                json_object_set_new(vj, "final", json_integer(v->actual));
                json_object_set_new(vj, "accesses", json_integer((json_int_t)v->accesses));
                json_object_set_new(vj, "locked_accesses", json_integer((json_int_t)v->locked_accesses));
                json_object_set_new(vj, "threads", json_integer((json_int_t)v->threads));
            }
            json_array_append_new(variables, vj);
        }
        json_t *pj = json_pack("{s:i,s:i,s:s}", "pid", p->pid, "parent_pid", p->ppid, "program", p->exe ? p->exe : "");
        bool is_main = p->pid == info->main_pid;
        bool deadlocked = strcmp(p->exit_how, "deadlock") == 0;
        bool execd = i + 1 < log->n_procs && log->procs[i + 1].pid == p->pid; /* replaced by the next image */
        if (execd) {
            const char *next = log->procs[i + 1].exe;
            json_object_set_new(pj, "exit", json_pack("{s:s}", "exec", next ? next : ""));
        } else if (is_main) {
            json_object_set_new(pj, "exit", exit_json(info->exit_status, info->exit_signal, deadlocked ? "deadlock" : NULL));
        } else {
            const rl_child_status *cs = NULL;
            for (size_t k = 0; k < info->n_children; k++)
                if (info->children[k].pid == p->pid)
                    cs = &info->children[k];
            const rl_ev_reaped *w = cs ? NULL : reaped_by_parent(log, p->pid);
            if (cs)
                json_object_set_new(pj, "exit", exit_json(cs->status, cs->signal, deadlocked ? "deadlock" : NULL));
            else if (w)
                json_object_set_new(pj, "exit", exit_json((int)w->status, w->signal, deadlocked ? "deadlock" : NULL));
            else if (!p->exit_how[0]) {
                bool running = false;
                for (size_t k = 0; k < info->n_still_running && !running; k++)
                    running = info->still_running[k] == p->pid;
                json_object_set_new(pj, "exit", json_pack("{s:s}", "unknown",
                                                          running ? "still running when the report was written"
                                                                  : "no exit record: it ended by _exit(), a signal or "
                                                                    "a crash, and racelab did not see its status"));
            } else if (!deadlocked) {
                /* it called exit(), and whoever waited for it did so inside the C library (system(), pclose()) */
                json_object_set_new(pj, "exit", json_pack("{s:s}", "unknown",
                                                          "it called exit(); racelab did not see its status"));
            }
        }
        json_array_append_new(procs, pj);
    }
    /* processes the program started (reaped by it or by racelab run) that left no log of their own */
    for (size_t k = 0; k < info->n_children; k++)
        note_if_unlogged(&b, log, info->children[k].pid);
    for (size_t i = 0; i < log->n_procs; i++)
        for (size_t k = 0; k < log->procs[i].n_reaped; k++)
            note_if_unlogged(&b, log, log->procs[i].reaped[k].pid);
    if (log->malformed)
        json_array_append_new(b.notes, json_pack("{s:s,s:s}", "kind", "runtime", "summary",
                                                 "some event log lines were incomplete (the program was killed mid-write) and were skipped"));
    bool main_deadlocked = false;
    for (size_t i = 0; i < log->n_procs; i++)
        if (log->procs[i].pid == info->main_pid && strcmp(log->procs[i].exit_how, "deadlock") == 0)
            main_deadlocked = true;
    json_t *report = json_pack("{s:s,s:s,s:o,s:o,s:b,s:o,s:o,s:o}", "racelab_version", RACELAB_VERSION,
                               "program", info->program, "args", args, "exit",
                               exit_json(info->exit_status, info->exit_signal, main_deadlocked ? "deadlock" : NULL),
                               "instrumented", info->instrumented, "processes", procs, "findings", findings,
                               "notes", b.notes);
    for (size_t i = 0; i < log->n_procs; i++) {
        const rl_ev_proc *p = &log->procs[i];
        if (p->pid != info->main_pid || !p->has_schedule)
            continue;
        json_t *sched = schedule_json(info, p->schedule, p->seed);
        json_object_set_new(sched, "steps", json_integer((json_int_t)p->steps));
        json_object_set_new(sched, "fallbacks", json_integer((json_int_t)p->fallbacks));
        if (strcmp(p->schedule, "serial") == 0 || strcmp(p->schedule, "pct") == 0) {
            char hash[32];
            snprintf(hash, sizeof hash, "0x%016llx", (unsigned long long)p->event_hash);
            json_object_set_new(sched, "event_hash", json_string(hash));
        }
        json_object_set_new(report, "schedule", sched);
    }
    /* the program died (a crash, a signal) before its runtime wrote the schedule's totals: the schedule
     * and seed asked for still let the run be repeated, and such runs are the ones worth repeating */
    if (!json_object_get(report, "schedule") && info->instrumented && info->schedule &&
        strcmp(info->schedule, "native") != 0)
        json_object_set_new(report, "schedule", schedule_json(info, info->schedule, info->seed));
    /* the main process's timeline (--timeline / --html) */
    for (size_t i = 0; i < log->n_procs; i++) {
        const rl_ev_proc *p = &log->procs[i];
        if (p->pid != info->main_pid || !p->n_timeline)
            continue;
        json_t *holder = new_finding("timeline", p); /* collects lock objects and ids */
        json_t *events = json_array(), *threads = json_array();
        for (size_t k = 0; k < p->n_timeline; k++) {
            const rl_ev_tl *e = &p->timeline[k];
            json_t *ev = json_pack("{s:I,s:i,s:s}", "t_us", (json_int_t)e->t_us, "thread", (int)e->tid, "op", e->op);
            if (e->lock)
                json_object_set_new(ev, "lock", json_integer(add_lock(&b, holder, e->lock)));
            json_array_append_new(events, ev);
            add_thread(&b, holder, p, e->tid);
        }
        json_array_extend(threads, json_object_get(holder, "threads"));
        json_t *tl = json_pack("{s:o,s:o,s:O,s:I}", "threads", threads, "events", events, "locks",
                               json_object_get(holder, "locks"), "dropped", (json_int_t)p->timeline_dropped);
        if (p->timeline_mark[0]) {
            json_object_set_new(tl, "end", json_string(p->timeline_mark));
            json_object_set_new(tl, "end_us", json_integer((json_int_t)p->timeline_mark_us));
        }
        json_object_set_new(report, "timeline", tl);
        json_decref(holder);
    }
    json_object_set_new(report, "stats", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "processes", (json_int_t)log->n_procs,
                                                   "threads", (json_int_t)threads, "locks", (json_int_t)locks,
                                                   "edges", (json_int_t)edges, "acquisitions", (json_int_t)acq,
                                                   "max_concurrent_threads", (json_int_t)max_live));
    json_object_set_new(report, "variables", variables);
    for (size_t i = 0; i < log->n_procs; i++)
        rl_symbolizer_free(b.syms[i]);
    free(b.syms);
    free(b.lock_uids);
    free(b.site_ordinal);
    free(b.site_total);
    return report;
}
