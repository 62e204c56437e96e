/* test_vclock.c: vector clocks and epochs (detector/vclock.h):
 *   - a seeded random run of set/increment/join/copy on a few clocks against plain arrays, checking
 *     every entry, leq between every pair, rl_vclock_check() and the bytes held after every step;
 *   - the same run with an allocator that fails at random: a failed call changes nothing;
 *   - named cases: zero initialisation, growth, join and copy of different lengths, leq across
 *     lengths, epochs, increment at UINT32_MAX, the largest thread id, free.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vclock.h"

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

/* ---- named cases ---------------------------------------------------------------------------------- */

Test(vclock, zero_initialised_is_all_zeros)
{
    rl_vclock z = { 0 }, w = { 0 };
    cr_assert(rl_vclock_check(&z));
    cr_assert(eq(u32, rl_vclock_get(&z, 0), 0));
    cr_assert(eq(u32, rl_vclock_get(&z, 1000), 0));
    cr_assert(rl_vclock_leq(&z, &w));
    cr_assert(rl_epoch_leq((rl_epoch){ 7, 0 }, &z), "clock 0 is ordered before everything");
    cr_assert(not(rl_epoch_leq((rl_epoch){ 0, 1 }, &z)));
}

Test(vclock, set_grows_and_keeps_entries)
{
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = ta_make(&t);
    rl_vclock vc = { 0 };
    cr_assert(rl_vclock_set(&vc, 2, 5, &a));
    cr_assert(eq(u32, vc.n, 3));
    cr_assert(rl_vclock_set(&vc, 100, 9, &a));
    cr_assert(eq(u32, vc.n, 101));
    cr_assert(ge(u32, vc.cap, 101));
    cr_assert(eq(u32, rl_vclock_get(&vc, 2), 5));
    cr_assert(eq(u32, rl_vclock_get(&vc, 100), 9));
    cr_assert(eq(u32, rl_vclock_get(&vc, 50), 0));
    cr_assert(eq(u32, rl_vclock_get(&vc, 101), 0));
    cr_assert(rl_vclock_check(&vc));
    rl_vclock_free(&vc, &a);
    cr_assert(eq(sz, t.outstanding, 0));
    cr_assert(eq(u32, vc.n, 0));
    cr_assert(eq(ptr, vc.c, NULL));
}

Test(vclock, setting_zero_beyond_n_allocates_nothing)
{
    test_alloc t = { .allocs_left = 0 };
    rl_allocator a = ta_make(&t);
    rl_vclock vc = { 0 };
    cr_assert(rl_vclock_set(&vc, 1000, 0, &a));
    cr_assert(eq(u32, vc.n, 0));
    cr_assert(not(rl_vclock_set(&vc, 1000, 1, &a)));
    cr_assert(eq(u32, vc.n, 0));
    cr_assert(eq(ptr, vc.c, NULL));
}

Test(vclock, increment)
{
    const rl_allocator *a = &rl_libc_allocator;
    rl_vclock vc = { 0 };
    cr_assert(rl_vclock_increment(&vc, 3, a));
    cr_assert(rl_vclock_increment(&vc, 3, a));
    cr_assert(eq(u32, rl_vclock_get(&vc, 3), 2));
    cr_assert(eq(u32, vc.n, 4));
    cr_assert(rl_vclock_set(&vc, 3, UINT32_MAX, a));
    cr_assert(not(rl_vclock_increment(&vc, 3, a)), "a clock must not wrap");
    cr_assert(eq(u32, rl_vclock_get(&vc, 3), UINT32_MAX));
    rl_vclock_free(&vc, a);
}

Test(vclock, largest_thread_id_is_refused)
{
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = ta_make(&t);
    rl_vclock vc = { 0 };
    cr_assert(not(rl_vclock_set(&vc, UINT32_MAX, 1, &a)));
    cr_assert(not(rl_vclock_increment(&vc, UINT32_MAX, &a)));
    cr_assert(eq(u32, vc.n, 0));
    cr_assert(eq(sz, t.outstanding, 0));
    cr_assert(eq(u32, rl_vclock_get(&vc, UINT32_MAX), 0));
}

