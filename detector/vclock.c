/* vclock.c: vector clocks and epochs (see vclock.h for the contract and how callers keep them).
 *
 * Storage is a plain array grown by doubling (at least 8 entries), never shrunk until free. Every
 * operation that may grow reserves first and changes entries only once the memory is there, so a
 * failed call leaves the clock as it was. Only the allocator passed in is used: no libc allocation,
 * no stdio, no abort (the preloaded runtime calls this under its own lock).
 */
#include "vclock.h"

#include <string.h>

#define VC_MIN_CAP 8

/* Make room for `need` entries (need <= UINT32_MAX). New entries are 0. */
static bool vc_reserve(rl_vclock *vc, uint64_t need, const rl_allocator *a)
{
    if (need <= vc->cap)
        return true;
    if (need > UINT32_MAX)
        return false;
    uint64_t cap = vc->cap ? vc->cap : VC_MIN_CAP;
    while (cap < need)
        cap *= 2;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    uint32_t *fresh = a->alloc(a->ctx, (size_t)cap * sizeof *fresh);
    if (!fresh)
        return false;
    if (vc->c) {
        memcpy(fresh, vc->c, (size_t)vc->n * sizeof *fresh);
        a->free(a->ctx, vc->c, (size_t)vc->cap * sizeof *vc->c);
    }
    vc->c = fresh;
    vc->cap = (uint32_t)cap;
    return true;
}

uint32_t rl_vclock_get(const rl_vclock *vc, uint32_t tid)
{
    return tid < vc->n ? vc->c[tid] : 0;
}

bool rl_vclock_set(rl_vclock *vc, uint32_t tid, uint32_t clock, const rl_allocator *a)
{
    if (tid >= vc->n) {
        if (clock == 0)
            return true; /* already 0 */
        if (!vc_reserve(vc, (uint64_t)tid + 1, a))
            return false;
        vc->n = tid + 1;
    }
    vc->c[tid] = clock;
    return true;
}

bool rl_vclock_increment(rl_vclock *vc, uint32_t tid, const rl_allocator *a)
{
    uint32_t now = rl_vclock_get(vc, tid);
    if (now == UINT32_MAX)
        return false;
    return rl_vclock_set(vc, tid, now + 1, a);
}

bool rl_vclock_join(rl_vclock *dst, const rl_vclock *src, const rl_allocator *a)
{
    if (dst == src)
        return true;
    if (src->n > dst->n) {
        if (!vc_reserve(dst, src->n, a))
            return false;
        dst->n = src->n; /* the new entries are 0 until the loop below */
    }
    for (uint32_t i = 0; i < src->n; i++)
        if (src->c[i] > dst->c[i])
            dst->c[i] = src->c[i];
    return true;
}

bool rl_vclock_copy(rl_vclock *dst, const rl_vclock *src, const rl_allocator *a)
{
    if (dst == src)
        return true;
    if (!vc_reserve(dst, src->n, a))
        return false;
    if (src->n)
        memcpy(dst->c, src->c, (size_t)src->n * sizeof *dst->c);
    if (dst->n > src->n)
        memset(dst->c + src->n, 0, (size_t)(dst->n - src->n) * sizeof *dst->c);
    dst->n = src->n;
    return true;
}

bool rl_vclock_leq(const rl_vclock *x, const rl_vclock *y)
{
    for (uint32_t i = 0; i < x->n; i++)
        if (x->c[i] > rl_vclock_get(y, i))
            return false;
    return true;
}

void rl_vclock_free(rl_vclock *vc, const rl_allocator *a)
{
    if (vc->c)
        a->free(a->ctx, vc->c, (size_t)vc->cap * sizeof *vc->c);
    vc->c = NULL;
    vc->n = 0;
    vc->cap = 0;
}

rl_epoch rl_vclock_epoch(const rl_vclock *vc, uint32_t tid)
{
    return (rl_epoch){ .tid = tid, .clock = rl_vclock_get(vc, tid) };
}

bool rl_epoch_leq(rl_epoch e, const rl_vclock *vc)
{
    return e.clock <= rl_vclock_get(vc, e.tid);
}

bool rl_vclock_check(const rl_vclock *vc)
{
    if (vc->n > vc->cap || (vc->c == NULL) != (vc->cap == 0))
        return false;
    for (uint32_t i = vc->n; i < vc->cap; i++)
        if (vc->c[i] != 0)
            return false;
    return true;
}
