/* test_lockset.c: Eraser's lockset state machine (detector/lockset.h):
 *   - the classic examples: initialisation by one thread without locks, a consistent lock, two
 *     locks used alternately, read-only sharing, a write after read sharing, once-only reports;
 *   - a seeded random run against a naive model (the same state machine over a 64-bit lock mask),
 *     checking the result, state name and candidate set after every access;
 *   - out of memory: the variable is no longer checked and nothing leaks.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockset.h"

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

/* ---- scenarios ------------------------------------------------------------------------------------ */

static test_alloc ta = { .allocs_left = -1 };
static const rl_allocator alloc = { ta_alloc, ta_free, &ta };

#define NONE NULL, 0
/* LOCKS(1, 2): the array and its length, as two arguments */
#define LOCKS(...) (const uint32_t[]){ __VA_ARGS__ }, N_ARGS(__VA_ARGS__)
#define N_ARGS(...) (uint32_t)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static rl_lockset_result acc(rl_lockset_state *s, uint32_t tid, bool is_write, const uint32_t *held,
                             uint32_t n)
{
    rl_lockset_result r = rl_lockset_on_access(s, tid, is_write, held, n, &alloc);
    cr_assert(rl_lockset_state_check(s));
    return r;
}

static void expect_state(const rl_lockset_state *s, const char *name)
{
    cr_assert(eq(str, (char *)rl_lockset_state_name(s), (char *)name));
}

static void expect_candidates(const rl_lockset_state *s, const uint32_t *want, uint32_t n_want)
{
    uint32_t n;
    const uint32_t *c = rl_lockset_candidates(s, &n);
    cr_assert(eq(u32, n, n_want));
    for (uint32_t i = 0; i < n; i++)
        cr_assert(eq(u32, c[i], want[i]));
}

Test(lockset, states_and_names)
{
    rl_lockset_state s = { 0 };
    expect_state(&s, "virgin");
    cr_assert(eq(int, rl_lockset_phase_of(&s), RL_LOCKSET_VIRGIN));
    cr_assert(eq(int, acc(&s, 1, true, NONE), RL_LOCKSET_OK));
    expect_state(&s, "exclusive");
    cr_assert(eq(int, acc(&s, 2, false, LOCKS(3)), RL_LOCKSET_OK));
    expect_state(&s, "shared");
    cr_assert(eq(int, acc(&s, 1, true, LOCKS(3)), RL_LOCKSET_OK));
    expect_state(&s, "shared-modified");
    cr_assert(eq(int, rl_lockset_phase_of(&s), RL_LOCKSET_SHARED_MODIFIED));
    rl_lockset_free(&s, &alloc);
    expect_state(&s, "virgin");
    cr_assert(eq(sz, ta.outstanding, 0));
}

/* T1 initialises x without a lock, then T1 and T2 update it under m: no report. */
Test(lockset, initialisation_without_locks_then_consistent_lock)
{
    rl_lockset_state s = { 0 };
    acc(&s, 1, true, NONE);
    acc(&s, 1, true, NONE);
    acc(&s, 1, false, NONE);
    expect_state(&s, "exclusive");
    for (int i = 0; i < 10; i++) {
        cr_assert(eq(int, acc(&s, 2, true, LOCKS(7)), RL_LOCKSET_OK));
        cr_assert(eq(int, acc(&s, 1, false, LOCKS(7)), RL_LOCKSET_OK));
        cr_assert(eq(int, acc(&s, 3, true, LOCKS(2, 7, 9)), RL_LOCKSET_OK));
    }
    expect_state(&s, "shared-modified");
    expect_candidates(&s, LOCKS(7));
    rl_lockset_free(&s, &alloc);
    cr_assert(eq(sz, ta.outstanding, 0));
}

/* T1 updates x under a, T2 under b. T1's accesses are exclusive (no check); T2's first one sets
 * C = {b}; T1's next one empties it: one report, there, and never again. */
