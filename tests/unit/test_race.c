/* test_race.c: FastTrack data races (detector/race.h), on synthetic threads whose vector clocks the
 * test keeps itself (vclock.h: release copies the thread's clock into the lock's and ticks the
 * thread; acquire joins; fork and join likewise):
 *   - named scenarios, one per FastTrack rule: unordered and lock-ordered writes, a chain of lock
 *     handoffs, write-read and read-write races, read sharing then a write (naming the right
 *     reader), the same-epoch fast paths, fork/join edges, the report's contents, out of memory;
 *   - a seeded random run of locks, forks, joins and accesses against a naive happens-before model
 *     that keeps every access with a full vector-clock snapshot: FastTrack reports a race at an
 *     access iff some earlier conflicting access is not ordered before it, of the kind the model
 *     predicts, naming an access that really is one. After the first race on a variable both start
 *     that variable afresh. The same with an allocator that fails at random: any race reported is
 *     still real, and exact agreement is required as long as the variable lost no read;
 *   - the runtime's lean entry points (rl_race_read / rl_race_write) against the full ones on twin
 *     states: the same verdicts, reports and epochs.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "race.h"

/* ---- a test allocator: counts bytes, fails on demand --------------------------------------------- */

typedef struct test_alloc {
    size_t outstanding;  /* bytes allocated and not yet freed */
    long allocs_left;    /* fail once this reaches 0; negative = never */
    uint64_t rng;        /* random failures when fail_one_in is set */
    unsigned fail_one_in;
} test_alloc;

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void *ta_alloc(void *ctx, size_t size)
{
    test_alloc *t = ctx;
    if (t->allocs_left == 0)
        return NULL;
    if (t->allocs_left > 0)
        t->allocs_left--;
    if (t->fail_one_in && rng_next(&t->rng) % t->fail_one_in == 0)
        return NULL;
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

static rl_allocator ta_make(test_alloc *t)
{
    return (rl_allocator){ ta_alloc, ta_free, t };
}

/* ---- simulated threads and locks ------------------------------------------------------------------ */

#define MAX_T 12
#define MAX_L 4

typedef struct sim {
    int n_threads;
    rl_vclock thr[MAX_T];   /* C_t */
    rl_vclock lock[MAX_L];  /* L_m */
    int owner[MAX_L];       /* thread holding the lock, -1 = free (random runs only) */
} sim;

static const rl_allocator *const libc = &rl_libc_allocator; /* the simulation's own clocks */

static void sim_init(sim *s, int n_threads)
{
    memset(s, 0, sizeof *s);
    s->n_threads = n_threads;
    for (int t = 0; t < n_threads; t++)
        cr_assert(rl_vclock_set(&s->thr[t], (uint32_t)t, 1, libc)); /* a thread starts at 1 */
    for (int l = 0; l < MAX_L; l++)
        s->owner[l] = -1;
}

static void sim_free(sim *s)
{
    for (int t = 0; t < MAX_T; t++)
        rl_vclock_free(&s->thr[t], libc);
    for (int l = 0; l < MAX_L; l++)
        rl_vclock_free(&s->lock[l], libc);
}

static void sim_release(sim *s, int t, int l)
{
    cr_assert(rl_vclock_copy(&s->lock[l], &s->thr[t], libc));
    cr_assert(rl_vclock_increment(&s->thr[t], (uint32_t)t, libc));
}

static void sim_acquire(sim *s, int t, int l)
{
    cr_assert(rl_vclock_join(&s->thr[t], &s->lock[l], libc));
}

static void sim_fork(sim *s, int parent, int child)
{
    cr_assert(rl_vclock_join(&s->thr[child], &s->thr[parent], libc));
    cr_assert(rl_vclock_increment(&s->thr[parent], (uint32_t)parent, libc));
}

static void sim_join(sim *s, int joiner, int joined)
{
    cr_assert(rl_vclock_join(&s->thr[joiner], &s->thr[joined], libc));
    cr_assert(rl_vclock_increment(&s->thr[joined], (uint32_t)joined, libc));
}

/* ---- scenarios ------------------------------------------------------------------------------------ */

static rl_race_report rep; /* the last report */

static rl_race_kind access_with(sim *s, rl_race_state *v, int t, bool is_write, uintptr_t pc,
                                const rl_allocator *a)
{
    rl_access_info info = { .tid = (uint32_t)t, .pc = pc, .value = (int64_t)pc * 10 };
    rl_race_kind k = is_write ? rl_race_on_write(v, &s->thr[t], &info, &rep, a)
                              : rl_race_on_read(v, &s->thr[t], &info, &rep, a);
    cr_assert(eq(int, (int)rep.kind, (int)k));
    cr_assert(eq(u32, rep.now.tid, (uint32_t)t));
    cr_assert(eq(int, rep.now.is_write, is_write));
    cr_assert(rl_race_state_check(v));
    return k;
}

static rl_race_kind rd(sim *s, rl_race_state *v, int t, uintptr_t pc)
{
    return access_with(s, v, t, false, pc, libc);
}

static rl_race_kind wr(sim *s, rl_race_state *v, int t, uintptr_t pc)
{
    return access_with(s, v, t, true, pc, libc);
}

static void expect_earlier(uint32_t tid, bool is_write, uintptr_t pc)
{
    cr_assert(eq(u32, rep.earlier.tid, tid));
    cr_assert(eq(int, rep.earlier.is_write, is_write));
    cr_assert(eq(u64, (uint64_t)rep.earlier.pc, (uint64_t)pc));
    cr_assert(eq(i64, rep.earlier.value, (int64_t)pc * 10));
}

Test(race, write_write_unordered)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    cr_assert(eq(int, wr(&s, &x, 1, 1), RL_RACE_NONE));
    cr_assert(eq(int, wr(&s, &x, 2, 2), RL_RACE_WRITE_WRITE));
    expect_earlier(1, true, 1);
    cr_assert(eq(u64, (uint64_t)rep.now.pc, 2));
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

Test(race, write_write_ordered_by_a_lock)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    wr(&s, &x, 1, 1);
    sim_release(&s, 1, 0);
    sim_acquire(&s, 2, 0);
    cr_assert(eq(int, wr(&s, &x, 2, 2), RL_RACE_NONE));
    cr_assert(eq(int, rd(&s, &x, 2, 3), RL_RACE_NONE));
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

/* A release nobody acquires, or an acquire of another lock, orders nothing. */
Test(race, unmatched_release_orders_nothing)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    wr(&s, &x, 1, 1);
    sim_release(&s, 1, 0);
    sim_acquire(&s, 2, 1);
    cr_assert(eq(int, wr(&s, &x, 2, 2), RL_RACE_WRITE_WRITE));
    expect_earlier(1, true, 1);
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

/* T1 -> T2 through m0, T2 -> T3 through m1: T3 is ordered after T1's write although T2 never
 * touched x; main, which synchronised with nobody, is not. */
Test(race, chain_of_lock_handoffs)
{
    sim s;
    sim_init(&s, 4);
    rl_race_state x = { 0 };
    wr(&s, &x, 1, 1);
    sim_release(&s, 1, 0);
    sim_acquire(&s, 2, 0);
    sim_release(&s, 2, 1);
    sim_acquire(&s, 3, 1);
    cr_assert(eq(int, rd(&s, &x, 3, 2), RL_RACE_NONE));
    cr_assert(eq(int, wr(&s, &x, 3, 3), RL_RACE_NONE));
    cr_assert(eq(int, rd(&s, &x, 0, 4), RL_RACE_WRITE_READ));
    expect_earlier(3, true, 3);
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

Test(race, write_then_unordered_read)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    wr(&s, &x, 1, 1);
    cr_assert(eq(int, rd(&s, &x, 2, 2), RL_RACE_WRITE_READ));
    expect_earlier(1, true, 1);
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

Test(race, read_then_unordered_write)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    cr_assert(eq(int, rd(&s, &x, 1, 1), RL_RACE_NONE));
    cr_assert(eq(int, wr(&s, &x, 2, 2), RL_RACE_READ_WRITE));
    expect_earlier(1, false, 1);
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

/* READ EXCLUSIVE: an ordered read replaces the epoch; the later write races with that reader. */
Test(race, read_epoch_moves_to_the_later_ordered_reader)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    rd(&s, &x, 1, 1);
    sim_release(&s, 1, 0);
    sim_acquire(&s, 2, 0);
    cr_assert(eq(int, rd(&s, &x, 2, 2), RL_RACE_NONE));
    cr_assert(not(x.read_shared));
    cr_assert(eq(u32, x.read.tid, 2));
    cr_assert(eq(int, wr(&s, &x, 1, 3), RL_RACE_READ_WRITE));
    expect_earlier(2, false, 2);
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

/* READ SHARE then WRITE SHARED: the writer is ordered after T1's read only, so the race names T2. */
Test(race, shared_reads_then_write_names_the_unordered_reader)
{
    for (int ordered = 1; ordered <= 2; ordered++) {
        sim s;
        sim_init(&s, 4);
        rl_race_state x = { 0 };
        rd(&s, &x, 1, 11);
        cr_assert(eq(int, rd(&s, &x, 2, 12), RL_RACE_NONE));
        cr_assert(x.read_shared);
        sim_release(&s, ordered, 0);
        sim_acquire(&s, 3, 0);
        cr_assert(eq(int, wr(&s, &x, 3, 13), RL_RACE_READ_WRITE));
        int other = 3 - ordered;
        expect_earlier((uint32_t)other, false, (uintptr_t)(10 + other));
        cr_assert(not(x.read_shared), "a write empties the read set");
        rl_race_state_free(&x, libc);
        sim_free(&s);
    }
}

Test(race, shared_reads_then_write_ordered_after_both)
{
    sim s;
    sim_init(&s, 4);
    rl_race_state x = { 0 };
    rd(&s, &x, 1, 1);
    rd(&s, &x, 2, 2);
    rd(&s, &x, 0, 3);   /* READ SHARED: a third reader */
    cr_assert(x.read_shared);
    sim_release(&s, 1, 1);
    sim_release(&s, 2, 2);
    sim_release(&s, 0, 0);
    sim_acquire(&s, 3, 0);
    sim_acquire(&s, 3, 1);
    sim_acquire(&s, 3, 2);
    cr_assert(eq(int, wr(&s, &x, 3, 4), RL_RACE_NONE));
    cr_assert(not(x.read_shared));
    cr_assert(eq(int, rd(&s, &x, 1, 5), RL_RACE_WRITE_READ), "T1 did not see T3's write");
    expect_earlier(3, true, 4);
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

/* The same-epoch fast paths keep the epochs; only the description moves to the latest access, so a
 * report shows the value and place a racing access really met. */
Test(race, same_epoch_fast_paths)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    rd(&s, &x, 1, 1);
    rl_race_state before = x;
    cr_assert(eq(int, rd(&s, &x, 1, 2), RL_RACE_NONE));                 /* READ SAME EPOCH */
    cr_assert(eq(u32, x.read.tid, before.read.tid));
    cr_assert(eq(u32, x.read.clock, before.read.clock));
    cr_assert(eq(u64, (uint64_t)x.read_info.pc, 2));
    cr_assert(eq(int, wr(&s, &x, 1, 3), RL_RACE_NONE));                 /* own read: ordered */
    before = x;
    cr_assert(eq(int, wr(&s, &x, 1, 4), RL_RACE_NONE));                 /* WRITE SAME EPOCH */
    cr_assert(eq(u32, x.write.tid, before.write.tid));
    cr_assert(eq(u32, x.write.clock, before.write.clock));
    cr_assert(eq(u64, (uint64_t)x.write_info.pc, 4));
    cr_assert(eq(int, rd(&s, &x, 1, 5), RL_RACE_NONE));
    cr_assert(eq(int, wr(&s, &x, 2, 6), RL_RACE_WRITE_WRITE));
    expect_earlier(1, true, 4); /* the latest write of that epoch */

    /* in read-shared mode */
    rl_race_state y = { 0 };
    sim_release(&s, 1, 0); /* new epochs for T1 */
    sim_release(&s, 2, 1);
    rd(&s, &y, 1, 7);
    rd(&s, &y, 2, 8);
    cr_assert(y.read_shared);
    cr_assert(eq(int, rd(&s, &y, 2, 9), RL_RACE_NONE));
    cr_assert(eq(u64, (uint64_t)y.read_infos[2].pc, 8), "same-epoch read must not update");
    sim_release(&s, 2, 1); /* T2's epoch moves on */
    cr_assert(eq(int, rd(&s, &y, 2, 10), RL_RACE_NONE));
    cr_assert(eq(u64, (uint64_t)y.read_infos[2].pc, 10));
    rl_race_state_free(&x, libc);
    rl_race_state_free(&y, libc);
    sim_free(&s);
}

Test(race, fork_and_join_edges)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 }, y = { 0 };
    /* fork orders the parent's past before the child; the parent's future is concurrent */
    wr(&s, &x, 0, 1);
    sim_fork(&s, 0, 1);
    cr_assert(eq(int, wr(&s, &x, 1, 2), RL_RACE_NONE));
    cr_assert(eq(int, wr(&s, &x, 0, 3), RL_RACE_WRITE_WRITE));
    expect_earlier(1, true, 2);
    /* join orders the child's past before the parent's future */
    wr(&s, &y, 0, 4);
    sim_fork(&s, 0, 2);
    cr_assert(eq(int, rd(&s, &y, 2, 5), RL_RACE_NONE));
    cr_assert(eq(int, wr(&s, &y, 2, 6), RL_RACE_NONE));
    sim_join(&s, 0, 2);
    cr_assert(eq(int, rd(&s, &y, 0, 7), RL_RACE_NONE));
    cr_assert(eq(int, wr(&s, &y, 0, 8), RL_RACE_NONE));
    cr_assert(eq(int, rd(&s, &y, 2, 9), RL_RACE_WRITE_READ), "the joined thread runs on, unordered");
    rl_race_state_free(&x, libc);
    rl_race_state_free(&y, libc);
    sim_free(&s);
}

