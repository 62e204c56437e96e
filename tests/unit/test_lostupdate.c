/* test_lostupdate.c: lost-update accounting (detector/lostupdate.h):
 *   - the OSTEP counter example with its exact trace; the three-thread chain that shows why
 *     overwritten writes and lost updates differ; assignments resetting the baseline (and a stale
 *     store that overwrites one); values the tracker did not expect; the recent-events ring;
 *   - seeded random interleavings of many threads doing load/store increments (unit and non-unit)
 *     and atomic adds, simulated against a real memory cell: the expected value is known by
 *     arithmetic, and after every step expected - current == lost_value; with unit increments
 *     lost_updates == lost_value. The trace is compared with the test's own log of every event;
 *   - trace truncation at its bounds (32, 33 events), beyond the ring, with a reload in between;
 *   - out of memory.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lostupdate.h"

/* ---- a test allocator: counts bytes, fails on demand --------------------------------------------- */

typedef struct test_alloc {
    size_t outstanding;  /* bytes allocated and not yet freed */
    long allocs_left;    /* fail once this reaches 0; negative = never */
} test_alloc;

static void *ta_alloc(void *ctx, size_t size)
{
    test_alloc *t = ctx;
    if (t->allocs_left == 0)
        return NULL;
    if (t->allocs_left > 0)
        t->allocs_left--;
    void *p = calloc(1, size ? size : 1);
    if (p)
        t->outstanding += size;
    return p;
}