Test(lockset, two_locks_used_alternately)
{
    rl_lockset_state s = { 0 };
    cr_assert(eq(int, acc(&s, 1, true, LOCKS(1)), RL_LOCKSET_OK));
    cr_assert(eq(int, acc(&s, 1, true, LOCKS(1)), RL_LOCKSET_OK));
    cr_assert(eq(int, acc(&s, 2, true, LOCKS(2)), RL_LOCKSET_OK));
    expect_candidates(&s, LOCKS(2));
    cr_assert(eq(int, acc(&s, 1, true, LOCKS(1)), RL_LOCKSET_VIOLATION));
    expect_candidates(&s, NONE);
    cr_assert(eq(int, acc(&s, 2, true, LOCKS(2)), RL_LOCKSET_OK), "reported once");
    cr_assert(eq(int, acc(&s, 1, true, LOCKS(1)), RL_LOCKSET_OK));
    rl_lockset_free(&s, &alloc);
}

/* The candidate set shrinks step by step; the report comes exactly when it becomes empty. */
Test(lockset, candidate_set_shrinks_to_empty)
{
    rl_lockset_state s = { 0 };
    acc(&s, 1, true, NONE);
    cr_assert(eq(int, acc(&s, 2, true, LOCKS(1, 2, 3)), RL_LOCKSET_OK));
    expect_candidates(&s, LOCKS(1, 2, 3));
    cr_assert(eq(int, acc(&s, 3, true, LOCKS(0, 2, 3, 4)), RL_LOCKSET_OK));
    expect_candidates(&s, LOCKS(2, 3));
    cr_assert(eq(int, acc(&s, 1, false, LOCKS(3)), RL_LOCKSET_OK));
    expect_candidates(&s, LOCKS(3));
    cr_assert(eq(int, acc(&s, 2, true, LOCKS(2)), RL_LOCKSET_VIOLATION));
    cr_assert(eq(int, acc(&s, 2, true, NONE), RL_LOCKSET_OK));
    rl_lockset_free(&s, &alloc);
}

/* T1 writes x; T2 and T3 only read it, without locks: no report (shared is never reported). */
Test(lockset, read_only_sharing)
{
    rl_lockset_state s = { 0 };
    acc(&s, 1, true, NONE);
    for (int i = 0; i < 5; i++) {
        cr_assert(eq(int, acc(&s, 2, false, NONE), RL_LOCKSET_OK));
        cr_assert(eq(int, acc(&s, 3, false, LOCKS(4)), RL_LOCKSET_OK));
        cr_assert(eq(int, acc(&s, 1, false, NONE), RL_LOCKSET_OK));
    }
    expect_state(&s, "shared");
    expect_candidates(&s, NONE);
    /* ... until somebody writes it: C is already empty, so that write is the violation */
    cr_assert(eq(int, acc(&s, 3, true, LOCKS(4)), RL_LOCKSET_VIOLATION));
    expect_state(&s, "shared-modified");
    rl_lockset_free(&s, &alloc);
}

/* Read sharing under a lock, then a write under the same lock: fine. */
Test(lockset, shared_then_written_under_the_common_lock)
{
    rl_lockset_state s = { 0 };
    acc(&s, 1, true, NONE);
    acc(&s, 2, false, LOCKS(5, 6));
    acc(&s, 3, false, LOCKS(5));
    expect_state(&s, "shared");
    cr_assert(eq(int, acc(&s, 2, true, LOCKS(5)), RL_LOCKSET_OK));
    expect_state(&s, "shared-modified");
    expect_candidates(&s, LOCKS(5));
    rl_lockset_free(&s, &alloc);
}

/* A write by a second thread leaves exclusive straight for shared-modified; no lock: report. */
Test(lockset, unprotected_write_by_a_second_thread)
{
    rl_lockset_state s = { 0 };
    acc(&s, 1, false, LOCKS(1));
    cr_assert(eq(int, acc(&s, 2, true, NONE), RL_LOCKSET_VIOLATION));
    rl_lockset_free(&s, &alloc);
}

Test(lockset, out_of_memory_stops_checking_the_variable)
{
    test_alloc t = { .allocs_left = 0 };
    rl_allocator a = { ta_alloc, ta_free, &t };
    rl_lockset_state s = { 0 };
    cr_assert(eq(int, rl_lockset_on_access(&s, 1, true, NULL, 0, &a), RL_LOCKSET_OK));
    cr_assert(eq(int, rl_lockset_on_access(&s, 2, true, LOCKS(1, 2), &a), RL_LOCKSET_NOMEM));
    cr_assert(rl_lockset_state_check(&s));
    expect_state(&s, "shared-modified");
    cr_assert(eq(int, rl_lockset_on_access(&s, 3, true, NULL, 0, &a), RL_LOCKSET_OK), "not checked any more");
    /* with no lock held at the transition no memory is needed: the violation is still found */
    rl_lockset_state u = { 0 };
    rl_lockset_on_access(&u, 1, true, NULL, 0, &a);
    cr_assert(eq(int, rl_lockset_on_access(&u, 2, true, NULL, 0, &a), RL_LOCKSET_VIOLATION));
    rl_lockset_free(&s, &a);
    rl_lockset_free(&u, &a);
    cr_assert(eq(sz, t.outstanding, 0));
}