Test(vclock, join_is_pointwise_max_across_lengths)
{
    const rl_allocator *a = &rl_libc_allocator;
    rl_vclock x = { 0 }, y = { 0 };
    rl_vclock_set(&x, 0, 4, a);
    rl_vclock_set(&x, 1, 1, a);
    rl_vclock_set(&y, 1, 3, a);
    rl_vclock_set(&y, 5, 2, a);
    cr_assert(rl_vclock_join(&x, &y, a)); /* x grows from 2 to 6 entries */
    uint32_t want[] = { 4, 3, 0, 0, 0, 2 };
    cr_assert(eq(u32, x.n, 6));
    for (uint32_t i = 0; i < 6; i++)
        cr_assert(eq(u32, rl_vclock_get(&x, i), want[i]));
    cr_assert(rl_vclock_leq(&y, &x));
    cr_assert(not(rl_vclock_leq(&x, &y)));
    cr_assert(rl_vclock_join(&y, &x, a)); /* y: same length, no growth */
    cr_assert(rl_vclock_leq(&x, &y) && rl_vclock_leq(&y, &x));
    cr_assert(rl_vclock_join(&x, &x, a), "joining with itself is a no-op");
    cr_assert(rl_vclock_check(&x) && rl_vclock_check(&y));
    rl_vclock_free(&x, a);
    rl_vclock_free(&y, a);
}

Test(vclock, copy_shorter_zeroes_the_tail)
{
    const rl_allocator *a = &rl_libc_allocator;
    rl_vclock x = { 0 }, y = { 0 };
    rl_vclock_set(&x, 9, 7, a);
    rl_vclock_set(&x, 2, 1, a);
    rl_vclock_set(&y, 0, 3, a);
    cr_assert(rl_vclock_copy(&x, &y, a));
    cr_assert(eq(u32, x.n, 1));
    cr_assert(eq(u32, rl_vclock_get(&x, 0), 3));
    cr_assert(eq(u32, rl_vclock_get(&x, 9), 0));
    cr_assert(rl_vclock_check(&x), "entries beyond n must be zero after a shrinking copy");
    rl_vclock empty = { 0 };
    cr_assert(rl_vclock_copy(&x, &empty, a));
    cr_assert(eq(u32, x.n, 0));
    cr_assert(rl_vclock_check(&x));
    rl_vclock_free(&x, a);
    rl_vclock_free(&y, a);
}

Test(vclock, leq_across_lengths_and_trailing_zeros)
{
    const rl_allocator *a = &rl_libc_allocator;
    rl_vclock x = { 0 }, y = { 0 };
    rl_vclock_set(&x, 0, 1, a);
    rl_vclock_set(&x, 6, 0, a);  /* allocates nothing: still n = 1 */
    rl_vclock_set(&y, 0, 1, a);
    rl_vclock_set(&y, 4, 1, a);
    rl_vclock_set(&y, 4, 0, a);  /* n = 5 with zeros at the end */
    cr_assert(rl_vclock_leq(&x, &y) && rl_vclock_leq(&y, &x), "equal clocks of different lengths");
    rl_vclock_set(&y, 4, 1, a);
    cr_assert(rl_vclock_leq(&x, &y));
    cr_assert(not(rl_vclock_leq(&y, &x)));
    rl_vclock_free(&x, a);
    rl_vclock_free(&y, a);
}

Test(vclock, epochs)
{
    const rl_allocator *a = &rl_libc_allocator;
    rl_vclock vc = { 0 };
    rl_vclock_set(&vc, 2, 5, a);
    rl_epoch e = rl_vclock_epoch(&vc, 2);
    cr_assert(eq(u32, e.tid, 2));
    cr_assert(eq(u32, e.clock, 5));
    cr_assert(rl_epoch_leq(e, &vc));
    cr_assert(rl_epoch_leq((rl_epoch){ 2, 4 }, &vc));
    cr_assert(not(rl_epoch_leq((rl_epoch){ 2, 6 }, &vc)));
    cr_assert(not(rl_epoch_leq((rl_epoch){ 40, 1 }, &vc)));
    cr_assert(eq(u32, rl_vclock_epoch(&vc, 40).clock, 0));
    rl_vclock_free(&vc, a);
}

Test(vclock, failed_growth_changes_nothing)
{
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = ta_make(&t);
    rl_vclock x = { 0 }, big = { 0 };
    cr_assert(rl_vclock_set(&x, 1, 2, &a));
    cr_assert(rl_vclock_set(&big, 40, 1, &a));
    rl_vclock_set(&big, 1, 9, &a);
    uint32_t n = x.n, cap = x.cap;
    uint32_t *c = x.c;
    size_t held = t.outstanding;
    t.allocs_left = 0;
    cr_assert(not(rl_vclock_join(&x, &big, &a)));
    cr_assert(not(rl_vclock_copy(&x, &big, &a)));
    cr_assert(not(rl_vclock_set(&x, 40, 1, &a)));
    cr_assert(not(rl_vclock_increment(&x, 40, &a)));
    cr_assert(eq(u32, x.n, n));
    cr_assert(eq(u32, x.cap, cap));
    cr_assert(eq(ptr, x.c, c));
    cr_assert(eq(u32, rl_vclock_get(&x, 1), 2));
    cr_assert(eq(sz, t.outstanding, held));
    /* within capacity nothing is allocated, so these still work */
    cr_assert(rl_vclock_set(&x, 1, 3, &a));
    cr_assert(rl_vclock_increment(&x, 0, &a));
    rl_vclock_free(&x, &a);
    rl_vclock_free(&big, &a);
    cr_assert(eq(sz, t.outstanding, 0));
}