Test(race, report_carries_the_access_info)
{
    sim s;
    sim_init(&s, 3);
    rl_race_state x = { 0 };
    rl_access_info a1 = { .tid = 1, .is_write = false /* ignored */, .pc = 0x401000, .value = -7,
                          .n_held = 10, .held = { 1, 2, 3, 4, 5, 6, 7, 8 } };
    cr_assert(eq(int, rl_race_on_write(&x, &s.thr[1], &a1, NULL, libc), RL_RACE_NONE), "out may be NULL");
    rl_access_info a2 = { .tid = 2, .pc = 0x402000, .value = 99, .n_held = 1, .held = { 42 } };
    cr_assert(eq(int, rl_race_on_read(&x, &s.thr[2], &a2, &rep, libc), RL_RACE_WRITE_READ));
    cr_assert(eq(u64, (uint64_t)rep.earlier.pc, 0x401000));
    cr_assert(eq(i64, rep.earlier.value, -7));
    cr_assert(rep.earlier.is_write);
    cr_assert(eq(u32, rep.earlier.n_held, 10));
    for (uint32_t i = 0; i < RL_ACCESS_MAX_HELD; i++)
        cr_assert(eq(u32, rep.earlier.held[i], i + 1));
    cr_assert(eq(u64, (uint64_t)rep.now.pc, 0x402000));
    cr_assert(eq(i64, rep.now.value, 99));
    cr_assert(eq(u32, rep.now.n_held, 1));
    cr_assert(eq(u32, rep.now.held[0], 42));
    cr_assert(not(rep.now.is_write));
    cr_assert(not(rep.nomem));
    cr_assert(eq(str, (char *)rl_race_kind_name(RL_RACE_NONE), "none"));
    cr_assert(eq(str, (char *)rl_race_kind_name(RL_RACE_WRITE_WRITE), "write-write"));
    cr_assert(eq(str, (char *)rl_race_kind_name(RL_RACE_READ_WRITE), "read-write"));
    cr_assert(eq(str, (char *)rl_race_kind_name(RL_RACE_WRITE_READ), "write-read"));
    rl_race_state_free(&x, libc);
    sim_free(&s);
}

