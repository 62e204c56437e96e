/* lostupdate.c: lost-update accounting for one shared integer (see lostupdate.h for the rule).
 *
 * Versions count writes. A thread's pending load remembers the value, the version and the number of
 * live updates it saw; its next store compares versions. Value arithmetic wraps (two's
 * complement) instead of overflowing.
 *
 * The trace of the first stale store needs the events from the stale thread's load on. The ring
 * holds the last RL_LU_RING >= RL_LU_TRACE_MAX events, enough for a short trace and for the tail of
 * a long one. The head of a long one (the load and the RL_LU_TRACE_HEAD - 1 events after it) may
 * have left the ring, so until the first trace is saved a thread's latest load keeps its head: the
 * moment the ring is about to overwrite that load's event (RL_LU_RING events later), the head, still
 * all in the ring, is copied into the thread's record. Logging an event costs one look at the slot
 * it overwrites; a copy happens at most once per load, and only for a load RL_LU_RING events old.
 *
 * Only the allocator passed in is used: no libc allocation, no stdio, no abort.
 */
#include "lostupdate.h"

#include <stddef.h>
#include <string.h>

_Static_assert(RL_LU_TRACE_MAX <= RL_LU_RING, "a short trace and a long one's tail come from the ring");
_Static_assert(RL_LU_RING <= 64, "head_wanted has a bit per ring slot");
_Static_assert(offsetof(rl_lostupdate, st.lost_since_assignment) + 8 <= 64 &&
                   offsetof(rl_lostupdate, ring) % 64 == 0 && sizeof(((rl_lostupdate *)0)->ring[0]) == 64,
               "an event writes the tracker's first line and one ring slot, a line each");

struct rl_lu_thread {
    bool loaded;        /* a load is pending: this thread's next store is a read-modify-write */
    bool has_load;      /* seq names this thread's latest recorded load (pending or not) */
    int64_t value;      /* pending load: value read */
    uint64_t version;   /* pending load: version seen */
    uint64_t live;      /* pending load: updates the value it read reflected */
    uint64_t seq;       /* latest load: its event's seq */
    uint32_t n_head;    /* 0, or RL_LU_TRACE_HEAD once head holds the events seq, seq + 1, ... */
    rl_lu_event head[RL_LU_TRACE_HEAD]; /* the latest load and the events right after it, copied
                                         * out of the ring before the ring overwrote them */
};

static int64_t wrap_add(int64_t x, int64_t y) { return (int64_t)((uint64_t)x + (uint64_t)y); }
static int64_t wrap_sub(int64_t x, int64_t y) { return (int64_t)((uint64_t)x - (uint64_t)y); }

void rl_lostupdate_init(rl_lostupdate *lu, int64_t initial)
{
    memset(lu, 0, sizeof *lu);
    lu->st.initial = lu->st.current = lu->st.expected = initial;
    lu->last_writer = RL_LU_NO_TID;
}

void rl_lostupdate_free(rl_lostupdate *lu, const rl_allocator *a)
{
    if (lu->threads)
        a->free(a->ctx, lu->threads, (size_t)lu->threads_cap * sizeof *lu->threads);
    lu->threads = NULL;
    lu->threads_cap = 0;
}

/* ---- history --------------------------------------------------------------------------------- */

/* The ring is about to overwrite the event seq `old`, the latest load of `tid` while no trace is saved:
 * its head (the load and the events after it, all still in the ring) goes into its record first. */
static void keep_head(rl_lostupdate *lu, uint32_t tid, uint64_t old)
{
    rl_lu_thread *r = &lu->threads[tid];
    for (uint32_t i = 0; i < RL_LU_TRACE_HEAD; i++)
        r->head[i] = lu->ring[(old + i) % RL_LU_RING].ev;
    r->n_head = RL_LU_TRACE_HEAD;
}

/* The ring slot of the next event, its seq given (seq, version, value, tid, op, pc); the caller
 * fills in the rest (delta, stale, overwrote_tid are 0). Written in place: one slot per event. */