static void ta_free(void *ctx, void *ptr, size_t size)
{
    test_alloc *t = ctx;
    if (ptr)
        t->outstanding -= size;
    free(ptr);
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- a driver: a memory cell, the tracker, and the test's own log of every event ----------------- */

typedef struct logged {
    uint32_t tid;
    rl_lu_op op;
    int64_t value;
} logged;

typedef struct driver {
    rl_lostupdate lu;
    int64_t mem;        /* the real variable */
    logged *log;        /* every event, by seq */
    size_t n_log, cap_log;
    test_alloc ta;
    rl_allocator a;
} driver;

static void drv_init(driver *d, int64_t initial)
{
    memset(d, 0, sizeof *d);
    rl_lostupdate_init(&d->lu, initial);
    d->mem = initial;
    d->ta.allocs_left = -1;
    d->a = (rl_allocator){ ta_alloc, ta_free, &d->ta };
}

static void drv_free(driver *d)
{
    rl_lostupdate_free(&d->lu, &d->a);
    cr_assert(eq(sz, d->ta.outstanding, 0));
    free(d->log);
}

static void drv_log(driver *d, uint32_t tid, rl_lu_op op, int64_t value)
{
    if (d->n_log == d->cap_log) {
        d->cap_log = d->cap_log ? 2 * d->cap_log : 256;
        d->log = realloc(d->log, d->cap_log * sizeof *d->log);
        cr_assert(ne(ptr, d->log, NULL));
    }
    d->log[d->n_log++] = (logged){ tid, op, value };
}

static void drv_check(driver *d)
{
    cr_assert(rl_lostupdate_check(&d->lu));
    rl_lu_stats st = rl_lostupdate_stats(&d->lu);
    cr_assert(eq(i64, st.current, d->mem));
    cr_assert(eq(i64, st.expected - st.current, st.lost_since_assignment));
    cr_assert(eq(u64, st.events, (uint64_t)d->n_log));
}

/* The program counter the driver gives each access: which thread, which operation. */
static uintptr_t pc_of(uint32_t tid, rl_lu_op op)
{
    return 0x1000 + (uintptr_t)tid * 16 + (uintptr_t)op;
}

static int64_t load(driver *d, uint32_t tid)
{
    cr_assert(rl_lostupdate_on_load(&d->lu, tid, d->mem, pc_of(tid, RL_LU_LOAD), &d->a));
    drv_log(d, tid, RL_LU_LOAD, d->mem);
    drv_check(d);
    return d->mem;
}

static rl_lu_store_result store(driver *d, uint32_t tid, int64_t value)
{
    rl_lu_store_result r;
    d->mem = value;
    bool stale = rl_lostupdate_on_store(&d->lu, tid, value, pc_of(tid, RL_LU_STORE), &r);
    cr_assert(eq(int, stale, r.stale));
    drv_log(d, tid, RL_LU_STORE, value);
    drv_check(d);
    return r;
}

static void add(driver *d, uint32_t tid, int64_t delta)
{
    int64_t before = d->mem;
    d->mem += delta;
    rl_lostupdate_on_add(&d->lu, tid, delta, before, pc_of(tid, RL_LU_ADD));
    drv_log(d, tid, RL_LU_ADD, d->mem);
    drv_check(d);
}

/* The saved trace against the test's log: the window [from, to] of seqs, truncated as promised. */
static void expect_trace(const driver *d, uint32_t tid, uint64_t from, uint64_t to)
{
    const rl_lu_trace *t = rl_lostupdate_trace(&d->lu);
    cr_assert(ne(ptr, (void *)t, NULL));
    cr_assert(eq(u32, t->tid, tid));
    uint64_t len = to - from + 1;
    uint64_t skipped = len > RL_LU_TRACE_MAX ? len - RL_LU_TRACE_MAX : 0;
    cr_assert(eq(u64, t->skipped, skipped));
    cr_assert(eq(u32, t->n, (uint32_t)(len - skipped)));
    for (uint32_t i = 0; i < t->n; i++) {
        uint64_t seq = from + i + (i >= RL_LU_TRACE_HEAD ? skipped : 0);
        const rl_lu_event *e = &t->ev[i];
        cr_assert(eq(u64, e->seq, seq), "trace event %u", i);
        cr_assert(eq(u32, e->tid, d->log[seq].tid), "trace event %u", i);
        cr_assert(eq(int, e->op, d->log[seq].op), "trace event %u", i);
        cr_assert(eq(i64, e->value, d->log[seq].value), "trace event %u", i);
        if (e->op != RL_LU_OUTSIDE)
            cr_assert(eq(u64, e->pc, pc_of(e->tid, e->op)), "trace event %u keeps where the access was made", i);
        else
            cr_assert(eq(u64, e->pc, 0), "an inferred outside write has no location");
    }
}

/* ---- scenarios ------------------------------------------------------------------------------------ */

/* OSTEP, "Concurrency: an introduction": counter = 41, both threads read 41 and write 42. */
Test(lostupdate, ostep_counter)
{
    driver d;
    drv_init(&d, 41);
    load(&d, 1);
    load(&d, 2);
    rl_lu_store_result r2 = store(&d, 2, 42);
    cr_assert(not(r2.stale));
    cr_assert(not(r2.assignment));
    cr_assert(eq(ptr, (void *)rl_lostupdate_trace(&d.lu), NULL));
    rl_lu_store_result r1 = store(&d, 1, 42);
    cr_assert(r1.stale);
    cr_assert(r1.first_stale);
    cr_assert(eq(i64, r1.lost_value, 1));
    cr_assert(eq(u64, r1.lost_writes, 1));
    cr_assert(eq(i64, r1.lost_updates, 1));
    cr_assert(eq(u32, r1.overwrote_tid, 2));

    rl_lu_stats st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.initial, 41));
    cr_assert(eq(i64, st.expected, 43));
    cr_assert(eq(i64, st.current, 42));
    cr_assert(eq(i64, st.lost_value, 1));
    cr_assert(eq(u64, st.lost_writes, 1));
    cr_assert(eq(u64, st.stale_stores, 1));
    cr_assert(eq(u64, st.version, 2));

    const rl_lu_trace *t = rl_lostupdate_trace(&d.lu);
    cr_assert(eq(u32, t->n, 4));
    cr_assert(eq(u64, t->skipped, 0));
    cr_assert(eq(u32, t->tid, 1));
    const struct { uint32_t tid; rl_lu_op op; int64_t value; uint64_t version; } want[] = {
        { 1, RL_LU_LOAD, 41, 0 },
        { 2, RL_LU_LOAD, 41, 0 },
        { 2, RL_LU_STORE, 42, 1 },
        { 1, RL_LU_STORE, 42, 2 },
    };
    for (uint32_t i = 0; i < 4; i++) {
        cr_assert(eq(u32, t->ev[i].tid, want[i].tid));
        cr_assert(eq(int, t->ev[i].op, want[i].op));
        cr_assert(eq(i64, t->ev[i].value, want[i].value));
        cr_assert(eq(u64, t->ev[i].version, want[i].version));
        cr_assert(eq(u64, t->ev[i].seq, i));
        cr_assert(eq(int, t->ev[i].stale, i == 3));
    }
    cr_assert(eq(u32, t->ev[3].overwrote_tid, 2));
    drv_free(&d);
}