Test(race, high_thread_ids_and_free)
{
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = ta_make(&t);
    sim s;
    sim_init(&s, 2);
    cr_assert(rl_vclock_set(&s.thr[1], 1, 0, libc));          /* thread 1 plays thread 100 */
    rl_vclock_free(&s.thr[1], libc);
    cr_assert(rl_vclock_set(&s.thr[1], 100, 1, libc));
    rl_race_state x = { 0 };
    rl_access_info r0 = { .tid = 0, .pc = 1 }, r100 = { .tid = 100, .pc = 2 }, w0 = { .tid = 0, .pc = 3 };
    cr_assert(eq(int, rl_race_on_read(&x, &s.thr[0], &r0, &rep, &a), RL_RACE_NONE));
    cr_assert(eq(int, rl_race_on_read(&x, &s.thr[1], &r100, &rep, &a), RL_RACE_NONE));
    cr_assert(x.read_shared);
    cr_assert(ge(u32, x.read_infos_cap, 101));
    cr_assert(rl_race_state_check(&x));
    cr_assert(eq(int, rl_race_on_write(&x, &s.thr[0], &w0, &rep, &a), RL_RACE_READ_WRITE));
    cr_assert(eq(u32, rep.earlier.tid, 100));
    cr_assert(gt(sz, t.outstanding, 0), "the read clock is kept for reuse");
    rl_race_state_free(&x, &a);
    cr_assert(eq(sz, t.outstanding, 0));
    rl_race_state empty = { 0 };
    cr_assert(eq(int, memcmp(&x, &empty, sizeof x), 0), "free returns to the initial state");
    sim_free(&s);
}