/* ---- against a model ------------------------------------------------------------------------------ */

typedef struct model {
    rl_lockset_phase phase;
    uint32_t owner;
    uint64_t cand;  /* bit l = lock l */
    bool reported;
} model;

static bool model_access(model *m, uint32_t tid, bool is_write, uint64_t held)
{
    switch (m->phase) {
    case RL_LOCKSET_VIRGIN:
        m->phase = RL_LOCKSET_EXCLUSIVE;
        m->owner = tid;
        return false;
    case RL_LOCKSET_EXCLUSIVE:
        if (tid == m->owner)
            return false;
        m->phase = is_write ? RL_LOCKSET_SHARED_MODIFIED : RL_LOCKSET_SHARED;
        m->cand = held;
        break;
    default:
        if (is_write)
            m->phase = RL_LOCKSET_SHARED_MODIFIED;
        m->cand &= held;
        break;
    }
    if (m->phase == RL_LOCKSET_SHARED_MODIFIED && !m->cand && !m->reported)
        return m->reported = true;
    return false;
}

static void random_run(uint64_t seed, uint32_t threads, uint32_t locks, size_t steps)
{
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = { ta_alloc, ta_free, &t };
    uint64_t rng = seed;
    size_t violations = 0;
    for (int var = 0; var < 200; var++) {
        rl_lockset_state s = { 0 };
        model m = { 0 };
        /* a per-variable "usual" lock that some or all accesses hold, so some variables stay clean */
        uint32_t usual = (uint32_t)(rng_next(&rng) % locks);
        unsigned p_usual = rng_next(&rng) % 3 ? (unsigned)(rng_next(&rng) % 101) : 100;
        unsigned p_write = (unsigned)(rng_next(&rng) % 60);
        for (size_t i = 0; i < steps; i++) {
            uint32_t tid = (uint32_t)(rng_next(&rng) % threads);
            bool is_write = rng_next(&rng) % 100 < p_write;
            uint64_t mask = rng_next(&rng) & rng_next(&rng) & ((locks < 64 ? 1ULL << locks : 0) - 1);
            if (rng_next(&rng) % 100 < p_usual)
                mask |= 1ULL << usual;
            uint32_t held[64], n = 0;
            for (uint32_t l = 0; l < locks; l++)
                if (mask >> l & 1)
                    held[n++] = l;
            rl_lockset_result r = rl_lockset_on_access(&s, tid, is_write, held, n, &a);
            bool want = model_access(&m, tid, is_write, mask);
            cr_assert(eq(int, r, want ? RL_LOCKSET_VIOLATION : RL_LOCKSET_OK), "seed %lu var %d step %zu",
                      (unsigned long)seed, var, i);
            cr_assert(eq(int, rl_lockset_phase_of(&s), m.phase));
            cr_assert(rl_lockset_state_check(&s));
            uint32_t nc;
            const uint32_t *c = rl_lockset_candidates(&s, &nc);
            uint64_t got = 0;
            for (uint32_t k = 0; k < nc; k++)
                got |= 1ULL << c[k];
            if (m.phase >= RL_LOCKSET_SHARED)
                cr_assert(eq(u64, got, m.cand));
            violations += want;
        }
        rl_lockset_free(&s, &a);
    }
    cr_assert(eq(sz, t.outstanding, 0));
    cr_assert(gt(sz, violations, 20));
    cr_assert(lt(sz, violations, 190), "some variables must stay clean");
}

Test(lockset_model, random_few_locks) { random_run(1, 4, 3, 60); }
Test(lockset_model, random_many_locks) { random_run(2, 8, 40, 60); }
Test(lockset_model, random_all_64_locks) { random_run(3, 3, 64, 40); }