/* T1, T2, T3 load 0; T2 stores 1; T3 stores 1 (stale); T1 stores 1 (stale). T2's write is
 * overwritten twice: 3 writes overwritten, but 2 increments lost. */
Test(lostupdate, overwritten_writes_versus_lost_updates)
{
    driver d;
    drv_init(&d, 0);
    load(&d, 1);
    load(&d, 2);
    load(&d, 3);
    store(&d, 2, 1);
    rl_lu_store_result r3 = store(&d, 3, 1);
    cr_assert(eq(u64, r3.lost_writes, 1));
    cr_assert(eq(i64, r3.lost_updates, 1));
    rl_lu_store_result r1 = store(&d, 1, 1);
    cr_assert(eq(u64, r1.lost_writes, 2));
    cr_assert(eq(i64, r1.lost_updates, 1));
    cr_assert(eq(u32, r1.overwrote_tid, 3));
    cr_assert(not(r1.first_stale));
    rl_lu_stats st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected, 3));
    cr_assert(eq(i64, st.lost_value, 2));
    cr_assert(eq(i64, st.lost_updates, 2));
    cr_assert(eq(u64, st.lost_writes, 3));
    cr_assert(eq(u64, st.stale_stores, 2));
    expect_trace(&d, 3, 2, 4); /* the first stale store was T3's */
    drv_free(&d);
}

/* A stale store whose load saw more updates than the value now holds brings them back: its own
 * value loss is 0 (and its net lost updates 0), although it overwrote a write. */
Test(lostupdate, stale_store_that_restores_updates)
{
    driver d;
    drv_init(&d, 0);
    add(&d, 0, 1);
    load(&d, 2);           /* sees 1 */
    add(&d, 0, 1);
    load(&d, 1);           /* sees 2 */
    rl_lu_store_result r2 = store(&d, 2, 2);
    cr_assert(eq(i64, r2.lost_value, 1));
    cr_assert(eq(i64, r2.lost_updates, 1));
    load(&d, 3);           /* sees 2, which reflects 2 updates, not 3 */
    rl_lu_store_result r1 = store(&d, 1, 3);
    cr_assert(r1.stale);
    cr_assert(eq(i64, r1.lost_value, 0));
    cr_assert(eq(i64, r1.lost_updates, 0));
    cr_assert(eq(u64, r1.lost_writes, 1));
    rl_lu_store_result r3 = store(&d, 3, 3);
    cr_assert(eq(i64, r3.lost_value, 1));
    cr_assert(eq(i64, r3.lost_updates, 1));
    rl_lu_stats st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected, 5));
    cr_assert(eq(i64, st.current, 3));
    cr_assert(eq(i64, st.lost_value, 2));
    cr_assert(eq(i64, st.lost_updates, 2));
    drv_free(&d);
}