/* READ SHARE cannot allocate: the newest read is kept as the epoch, no race is invented. */
Test(race, out_of_memory_when_reads_become_shared)
{
    test_alloc t = { .allocs_left = 0 };
    rl_allocator a = ta_make(&t);
    sim s;
    sim_init(&s, 4);
    rl_race_state x = { 0 };
    cr_assert(eq(int, access_with(&s, &x, 1, false, 1, &a), RL_RACE_NONE));
    cr_assert(not(rep.nomem));
    cr_assert(eq(int, access_with(&s, &x, 2, false, 2, &a), RL_RACE_NONE));
    cr_assert(rep.nomem);
    cr_assert(not(x.read_shared));
    cr_assert(eq(u32, x.read.tid, 2));
    cr_assert(eq(int, access_with(&s, &x, 3, true, 3, &a), RL_RACE_READ_WRITE));
    expect_earlier(2, false, 2);
    rl_race_state_free(&x, &a);
    cr_assert(eq(sz, t.outstanding, 0));
    sim_free(&s);
}

/* READ SHARED cannot grow for thread 9: that read is forgotten (a possible miss, never a false
 * report), and the report says so. */
Test(race, out_of_memory_in_read_shared_mode)
{
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = ta_make(&t);
    sim s;
    sim_init(&s, 10);
    rl_race_state x = { 0 };
    access_with(&s, &x, 1, false, 1, &a);
    access_with(&s, &x, 2, false, 2, &a);
    cr_assert(x.read_shared);
    cr_assert(lt(u32, x.read_infos_cap, 10));
    t.allocs_left = 0;
    cr_assert(eq(int, access_with(&s, &x, 9, false, 9, &a), RL_RACE_NONE));
    cr_assert(rep.nomem);
    cr_assert(eq(u32, rl_vclock_get(&x.read_vc, 9), 0));
    cr_assert(eq(int, access_with(&s, &x, 3, false, 3, &a), RL_RACE_NONE), "within capacity");
    cr_assert(not(rep.nomem));
    sim_release(&s, 1, 0);
    sim_release(&s, 2, 1);
    sim_release(&s, 3, 2);
    sim_acquire(&s, 4, 0);
    sim_acquire(&s, 4, 1);
    sim_acquire(&s, 4, 2);
    cr_assert(eq(int, access_with(&s, &x, 4, true, 4, &a), RL_RACE_NONE), "T9's read was forgotten");
    rl_race_state_free(&x, &a);
    cr_assert(eq(sz, t.outstanding, 0));
    sim_free(&s);
}