static inline rl_lu_event *log_event(rl_lostupdate *lu, uint64_t version, int64_t value, uint32_t tid,
                                     rl_lu_op op, uintptr_t pc)
{
    uint64_t seq = lu->st.events++;
    uint64_t slot = seq % RL_LU_RING;
    rl_lu_event *e = &lu->ring[slot].ev;
    if (__builtin_expect(lu->head_wanted >> slot & 1, 0)) {
        lu->head_wanted &= ~(1ull << slot);
        keep_head(lu, e->tid, e->seq);
    }
    *e = (rl_lu_event){ .seq = seq, .version = version, .value = value, .tid = tid, .op = op, .pc = pc };
    return e;
}

/* The trace of the first stale store: from r's load (seq r->seq) to the store (seq last). */
static void save_trace(rl_lostupdate *lu, uint32_t tid, const rl_lu_thread *r, uint64_t last)
{
    rl_lu_trace *t = &lu->trace;
    uint64_t len = last - r->seq + 1;
    t->tid = tid;
    t->n = 0;
    t->skipped = 0;
    uint64_t from = r->seq;
    if (len > RL_LU_TRACE_MAX) {
        /* the head: still in the ring, or kept in r when the ring overwrote the load */
        bool in_ring = last - r->seq < RL_LU_RING;
        for (uint32_t i = 0; i < RL_LU_TRACE_HEAD; i++)
            t->ev[t->n++] = in_ring ? lu->ring[(r->seq + i) % RL_LU_RING].ev : r->head[i];
        t->skipped = len - RL_LU_TRACE_MAX;
        from = last + 1 - RL_LU_TRACE_TAIL;
    }
    for (uint64_t s = from; s <= last; s++)
        t->ev[t->n++] = lu->ring[s % RL_LU_RING].ev;
    lu->has_trace = true;
    lu->head_wanted = 0;
}

/* A value seen that differs from the tracked one: an outside write of the difference. */
static void resync(rl_lostupdate *lu, int64_t seen)
{
    if (seen == lu->st.current)
        return;
    int64_t diff = wrap_sub(seen, lu->st.current);
    lu->st.current = seen;
    lu->st.expected = wrap_add(lu->st.expected, diff);
    lu->st.version++;
    lu->st.live_updates++; /* counted as one update */
    lu->st.outside_writes++;
    lu->last_writer = RL_LU_NO_TID;
    log_event(lu, lu->st.version, seen, RL_LU_NO_TID, RL_LU_OUTSIDE, 0)->delta = diff;
}

/* ---- events ---------------------------------------------------------------------------------- */

/* The record of `tid`, grown to fit; NULL when out of memory. */
static rl_lu_thread *thread_record(rl_lostupdate *lu, uint32_t tid, const rl_allocator *a)
{
    if (tid < lu->threads_cap)
        return &lu->threads[tid];
    if (tid == UINT32_MAX)
        return NULL;
    size_t cap = lu->threads_cap;
    rl_lu_thread *fresh = rl_array_grow(a, lu->threads, sizeof *fresh, &cap, (size_t)tid + 1);
    if (!fresh)
        return NULL;
    if (cap > UINT32_MAX) { /* unreachable in practice: more than 2^32 records allocated */
        if (fresh != lu->threads)
            a->free(a->ctx, fresh, cap * sizeof *fresh);
        return NULL;
    }
    lu->threads = fresh;
    lu->threads_cap = (uint32_t)cap;
    return &lu->threads[tid];
}