Test(lostupdate, adds_never_lose)
{
    driver d;
    drv_init(&d, 10);
    for (uint32_t t = 0; t < 8; t++)
        add(&d, t, (int64_t)t - 3);
    rl_lu_stats st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected, 10 + 28 - 24));
    cr_assert(eq(i64, st.current, st.expected));
    cr_assert(eq(u64, st.stale_stores, 0));
    cr_assert(eq(u64, st.version, 8));
    cr_assert(eq(ptr, (void *)rl_lostupdate_trace(&d.lu), NULL));
    drv_free(&d);
}

/* A thread's own add between its load and its store is lost too (version moved). */
Test(lostupdate, own_add_between_load_and_store)
{
    driver d;
    drv_init(&d, 5);
    int64_t v = load(&d, 1);
    add(&d, 1, 1);
    rl_lu_store_result r = store(&d, 1, v + 1);
    cr_assert(r.stale);
    cr_assert(eq(i64, r.lost_value, 1));
    cr_assert(eq(u32, r.overwrote_tid, 1));
    cr_assert(eq(i64, rl_lostupdate_stats(&d.lu).expected, 7));
    drv_free(&d);
}

Test(lostupdate, assignments_reset_the_baseline)
{
    driver d;
    drv_init(&d, 5);
    load(&d, 1);
    add(&d, 2, 3);                                 /* 8 */
    rl_lu_store_result r = store(&d, 1, 6);        /* meant 5 -> 6: loses T2's +3 */
    cr_assert(r.stale);
    cr_assert(eq(i64, r.lost_value, 3));
    rl_lu_stats st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected, 9));
    cr_assert(eq(i64, st.lost_value, 3));
    cr_assert(eq(i64, st.expected - st.current, st.lost_value));

    r = store(&d, 3, 100);                         /* no load by T3: an assignment */
    cr_assert(r.assignment);
    cr_assert(not(r.stale));
    st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected, 100));
    cr_assert(eq(i64, st.lost_since_assignment, 0));
    cr_assert(eq(i64, st.lost_value, 3), "the run's total is kept");

    int64_t v = load(&d, 1);
    cr_assert(not(store(&d, 1, v + 1).stale));
    cr_assert(store(&d, 1, 7).assignment, "a second store without a new load is an assignment");
    cr_assert(eq(i64, rl_lostupdate_stats(&d.lu).expected, 7));

    /* a stale store that overwrites an assignment to a smaller value loses a negative amount */
    v = load(&d, 1);                               /* 7 */
    store(&d, 2, 2);                               /* T2: assignment, expected 2 */
    r = store(&d, 1, v + 1);                       /* meant +1 from 7 */
    cr_assert(r.stale);
    cr_assert(eq(i64, r.lost_value, 2 - 7));
    cr_assert(eq(u32, r.overwrote_tid, 2));
    st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected, 3));
    cr_assert(eq(i64, st.current, 8));
    cr_assert(eq(i64, st.lost_since_assignment, -5));
    cr_assert(eq(i64, st.lost_value, 3 - 5));
    v = load(&d, 2);
    store(&d, 3, 1000);                            /* assignment */
    r = store(&d, 2, v - 1);                       /* meant -1 from 8: overwrote 1000 */
    cr_assert(eq(i64, r.lost_value, 992));
    st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected - st.current, st.lost_since_assignment));
    cr_assert(eq(i64, st.expected, 999));
    drv_free(&d);
}