/* ---- against the naive happens-before model ------------------------------------------------------- */

#define MAX_VARS 4

typedef struct hist_entry {
    uint32_t tid;
    bool is_write;
    uintptr_t pc;
    uint32_t n_held;
    uint32_t vc[MAX_T];  /* the thread's whole clock at the access */
} hist_entry;

typedef struct var_model {
    hist_entry *h;       /* every access since the variable was (re)started */
    size_t n;
    bool degraded;       /* the state reported nomem since the (re)start */
} var_model;

typedef struct run_cfg {
    uint64_t seed;
    int threads, locks, vars;
    size_t steps;
    unsigned p_sync;      /* percent of steps that are lock / fork / join operations */
    unsigned p_write;     /* percent of accesses that are writes */
    unsigned p_locked;    /* percent of accesses made inside the variable's own lock */
    unsigned fail_one_in; /* allocator failures */
} run_cfg;

typedef struct run_counts {
    size_t kinds[4];      /* reports by kind (NONE = accesses without a race) */
    size_t shared_writes; /* writes that met a read-shared state without a race */
    size_t shared_races;  /* read-write races found in read-shared mode */
    size_t nomem, missed_after_nomem;
} run_counts;

static bool snapshot_leq(const uint32_t *snap, const rl_vclock *c)
{
    for (uint32_t i = 0; i < MAX_T; i++)
        if (snap[i] > rl_vclock_get(c, i))
            return false;
    return true;
}

/* The model's verdict: which kinds of race the access (t, is_write, C) has with the history. */
static void naive(const var_model *vm, bool is_write, const rl_vclock *c, bool found[4])
{
    memset(found, 0, 4 * sizeof *found);
    for (size_t i = 0; i < vm->n; i++) {
        const hist_entry *h = &vm->h[i];
        if ((!h->is_write && !is_write) || snapshot_leq(h->vc, c))
            continue;
        if (!h->is_write)
            found[RL_RACE_READ_WRITE] = true;
        else
            found[is_write ? RL_RACE_WRITE_WRITE : RL_RACE_WRITE_READ] = true;
    }
}