bool rl_lostupdate_on_load(rl_lostupdate *lu, uint32_t tid, int64_t value, uintptr_t pc, const rl_allocator *a)
{
    if (__builtin_expect(value != lu->st.current, 0))
        resync(lu, value);
    uint64_t seq = lu->st.events;
    rl_lu_thread *r = __builtin_expect(tid < lu->threads_cap, 1) ? &lu->threads[tid] : thread_record(lu, tid, a);
    if (r && r->has_load && seq - r->seq <= RL_LU_RING) /* its previous load, if still in the ring, */
        lu->head_wanted &= ~(1ull << (r->seq % RL_LU_RING)); /* is not its latest any more */
    log_event(lu, lu->st.version, value, tid, RL_LU_LOAD, pc);
    if (!r) {
        lu->st.nomem = true;
        return false;
    }
    if (!lu->has_trace)
        lu->head_wanted |= 1ull << (seq % RL_LU_RING);
    r->loaded = true;
    r->has_load = true;
    r->value = value;
    r->version = lu->st.version;
    r->live = lu->st.live_updates;
    r->seq = seq;
    r->n_head = 0; /* its head is in the ring until the ring overwrites this load (log_event) */
    return true;
}

bool rl_lostupdate_on_store(rl_lostupdate *lu, uint32_t tid, int64_t value, uintptr_t pc, rl_lu_store_result *out)
{
    rl_lu_store_result res = { 0 };
    rl_lu_stats *st = &lu->st;
    rl_lu_thread *r = tid < lu->threads_cap && lu->threads[tid].loaded ? &lu->threads[tid] : NULL;
    if (r) { /* read-modify-write */
        r->loaded = false;
        st->expected = wrap_add(st->expected, wrap_sub(value, r->value));
        if (st->version != r->version) {
            res.stale = true;
            res.lost_value = wrap_sub(st->current, r->value);
            res.lost_writes = st->version - r->version;
            res.lost_updates = (int64_t)(st->live_updates - r->live);
            res.overwrote_tid = lu->last_writer;
            st->lost_value = wrap_add(st->lost_value, res.lost_value);
            st->lost_since_assignment = wrap_add(st->lost_since_assignment, res.lost_value);
            st->lost_writes += res.lost_writes;
            st->lost_updates = wrap_add(st->lost_updates, res.lost_updates);
            st->stale_stores++;
        }
        st->live_updates = r->live + 1;
    } else { /* assignment */
        res.assignment = true;
        st->expected = value;
        st->lost_since_assignment = 0;
        st->live_updates = 0;
    }
    st->current = value;
    st->version++;
    lu->last_writer = tid;

    uint64_t seq = st->events;
    rl_lu_event *ev = log_event(lu, st->version, value, tid, RL_LU_STORE, pc);
    if (__builtin_expect(res.stale, 0)) {
        ev->stale = true;
        ev->overwrote_tid = res.overwrote_tid;
        if (!lu->has_trace) {
            save_trace(lu, tid, r, seq);
            res.first_stale = true;
        }
    }
    if (out)
        *out = res;
    return res.stale;
}

void rl_lostupdate_on_add(rl_lostupdate *lu, uint32_t tid, int64_t delta, int64_t value_before, uintptr_t pc)
{
    if (__builtin_expect(value_before != lu->st.current, 0))
        resync(lu, value_before);
    rl_lu_stats *st = &lu->st;
    st->current = wrap_add(st->current, delta);
    st->expected = wrap_add(st->expected, delta);
    st->version++;
    st->live_updates++;
    lu->last_writer = tid;
    log_event(lu, st->version, st->current, tid, RL_LU_ADD, pc)->delta = delta;
}

/* ---- getters --------------------------------------------------------------------------------- */

rl_lu_stats rl_lostupdate_stats(const rl_lostupdate *lu)
{
    return lu->st;
}

const rl_lu_trace *rl_lostupdate_trace(const rl_lostupdate *lu)
{
    return lu->has_trace ? &lu->trace : NULL;
}

size_t rl_lostupdate_recent(const rl_lostupdate *lu, rl_lu_event *out, size_t max)
{
    uint64_t n = lu->st.events < RL_LU_RING ? lu->st.events : RL_LU_RING;
    if (n > max)
        n = max;
    for (uint64_t i = 0; i < n; i++)
        out[i] = lu->ring[(lu->st.events - n + i) % RL_LU_RING].ev;
    return (size_t)n;
}

