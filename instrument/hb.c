/* hb.c: happens-before for the race detector. Each thread has a vector clock; each synchronisation
 * object carries the clock of its releases: mutex and rwlock unlock -> lock, cond signal/broadcast ->
 * wait return, sem post -> wait, barrier arrival -> departure, thread create -> start, thread end ->
 * join. (Events built from these, like the labs' one-shot event, inherit their edges.)
 * Tracking starts with the first shared variable: an ordering between two accesses is a chain of
 * synchronisations that all happen after the first access, so nothing earlier is needed, and programs
 * without shared variables pay nothing but one flag test per wrapper. */
#include "rt.h"

static void *locked_alloc(void *ctx, size_t n)
{
    (void)ctx;
    rt_real.mutex_lock(&rt.lock);
    void *p = rt_pool_alloc(n);
    rt_real.mutex_unlock(&rt.lock);
    return p;
}

static void locked_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    if (!p)
        return;
    rt_real.mutex_lock(&rt.lock);
    rt_pool_free(p, n);
    rt_real.mutex_unlock(&rt.lock);
}

const rl_allocator rt_locked_pool_allocator = { locked_alloc, locked_free, NULL };

void rt_hb_enable(void) { atomic_store(&rt.hb_on, 1); }

/* A thread's own entry starts at 1, so its first accesses are not mistaken for "never happened". */
void rt_hb_own_entry_slow(rt_thread *t)
{
    if (rl_vclock_get(&t->vc, t->tid) == 0)
        rl_vclock_set(&t->vc, t->tid, 1, &rt_locked_pool_allocator);
}

/* (spin.h: a holder that lost its CPU gets to run again) */
static inline void obj_lock(rt_lock *o) { rt_spin_lock(&o->vc_busy); }
static inline void obj_unlock(rt_lock *o) { rt_spin_unlock(&o->vc_busy); }

/* x <= y, entry by entry (entries beyond n are 0). */
static inline bool vc_leq(const rl_vclock *x, const rl_vclock *y)
{
    for (uint32_t i = 0; i < x->n; i++)
        if (x->c[i] > (i < y->n ? y->c[i] : 0))
            return false;
    return true;
}

/* Release: obj's clock := obj's clock join t's, then t's own entry advances. Whichever thread's clock
 * covers obj's after that (obj's clock <= it) is noted in vc_cover: t's, when obj's clock was <= t's
 * before (the join is then a copy of t's clock), otherwise nobody's. */
void rt_hb_release_slow(rt_thread *t, rt_lock *obj)
{
    rt_hb_own_entry(t);
    uint32_t me = t->tid + 1;
    rl_vclock *dst = &obj->vc;
    const rl_vclock *src = &t->vc;
    obj_lock(obj);
    if (atomic_load_explicit(&obj->vc_cover, memory_order_relaxed) == me && src->n <= dst->cap) {
        /* obj's clock <= t's: the join is a copy (obj's entries from src->n on are 0 already) */
        for (uint32_t i = 0; i < src->n; i++)
            dst->c[i] = src->c[i];
        if (dst->n < src->n)
            dst->n = src->n;
    } else {
        bool covered = vc_leq(dst, src);
        if (rl_vclock_join(dst, src, &rt_locked_pool_allocator))
            atomic_store_explicit(&obj->vc_cover, covered ? me : 0, memory_order_relaxed);
        else if (!covered) /* out of memory: obj's clock is unchanged, and not <= t's */
            atomic_store_explicit(&obj->vc_cover, 0, memory_order_relaxed);
    }
    obj_unlock(obj);
    if (__builtin_expect(t->tid < t->vc.n, 1)) { /* rt_hb_own_entry made it (unless out of memory) */
        uint32_t *own = &t->vc.c[t->tid];
        if (*own != UINT32_MAX)
            (*own)++;
    } else {
        rl_vclock_increment(&t->vc, t->tid, &rt_locked_pool_allocator);
    }
}

/* Acquire: t's clock := t's join obj's. Nothing to do when t's clock already covers obj's (t made or
 * took obj's clock last, and clocks only grow): the common case of a lock taken again and again by one
 * thread, tested inline by rt_hb_acquire (rt.h) without taking obj's lock: a release that changes
 * obj's clock and happens before this acquire (through the real lock, semaphore or condition
 * variable) has also changed vc_cover by then; one that does not happen before it may as well be
 * ordered after it, as with the lock. */