/* The earlier access named by the report must be in the history, conflicting and unordered. */
static void expect_real_earlier(const var_model *vm, const rl_race_report *r, const rl_vclock *c)
{
    for (size_t i = 0; i < vm->n; i++) {
        const hist_entry *h = &vm->h[i];
        if (h->pc != r->earlier.pc)
            continue;
        cr_assert(eq(u32, h->tid, r->earlier.tid));
        cr_assert(eq(int, h->is_write, r->earlier.is_write));
        cr_assert(eq(u32, h->n_held, r->earlier.n_held));
        cr_assert(not(snapshot_leq(h->vc, c)), "the reported earlier access is ordered before this one");
        bool want_write = r->kind != RL_RACE_READ_WRITE;
        cr_assert(eq(int, h->is_write, want_write));
        return;
    }
    cr_fatal("the reported earlier access (pc %lu) is not in the history", (unsigned long)r->earlier.pc);
}

static void do_access(const run_cfg *cfg, sim *s, rl_race_state *st, var_model *vm, int t, bool is_write,
                      uintptr_t pc, const rl_allocator *a, run_counts *cnt)
{
    rl_access_info info = { .tid = (uint32_t)t, .pc = pc, .value = (int64_t)pc };
    for (int l = 0; l < cfg->locks; l++)
        if (s->owner[l] == t)
            info.held[info.n_held++] = (uint32_t)l;
    const rl_vclock *c = &s->thr[t];
    bool was_shared = st->read_shared;
    rl_race_report r;
    rl_race_kind k = is_write ? rl_race_on_write(st, c, &info, &r, a) : rl_race_on_read(st, c, &info, &r, a);
    cr_assert(rl_race_state_check(st));
    cr_assert(eq(int, (int)r.kind, (int)k));

    bool found[4];
    naive(vm, is_write, c, found);
    rl_race_kind want = is_write ? (found[RL_RACE_WRITE_WRITE]  ? RL_RACE_WRITE_WRITE
                                    : found[RL_RACE_READ_WRITE] ? RL_RACE_READ_WRITE
                                                                : RL_RACE_NONE)
                                 : (found[RL_RACE_WRITE_READ] ? RL_RACE_WRITE_READ : RL_RACE_NONE);
    if (!vm->degraded) {
        cr_assert(eq(int, (int)k, (int)want), "seed %lu pc %lu: FastTrack says %s, the model %s",
                  (unsigned long)cfg->seed, (unsigned long)pc, rl_race_kind_name(k), rl_race_kind_name(want));
    } else if (k != RL_RACE_NONE) {
        cr_assert(found[k], "seed %lu pc %lu: %s reported after nomem is not real", (unsigned long)cfg->seed,
                  (unsigned long)pc, rl_race_kind_name(k));
    } else if (want != RL_RACE_NONE) {
        cnt->missed_after_nomem++;
    }
    if (k != RL_RACE_NONE)
        expect_real_earlier(vm, &r, c);
    if (r.nomem) {
        cr_assert(cfg->fail_one_in != 0);
        vm->degraded = true;
        cnt->nomem++;
    }
    cnt->kinds[k]++;
    if (is_write && was_shared) {
        cnt->shared_writes += k == RL_RACE_NONE;
        cnt->shared_races += k == RL_RACE_READ_WRITE;
    }

    if (k != RL_RACE_NONE || want != RL_RACE_NONE) { /* first race: start the variable afresh */
        rl_race_state_free(st, a);
        vm->n = 0;
        vm->degraded = false;
        return;
    }
    hist_entry *h = &vm->h[vm->n++];
    h->tid = (uint32_t)t;
    h->is_write = is_write;
    h->pc = pc;
    h->n_held = info.n_held;
    for (uint32_t i = 0; i < MAX_T; i++)
        h->vc[i] = rl_vclock_get(c, i);
}