const char *rl_lu_op_name(rl_lu_op op)
{
    switch (op) {
    case RL_LU_LOAD: return "load";
    case RL_LU_STORE: return "store";
    case RL_LU_ADD: return "add";
    case RL_LU_OUTSIDE: return "outside";
    }
    return "unknown";
}

/* ---- invariants ------------------------------------------------------------------------------ */

static bool trace_ok(const rl_lostupdate *lu)
{
    const rl_lu_trace *t = &lu->trace;
    if (t->n < 2 || t->n > RL_LU_TRACE_MAX || (t->skipped && t->n != RL_LU_TRACE_MAX))
        return false;
    const rl_lu_event *first = &t->ev[0], *last = &t->ev[t->n - 1];
    if (first->op != RL_LU_LOAD || first->tid != t->tid)
        return false;
    if (last->op != RL_LU_STORE || last->tid != t->tid || !last->stale)
        return false;
    for (uint32_t i = 1; i < t->n; i++) {
        uint64_t gap = t->skipped && i == RL_LU_TRACE_HEAD ? t->skipped : 0;
        if (t->ev[i].seq != t->ev[i - 1].seq + 1 + gap)
            return false;
        if (i + 1 < t->n && t->ev[i].tid == t->tid && t->ev[i].op != RL_LU_ADD) /* t's load pending */
            return false;
    }
    return true;
}

bool rl_lostupdate_check(const rl_lostupdate *lu)
{
    const rl_lu_stats *st = &lu->st;
    if (wrap_sub(st->expected, st->current) != st->lost_since_assignment)
        return false;
    if (st->lost_writes < st->stale_stores || lu->has_trace != (st->stale_stores > 0))
        return false;
    if ((lu->threads == NULL) != (lu->threads_cap == 0))
        return false;
    if (lu->has_trace && !trace_ok(lu))
        return false;
    /* the ring holds the last events, each at its place */
    uint64_t kept = st->events < RL_LU_RING ? st->events : RL_LU_RING;
    for (uint64_t s = st->events - kept; s < st->events; s++)
        if (lu->ring[s % RL_LU_RING].ev.seq != s)
            return false;
    /* head_wanted: exactly the slots holding, with no trace saved yet, a thread's latest load */
    uint64_t wanted = 0;
    if (!lu->has_trace)
        for (uint64_t s = st->events - kept; s < st->events; s++) {
            const rl_lu_event *e = &lu->ring[s % RL_LU_RING].ev;
            if (e->op == RL_LU_LOAD && e->tid < lu->threads_cap && lu->threads[e->tid].has_load &&
                lu->threads[e->tid].seq == s)
                wanted |= 1ull << (s % RL_LU_RING);
        }
    if (wanted != lu->head_wanted)
        return false;
    /* pending loads are in the past; until the trace is saved, the head of each thread's latest load
     * is in the ring or (once the ring overwrote that load) kept in its record */
    for (uint32_t tid = 0; tid < lu->threads_cap; tid++) {
        const rl_lu_thread *r = &lu->threads[tid];
        if (r->loaded && (!r->has_load || r->version > st->version || r->seq >= st->events))
            return false;
        if (!r->has_load) {
            if (r->n_head)
                return false;
            continue;
        }
        if (r->seq >= st->events || (r->n_head != 0 && r->n_head != RL_LU_TRACE_HEAD))
            return false;
        bool overwritten = st->events - r->seq > RL_LU_RING;
        if (r->n_head && !overwritten)
            return false;
        if (!lu->has_trace && overwritten && !r->n_head)
            return false;
        for (uint32_t i = 0; i < r->n_head; i++)
            if (r->head[i].seq != r->seq + i || (i == 0 && (r->head[0].op != RL_LU_LOAD || r->head[0].tid != tid)))
                return false;
        if (!overwritten) {
            const rl_lu_event *e = &lu->ring[r->seq % RL_LU_RING].ev;
            if (e->op != RL_LU_LOAD || e->tid != tid)
                return false;
        }
    }
    return true;
}