/* A load or add that sees a value the tracker did not expect: an outside write of the difference. */
Test(lostupdate, unexpected_values_are_outside_writes)
{
    driver d;
    drv_init(&d, 0);
    d.mem = 5; /* somebody wrote 5 without telling the tracker */
    drv_log(&d, RL_LU_NO_TID, RL_LU_OUTSIDE, 5);
    int64_t v = load(&d, 1);
    rl_lu_stats st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(u64, st.outside_writes, 1));
    cr_assert(eq(i64, st.expected, 5));
    cr_assert(not(store(&d, 1, v + 1).stale), "the load came after the outside write");
    load(&d, 2);
    d.mem += 10;
    drv_log(&d, RL_LU_NO_TID, RL_LU_OUTSIDE, d.mem);
    add(&d, 3, 1);
    rl_lu_store_result r = store(&d, 2, 7);
    cr_assert(r.stale);
    cr_assert(eq(i64, r.lost_value, 17 - 6));
    cr_assert(eq(u64, r.lost_writes, 2));
    st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(u64, st.outside_writes, 2));
    cr_assert(eq(i64, st.expected - st.current, st.lost_value));
    rl_lu_event ev[RL_LU_RING];
    size_t n = rl_lostupdate_recent(&d.lu, ev, RL_LU_RING);
    cr_assert(eq(sz, n, 7));
    cr_assert(eq(int, ev[4].op, RL_LU_OUTSIDE));
    cr_assert(eq(u32, ev[4].tid, RL_LU_NO_TID));
    cr_assert(eq(i64, ev[4].delta, 10));
    expect_trace(&d, 2, 3, 6);
    drv_free(&d);
}

Test(lostupdate, recent_events_ring)
{
    driver d;
    drv_init(&d, 0);
    for (uint32_t i = 0; i < 50; i++) {
        int64_t v = load(&d, i % 3);
        store(&d, i % 3, v + 1);
    }
    rl_lu_event ev[RL_LU_RING + 5];
    size_t n = rl_lostupdate_recent(&d.lu, ev, sizeof ev / sizeof ev[0]);
    cr_assert(eq(sz, n, RL_LU_RING));
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = 100 - RL_LU_RING + i;
        cr_assert(eq(u64, ev[i].seq, seq));
        cr_assert(eq(int, ev[i].op, d.log[seq].op));
        cr_assert(eq(i64, ev[i].value, d.log[seq].value));
    }
    n = rl_lostupdate_recent(&d.lu, ev, 3);
    cr_assert(eq(sz, n, 3));
    cr_assert(eq(u64, ev[2].seq, 99));
    cr_assert(eq(str, (char *)rl_lu_op_name(RL_LU_LOAD), "load"));
    cr_assert(eq(str, (char *)rl_lu_op_name(RL_LU_STORE), "store"));
    cr_assert(eq(str, (char *)rl_lu_op_name(RL_LU_ADD), "add"));
    cr_assert(eq(str, (char *)rl_lu_op_name(RL_LU_OUTSIDE), "outside"));
    drv_free(&d);
}

/* ---- the trace and its truncation ----------------------------------------------------------------- */

/* T1 loads, `between` events by T2 (load/store increments, then one add if odd), T1 stores. */
static void window_of(size_t between)
{
    driver d;
    drv_init(&d, 0);
    int64_t v = load(&d, 1);
    for (size_t i = 0; i + 1 < between; i += 2) {
        int64_t w = load(&d, 2);
        store(&d, 2, w + 1);
    }
    if (between % 2)
        add(&d, 2, 1);
    rl_lu_store_result r = store(&d, 1, v + 1);
    cr_assert(r.stale);
    cr_assert(r.first_stale);
    cr_assert(eq(u32, r.overwrote_tid, 2));
    expect_trace(&d, 1, 0, between + 1);
    const rl_lu_trace *t = rl_lostupdate_trace(&d.lu);
    cr_assert(eq(int, t->ev[t->n - 1].op, RL_LU_STORE));
    cr_assert(eq(u32, t->ev[t->n - 1].overwrote_tid, 2));
    cr_assert(eq(int, t->ev[0].op, RL_LU_LOAD));
    drv_free(&d);
}

Test(lostupdate_trace, short) { window_of(1); }
Test(lostupdate_trace, exactly_32_events) { window_of(30); }
Test(lostupdate_trace, just_over) { window_of(31); }        /* 33 events: 1 skipped */
Test(lostupdate_trace, long) { window_of(40); }             /* 42 events: first 8, 10 skipped, last 24 */
Test(lostupdate_trace, beyond_the_ring) { window_of(500); } /* the head is no longer in the ring */