static run_counts random_run(const run_cfg *cfg)
{
    test_alloc ta = { .allocs_left = -1, .rng = cfg->seed ^ 0x5555, .fail_one_in = cfg->fail_one_in };
    rl_allocator a = ta_make(&ta);
    sim s;
    sim_init(&s, cfg->threads);
    rl_race_state st[MAX_VARS];
    var_model vm[MAX_VARS];
    for (int v = 0; v < cfg->vars; v++) {
        rl_race_state_init(&st[v]);
        vm[v] = (var_model){ .h = calloc(cfg->steps, sizeof(hist_entry)) };
        cr_assert(ne(ptr, vm[v].h, NULL));
    }
    run_counts cnt = { 0 };
    uint64_t rng = cfg->seed;
    for (size_t step = 0; step < cfg->steps; step++) {
        int t = (int)(rng_next(&rng) % (uint64_t)cfg->threads);
        uintptr_t pc = step + 1;
        if (rng_next(&rng) % 100 < cfg->p_sync) {
            int u = (int)(rng_next(&rng) % (uint64_t)cfg->threads);
            int l = (int)(rng_next(&rng) % (uint64_t)cfg->locks);
            switch (rng_next(&rng) % 4) {
            case 0: /* fork or join edge with another thread */
                if (u != t)
                    sim_fork(&s, t, u);
                break;
            case 1:
                if (u != t)
                    sim_join(&s, t, u);
                break;
            default: /* lock or unlock */
                if (s.owner[l] == -1) {
                    sim_acquire(&s, t, l);
                    s.owner[l] = t;
                } else if (s.owner[l] == t) {
                    sim_release(&s, t, l);
                    s.owner[l] = -1;
                }
                break;
            }
            continue;
        }
        int v = (int)(rng_next(&rng) % (uint64_t)cfg->vars), l = v % cfg->locks;
        bool is_write = rng_next(&rng) % 100 < cfg->p_write;
        if (rng_next(&rng) % 100 < cfg->p_locked) { /* inside lock l, if nobody else holds it */
            if (s.owner[l] == t) {
                do_access(cfg, &s, &st[v], &vm[v], t, is_write, pc, &a, &cnt);
            } else if (s.owner[l] == -1) {
                sim_acquire(&s, t, l);
                s.owner[l] = t;
                do_access(cfg, &s, &st[v], &vm[v], t, is_write, pc, &a, &cnt);
                sim_release(&s, t, l);
                s.owner[l] = -1;
            }
        } else {
            do_access(cfg, &s, &st[v], &vm[v], t, is_write, pc, &a, &cnt);
        }
    }
    for (int v = 0; v < cfg->vars; v++) {
        rl_race_state_free(&st[v], &a);
        free(vm[v].h);
    }
    cr_assert(eq(sz, ta.outstanding, 0));
    sim_free(&s);
    return cnt;
}

static void expect_coverage(const run_counts *c, size_t min, size_t min_shared_writes)
{
    cr_assert(gt(sz, c->kinds[RL_RACE_NONE], min), "%zu accesses without a race", c->kinds[RL_RACE_NONE]);
    cr_assert(gt(sz, c->kinds[RL_RACE_WRITE_WRITE], min), "%zu write-write", c->kinds[RL_RACE_WRITE_WRITE]);
    cr_assert(gt(sz, c->kinds[RL_RACE_READ_WRITE], min), "%zu read-write", c->kinds[RL_RACE_READ_WRITE]);
    cr_assert(gt(sz, c->kinds[RL_RACE_WRITE_READ], min), "%zu write-read", c->kinds[RL_RACE_WRITE_READ]);
    cr_assert(gt(sz, c->shared_races, min), "%zu races found in read-shared mode", c->shared_races);
    cr_assert(gt(sz, c->shared_writes, min_shared_writes), "%zu writes after shared reads", c->shared_writes);
}

/* Few synchronisations: races come quickly after every restart. */
Test(race_model, racy)
{
    run_cfg cfg = { .seed = 101, .threads = 4, .locks = 2, .vars = 3, .steps = 40000, .p_sync = 25,
                    .p_write = 40 };
    run_counts c = random_run(&cfg);
    expect_coverage(&c, 100, 20);
}

/* Mostly inside the variable's lock: long race-free stretches. */
Test(race_model, mostly_locked)
{
    run_cfg cfg = { .seed = 202, .threads = 6, .locks = 3, .vars = 3, .steps = 40000, .p_sync = 20,
                    .p_write = 25, .p_locked = 85 };
    run_counts c = random_run(&cfg);
    expect_coverage(&c, 100, 100);
}

/* Few threads, many synchronisations, mostly reads: shared reads that a later write is ordered
 * after (WRITE SHARED without a race). */
Test(race_model, read_mostly_sync_heavy)
{
    run_cfg cfg = { .seed = 505, .threads = 3, .locks = 2, .vars = 2, .steps = 40000, .p_sync = 70,
                    .p_write = 15 };
    run_counts c = random_run(&cfg);
    expect_coverage(&c, 50, 200);
}

/* Threads beyond the first clock capacity (8). */
Test(race_model, many_threads)
{
    run_cfg cfg = { .seed = 303, .threads = 12, .locks = 4, .vars = 4, .steps = 40000, .p_sync = 60,
                    .p_write = 20 };
    run_counts c = random_run(&cfg);
    expect_coverage(&c, 100, 0);
}

Test(race_model, several_seeds)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        run_cfg cfg = { .seed = seed, .threads = 2 + (int)(seed % 7), .locks = 1 + (int)(seed % 3),
                        .vars = 1 + (int)(seed % 4), .steps = 3000, .p_sync = 10 + (unsigned)(seed * 7 % 50),
                        .p_write = 10 + (unsigned)(seed * 13 % 60), .p_locked = (unsigned)(seed * 29 % 100) };
        random_run(&cfg);
    }
}