/* ---- against a model ------------------------------------------------------------------------------ */

#define M_CLOCKS 5
#define M_TIDS 40

typedef struct model {
    uint32_t c[M_CLOCKS][M_TIDS];
} model;

static bool model_leq(const model *m, int x, int y)
{
    for (int i = 0; i < M_TIDS; i++)
        if (m->c[x][i] > m->c[y][i])
            return false;
    return true;
}

static void expect_same(const model *m, const rl_vclock *vc, const test_alloc *t)
{
    size_t bytes = 0;
    for (int k = 0; k < M_CLOCKS; k++) {
        cr_assert(rl_vclock_check(&vc[k]));
        bytes += (size_t)vc[k].cap * sizeof(uint32_t);
        for (uint32_t i = 0; i < M_TIDS + 3; i++)
            cr_assert(eq(u32, rl_vclock_get(&vc[k], i), i < M_TIDS ? m->c[k][i] : 0),
                      "clock %d entry %u", k, i);
    }
    for (int x = 0; x < M_CLOCKS; x++)
        for (int y = 0; y < M_CLOCKS; y++)
            cr_assert(eq(int, rl_vclock_leq(&vc[x], &vc[y]), model_leq(m, x, y)));
    cr_assert(eq(sz, t->outstanding, bytes));
}

static void random_run(uint64_t seed, size_t steps, unsigned fail_one_in)
{
    model m;
    memset(&m, 0, sizeof m);
    test_alloc t = { .allocs_left = -1, .rng = seed, .fail_one_in = fail_one_in };
    rl_allocator a = ta_make(&t);
    rl_vclock vc[M_CLOCKS];
    memset(vc, 0, sizeof vc);
    uint64_t rng = seed;
    size_t failed = 0, done = 0;
    for (size_t s = 0; s < steps; s++) {
        int x = (int)(rng_next(&rng) % M_CLOCKS), y = (int)(rng_next(&rng) % M_CLOCKS);
        /* thread ids mostly small, sometimes far out, so clocks have different lengths */
        uint32_t tid = (uint32_t)(rng_next(&rng) % (rng_next(&rng) % 4 ? 8 : M_TIDS));
        model before = m;
        bool ok;
        switch (rng_next(&rng) % 6) {
        case 0:
        case 1:
            ok = rl_vclock_increment(&vc[x], tid, &a);
            if (ok)
                m.c[x][tid]++;
            break;
        case 2: {
            uint32_t v = (uint32_t)(rng_next(&rng) % 3);
            ok = rl_vclock_set(&vc[x], tid, v, &a);
            if (ok)
                m.c[x][tid] = v;
            break;
        }
        case 3:
        case 4:
            ok = rl_vclock_join(&vc[x], &vc[y], &a);
            if (ok)
                for (int i = 0; i < M_TIDS; i++)
                    if (m.c[y][i] > m.c[x][i])
                        m.c[x][i] = m.c[y][i];
            break;
        default:
            ok = rl_vclock_copy(&vc[x], &vc[y], &a);
            if (ok)
                memcpy(m.c[x], m.c[y], sizeof m.c[x]);
            break;
        }
        if (!ok) {
            cr_assert(fail_one_in != 0, "an operation failed with a working allocator");
            cr_assert(eq(int, memcmp(&before, &m, sizeof m), 0));
            failed++;
        } else {
            done++;
        }
        expect_same(&m, vc, &t);
    }
    if (fail_one_in)
        cr_assert(gt(sz, failed, 0));
    cr_assert(gt(sz, done, steps / 2));
    for (int k = 0; k < M_CLOCKS; k++)
        rl_vclock_free(&vc[k], &a);
    cr_assert(eq(sz, t.outstanding, 0));
}

Test(vclock_model, random) { random_run(11, 4000, 0); }
Test(vclock_model, random_other_seed) { random_run(12, 4000, 0); }
Test(vclock_model, random_failing_allocator) { random_run(13, 4000, 3); }