/* T1 loads, then loads again (the window starts at the second load); meanwhile other threads load
 * and reload, keep loads pending, store; the window is longer than the ring. T5's load just before
 * T1's keeps T1 away from the end of the list of records collecting their first events. */
Test(lostupdate_trace, reload_and_other_pending_loads)
{
    driver d;
    drv_init(&d, 0);
    load(&d, 1);
    for (uint32_t i = 0; i < 10; i++)
        add(&d, 4, 1);
    load(&d, 5);
    uint64_t from = d.n_log;
    int64_t v = load(&d, 1);
    uint64_t rng = 7;
    for (int i = 0; i < 300; i++) {
        uint32_t t = 2 + (uint32_t)(rng_next(&rng) % 6);
        switch (rng_next(&rng) % 3) {
        case 0: load(&d, t); break;
        case 1: add(&d, t, 2); break;
        default: /* a store only after a fresh load, so that it is never stale */
            store(&d, t, load(&d, t) + 1);
            break;
        }
    }
    cr_assert(store(&d, 1, v + 1).first_stale);
    uint64_t to = d.n_log - 1;
    expect_trace(&d, 1, from, to);
    /* later stale stores keep the first trace */
    int64_t w = load(&d, 2);
    add(&d, 3, 1);
    rl_lu_store_result r = store(&d, 2, w + 1);
    cr_assert(r.stale);
    cr_assert(not(r.first_stale));
    expect_trace(&d, 1, from, to);
    drv_free(&d);
}

/* ---- seeded random interleavings ------------------------------------------------------------------ */

typedef struct sim_thread {
    bool loaded;      /* between its load and its store */
    int64_t seen;     /* value loaded */
    int64_t delta;    /* what this increment adds */
    int left;         /* increments still to do */
} sim_thread;

/* `threads` threads each do `per_thread` increments by a delta in [-max_delta, max_delta] (1 when
 * max_delta is 0), p_add percent of them as atomic adds, the rest as load then store, interleaved
 * at random. */
static void random_run(uint64_t seed, uint32_t threads, int per_thread, unsigned p_add, int64_t max_delta)
{
    driver d;
    const int64_t initial = 1000;
    drv_init(&d, initial);
    sim_thread th[64];
    cr_assert(le(u32, threads, 64));
    memset(th, 0, sizeof th);
    for (uint32_t t = 0; t < threads; t++)
        th[t].left = per_thread;
    uint64_t rng = seed;
    int64_t intended = 0, sum_lost = 0;
    uint64_t sum_writes = 0, first_from = 0, first_to = 0, first_loads[64] = { 0 };
    uint32_t first_tid = RL_LU_NO_TID;
    int remaining = (int)threads * per_thread;
    while (remaining > 0) {
        uint32_t t = (uint32_t)(rng_next(&rng) % threads);
        sim_thread *s = &th[t];
        if (s->left == 0)
            continue;
        if (!s->loaded) {
            s->delta = max_delta ? (int64_t)(rng_next(&rng) % (uint64_t)(2 * max_delta + 1)) - max_delta : 1;
            if (rng_next(&rng) % 100 < p_add) {
                add(&d, t, s->delta);
                intended += s->delta;
                s->left--;
                remaining--;
            } else {
                first_loads[t] = d.n_log;
                s->seen = load(&d, t);
                s->loaded = true;
            }
        } else {
            rl_lu_store_result r = store(&d, t, s->seen + s->delta);
            cr_assert(not(r.assignment));
            intended += s->delta;
            sum_lost += r.lost_value;
            sum_writes += r.lost_writes;
            if (r.first_stale) {
                first_tid = t;
                first_from = first_loads[t];
                first_to = d.n_log - 1;
            }
            s->loaded = false;
            s->left--;
            remaining--;
        }
        rl_lu_stats st = rl_lostupdate_stats(&d.lu);
        cr_assert(eq(i64, st.expected - st.current, st.lost_value), "seed %lu", (unsigned long)seed);
        cr_assert(eq(i64, st.expected, initial + intended));
    }
    rl_lu_stats st = rl_lostupdate_stats(&d.lu);
    cr_assert(eq(i64, st.expected, initial + intended));
    cr_assert(eq(i64, st.current, d.mem));
    cr_assert(eq(i64, st.expected - d.mem, st.lost_value));
    cr_assert(eq(i64, st.lost_value, sum_lost));
    cr_assert(eq(u64, st.lost_writes, sum_writes));
    cr_assert(ge(u64, st.lost_writes, st.stale_stores));
    cr_assert(gt(u64, st.stale_stores, 10), "the interleaving must lose updates");
    if (max_delta == 0)
        cr_assert(eq(i64, st.lost_updates, st.lost_value), "unit increments: updates lost == value lost");
    cr_assert(ne(u32, first_tid, RL_LU_NO_TID));
    expect_trace(&d, first_tid, first_from, first_to);
    drv_free(&d);
}