/* Allocation fails at random: reports stay real, agreement is exact until a read is lost. */
Test(race_model, failing_allocator)
{
    run_cfg cfg = { .seed = 404, .threads = 12, .locks = 3, .vars = 3, .steps = 40000, .p_sync = 40,
                    .p_write = 20, .p_locked = 30, .fail_one_in = 3 };
    run_counts c = random_run(&cfg);
    cr_assert(gt(sz, c.nomem, 10));
    cr_assert(gt(sz, c.kinds[RL_RACE_READ_WRITE], 10));
}

/* ---- the runtime's lean entry points -------------------------------------------------------------- */

static void expect_same_info(const rl_access_info *x, const rl_access_info *y)
{
    cr_assert(eq(u32, x->tid, y->tid));
    cr_assert(eq(int, x->is_write, y->is_write));
    cr_assert(eq(u64, (uint64_t)x->pc, (uint64_t)y->pc));
    cr_assert(eq(i64, x->value, y->value));
    cr_assert(eq(u32, x->n_held, y->n_held));
    for (uint32_t i = 0; i < x->n_held && i < RL_ACCESS_MAX_HELD; i++)
        cr_assert(eq(u32, x->held[i], y->held[i]));
}

/* rl_race_read / rl_race_write (which fill the report only for a race) against rl_race_on_read /
 * rl_race_on_write on a twin state: the same verdict, the same report, the same epochs, on a seeded
 * random run of accesses by threads whose clocks advance and join at random. */
Test(race_lean, same_verdicts_as_the_full_entry_points)
{
    uint64_t rng = 0x1ea4;
    enum { THREADS = 6 };
    rl_vclock c[THREADS] = { 0 };
    for (uint32_t t = 0; t < THREADS; t++)
        cr_assert(rl_vclock_set(&c[t], t, 1, libc));
    rl_race_state full, lean;
    rl_race_state_init(&full);
    rl_race_state_init(&lean);
    size_t races = 0, shared = 0;
    for (uint32_t step = 0; step < 20000; step++) {
        uint32_t t = (uint32_t)(rng_next(&rng) % THREADS);
        uint64_t r = rng_next(&rng);
        if (r % 8 == 0) { /* t ticks, or learns another thread's clock */
            uint32_t u = (uint32_t)(rng_next(&rng) % THREADS);
            cr_assert(rl_vclock_join(&c[t], &c[u], libc));
            cr_assert(rl_vclock_increment(&c[u], u, libc));
            continue;
        }
        rl_access_info now = { .tid = t, .pc = 0x1000 + step, .value = (int64_t)(r >> 8),
                               .n_held = (uint32_t)(r >> 4) % 11 };
        for (uint32_t i = 0; i < now.n_held && i < RL_ACCESS_MAX_HELD; i++)
            now.held[i] = (uint32_t)(r >> (i * 4)) & 15;
        bool is_write = r % 3 == 0;
        rl_race_report rf, rl;
        rl_race_kind kf = is_write ? rl_race_on_write(&full, &c[t], &now, &rf, libc)
                                   : rl_race_on_read(&full, &c[t], &now, &rf, libc);
        rl_race_kind kl = is_write ? rl_race_write(&lean, &c[t], &now, &rl) : rl_race_read(&lean, &c[t], &now, &rl, libc);
        cr_assert(eq(int, (int)kf, (int)kl), "step %u", step);
        if (kf != RL_RACE_NONE) {
            races++;
            cr_assert(eq(int, (int)rl.kind, (int)kf));
            expect_same_info(&rf.earlier, &rl.earlier);
            expect_same_info(&rf.now, &rl.now);
            cr_assert(eq(int, rf.nomem, rl.nomem));
        }
        cr_assert(rl_race_state_check(&lean));
        cr_assert(eq(u32, full.write.tid, lean.write.tid));
        cr_assert(eq(u32, full.write.clock, lean.write.clock));
        cr_assert(eq(u32, full.read.tid, lean.read.tid));
        cr_assert(eq(u32, full.read.clock, lean.read.clock));
        cr_assert(eq(int, full.read_shared, lean.read_shared));
        shared += lean.read_shared;
    }
    cr_assert(gt(sz, races, 100), "the run must exercise races (%zu)", races);
    cr_assert(gt(sz, shared, 100), "and read sharing (%zu)", shared);
    rl_race_state_free(&full, libc);
    rl_race_state_free(&lean, libc);
    for (uint32_t t = 0; t < THREADS; t++)
        rl_vclock_free(&c[t], libc);
}
