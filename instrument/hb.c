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

static void obj_lock(rt_lock *o)
{
    while (atomic_flag_test_and_set_explicit(&o->vc_busy, memory_order_acquire))
        ;
}

static void obj_unlock(rt_lock *o) { atomic_flag_clear_explicit(&o->vc_busy, memory_order_release); }

void rt_hb_release_slow(rt_thread *t, rt_lock *obj)
{
    rt_hb_own_entry(t);
    obj_lock(obj);
    rl_vclock_join(&obj->vc, &t->vc, &rt_locked_pool_allocator);
    obj_unlock(obj);
    rl_vclock_increment(&t->vc, t->tid, &rt_locked_pool_allocator);
}

void rt_hb_acquire_slow(rt_thread *t, rt_lock *obj)
{
    rt_hb_own_entry(t);
    obj_lock(obj);
    rl_vclock_join(&t->vc, &obj->vc, &rt_locked_pool_allocator);
    obj_unlock(obj);
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