Test(lostupdate_model, unit_increments_many_threads) { random_run(1, 16, 400, 0, 0); }
Test(lostupdate_model, unit_increments_two_threads) { random_run(2, 2, 2000, 0, 0); }
Test(lostupdate_model, unit_increments_with_adds) { random_run(3, 8, 500, 30, 0); }
Test(lostupdate_model, non_unit_increments) { random_run(4, 6, 600, 0, 1000); }
Test(lostupdate_model, non_unit_mixed_with_adds) { random_run(5, 12, 300, 50, 7); }
Test(lostupdate_model, threads_beyond_first_capacity) { random_run(6, 64, 50, 10, 3); }

Test(lostupdate_model, several_seeds)
{
    for (uint64_t seed = 10; seed < 40; seed++)
        random_run(seed, 2 + (uint32_t)(seed % 9), 200, (unsigned)(seed * 11 % 60), (int64_t)(seed % 3) * 5);
}

/* ---- memory --------------------------------------------------------------------------------------- */

Test(lostupdate, out_of_memory_on_load)
{
    test_alloc t = { .allocs_left = 0 };
    rl_allocator a = { ta_alloc, ta_free, &t };
    rl_lostupdate lu;
    rl_lostupdate_init(&lu, 0);
    cr_assert(not(rl_lostupdate_on_load(&lu, 1, 0, 0, &a)));
    cr_assert(rl_lostupdate_stats(&lu).nomem);
    rl_lu_store_result r;
    cr_assert(not(rl_lostupdate_on_store(&lu, 1, 1, 0, &r)));
    cr_assert(r.assignment, "an unrecorded load makes the store an assignment");
    cr_assert(rl_lostupdate_check(&lu));
    cr_assert(eq(u64, rl_lostupdate_stats(&lu).events, 2), "the events are still logged");
    rl_lostupdate_free(&lu, &a);
    cr_assert(eq(sz, t.outstanding, 0));
}

Test(lostupdate, high_thread_id_and_free)
{
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = { ta_alloc, ta_free, &t };
    rl_lostupdate lu;
    rl_lostupdate_init(&lu, 0);
    cr_assert(rl_lostupdate_on_load(&lu, 1000, 0, 0, &a));
    cr_assert(rl_lostupdate_on_load(&lu, 3, 0, 0, &a));
    rl_lostupdate_on_store(&lu, 3, 1, 0, NULL);
    cr_assert(rl_lostupdate_on_store(&lu, 1000, 1, 0, NULL));
    cr_assert(not(rl_lostupdate_on_load(&lu, UINT32_MAX, 1, 0, &a)), "RL_LU_NO_TID is not a thread");
    cr_assert(rl_lostupdate_check(&lu));
    rl_lostupdate_free(&lu, &a);
    cr_assert(eq(sz, t.outstanding, 0));
    cr_assert(eq(u64, rl_lostupdate_stats(&lu).stale_stores, 1), "counters stay readable after free");
    cr_assert(ne(ptr, (void *)rl_lostupdate_trace(&lu), NULL));
}