void rt_hb_acquire_slow(rt_thread *t, rt_lock *obj)
{
    rt_hb_own_entry(t);
    uint32_t me = t->tid + 1;
    obj_lock(obj);
    if (rl_vclock_join(&t->vc, &obj->vc, &rt_locked_pool_allocator))
        atomic_store_explicit(&obj->vc_cover, me, memory_order_release);
    obj_unlock(obj);
}

/* A barrier's clocks: the releases of one round must reach that round's departures only. One clock
 * for all rounds would hand a thread leaving round p the release of a faster thread that has left p,
 * written something, and arrived at p+1 already: a false ordering that hides the race on what it wrote.
 * Two clocks, by the round's parity, are enough: round p+2 cannot begin before every thread has
 * arrived at p+1, that is, before every departure from p (and its acquire) is over. round[i] says
 * which round clock i holds; the first arrival of a newer round starts it afresh. */
typedef struct rt_barrier_clocks {
    rl_vclock vc[2];
    uint64_t round[2];
} rt_barrier_clocks;

/* obj_lock held. NULL if out of memory (then the barrier orders nothing: a race may be reported that a
 * barrier prevented, never the other way round). */
static rt_barrier_clocks *barrier_clocks(rt_lock *b)
{
    if (!b->barrier_clocks) {
        rt_barrier_clocks *c = locked_alloc(NULL, sizeof *c); /* zeroed */
        if (!c)
            return NULL;
        c->round[0] = c->round[1] = UINT64_MAX;
        b->barrier_clocks = c;
    }
    return b->barrier_clocks;
}

uint64_t rt_hb_barrier_arrive(rt_thread *t, rt_lock *b)
{
    uint64_t round = atomic_fetch_add_explicit(&b->barrier_arrivals, 1, memory_order_relaxed) / b->barrier_count;
    if (!rt_hb_active())
        return round;
    rt_hb_own_entry(t);
    obj_lock(b);
    rt_barrier_clocks *c = barrier_clocks(b);
    if (c) {
        rl_vclock *vc = &c->vc[round & 1];
        if (c->round[round & 1] != round) {
            for (uint32_t i = 0; i < vc->n; i++)
                vc->c[i] = 0;
            c->round[round & 1] = round;
        }
        rl_vclock_join(vc, &t->vc, &rt_locked_pool_allocator);
    }
    obj_unlock(b);
    rl_vclock_increment(&t->vc, t->tid, &rt_locked_pool_allocator);
    return round;
}

void rt_hb_barrier_depart(rt_thread *t, rt_lock *b, uint64_t round)
{
    if (!rt_hb_active())
        return;
    rt_hb_own_entry(t);
    obj_lock(b);
    rt_barrier_clocks *c = b->barrier_clocks;
    if (c && c->round[round & 1] == round)
        rl_vclock_join(&t->vc, &c->vc[round & 1], &rt_locked_pool_allocator);
    obj_unlock(b);
}

void rt_hb_read_release(rt_thread *t, rt_lock *rw)
{
    if (!rt_hb_active())
        return;
    rt_hb_own_entry(t);
    obj_lock(rw);
    if (!rw->read_vc)
        rw->read_vc = locked_alloc(NULL, sizeof *rw->read_vc); /* zeroed: an empty clock */
    if (rw->read_vc) /* (out of memory: a later writer may be reported racing with this reader) */
        rl_vclock_join(rw->read_vc, &t->vc, &rt_locked_pool_allocator);
    obj_unlock(rw);
    rl_vclock_increment(&t->vc, t->tid, &rt_locked_pool_allocator);
}

void rt_hb_acquire_reads(rt_thread *t, rt_lock *rw)
{
    if (!rt_hb_active())
        return;
    rt_hb_own_entry(t);
    obj_lock(rw);
    if (rw->read_vc)
        rl_vclock_join(&t->vc, rw->read_vc, &rt_locked_pool_allocator);
    obj_unlock(rw);
}

void rt_hb_create(rt_thread *parent, rt_thread *child)
{
    if (!rt_hb_active() || !child)
        return;
    rt_hb_own_entry(parent);
    rl_vclock_copy(&child->vc, &parent->vc, &rt_locked_pool_allocator);
    rl_vclock_set(&child->vc, child->tid, 1, &rt_locked_pool_allocator);
    rl_vclock_increment(&parent->vc, parent->tid, &rt_locked_pool_allocator);
}

void rt_hb_join(rt_thread *t, rt_thread *child)
{
    if (!rt_hb_active() || !child)
        return;
    rt_hb_own_entry(t);
    rl_vclock_join(&t->vc, &child->vc, &rt_locked_pool_allocator);
}
