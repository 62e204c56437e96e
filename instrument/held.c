/* held.c: the acquisition and release bookkeeping every lock wrapper calls: the per-thread held-lock
 * stack, chain keys (lockdep's chain hash: a hash of the thread and its held locks in order), the
 * double-lock check before blocking, owner tracking, and the slow path that records lock-order edges
 * when a chain is new. The fast path takes no lock and allocates nothing. */
#include <errno.h>
#include <string.h>

#include "rt.h"

rt_held *rt_held_find(rt_thread *t, const rt_lock *l)
{
    for (uint32_t i = t->n_held; i-- > 0;)
        if (t->held[i].lock == l)
            return &t->held[i];
    return NULL;
}

static void recompute_keys(rt_thread *t, uint32_t from)
{
    uint64_t key = from ? t->held[from - 1].chain_key : rt_chain_base(t);
    for (uint32_t i = from; i < t->n_held; i++) {
        key = rt_chain_step(key, t->held[i].lock, t->held[i].mode, t->held[i].trylock);
        t->held[i].chain_key = key;
    }
}

void rt_held_remove(rt_thread *t, rt_held *h)
{
    uint32_t i = (uint32_t)(h - t->held);
    if (i + 1 == t->n_held) { /* the common case: the most recent lock */
        t->n_held--;
        return;
    }
    memmove(&t->held[i], &t->held[i + 1], (t->n_held - i - 1) * sizeof *h);
    t->n_held--;
    if (i < t->n_held)
        recompute_keys(t, i);
}

void rt_held_push(rt_thread *t, const rt_held *h)
{
    if (t->n_held == t->cap_held) {
        if (t->cap_held >= RT_HELD_LIMIT) {
            if (t->untracked++ == 0) {
                rt_real.mutex_lock(&rt.lock);
                rt_note("a thread holds more than 1048576 locks at once; deeper locks are not tracked");
                rt_real.mutex_unlock(&rt.lock);
            }
            return;
        }
        uint32_t ncap = t->cap_held * 2;
        rt_held *fresh = rt_pages_alloc(ncap * sizeof *fresh);
        if (!fresh) {
            t->untracked++;
            return;
        }
        memcpy(fresh, t->held, t->n_held * sizeof *fresh);
        /* The old array is not unmapped: the watchdog may be reading it. Growth is geometric, so
         * what is kept is at most the size of the current array; thread end frees the current one. */
        __atomic_store_n(&t->held, fresh, __ATOMIC_RELEASE);
        t->cap_held = ncap;
    }
    t->held[t->n_held] = *h;
    __atomic_store_n(&t->n_held, t->n_held + 1, __ATOMIC_RELEASE);
}

void rt_before_acquire(rt_thread *t, rt_lock *l, int mode, int how, uintptr_t pc, rt_acquire *acq)
{
    bool trylock = how == RT_ACQ_TRY, gives_up = how != RT_ACQ_BLOCKING;
    acq->lock = l;
    acq->mode = (uint8_t)mode;
    acq->trylock = gives_up;
    acq->pc = pc;
    acq->reentry = 0;
    acq->stack = 0;
    rt_held *mine = rt_held_find(t, l);
    if (mine) {
        bool owned = atomic_load_explicit(&l->owner, memory_order_relaxed) == t || mine->mode == RL_MODE_READ;
        if (owned && l->kind == RT_KIND_MUTEX && l->mtype == RT_MTYPE_RECURSIVE) {
            acq->reentry = 1; /* a recursive relock: legal, and teaches no order */
            return;
        }
        if (owned && !trylock && !(l->kind == RT_KIND_RWLOCK && mine->mode == RL_MODE_READ && mode == RL_MODE_READ)) {
            rt_report_misuse(t, "double-lock", l, pc, NULL, NULL);
            acq->reentry = 2; /* no self-edge */
            return;
        }
        if (owned)
            return;
    }
    uint64_t prev = t->n_held ? t->held[t->n_held - 1].chain_key : rt_chain_base(t);
    acq->chain_key = rt_chain_step(prev, l, mode, gives_up);
    if (__builtin_expect(rt_chain_lookup(acq->chain_key, &acq->stack), 1))
        return; /* seen: nothing new to learn */

    /* Slow path: a new chain. Capture the stack with no lock held, then record under rt.lock. */
    rt_stack st;
    rt_stack_capture(&st);
    rt_real.mutex_lock(&rt.lock);
    if (!rt_chain_lookup(acq->chain_key, &acq->stack)) {
        rt_log_batch_begin(t);
        acq->stack = rt_stack_log(&st);
        if (t->n_held)
            rt_edges_record(t, acq, acq->stack);
        rt_chain_insert(acq->chain_key, acq->stack);
        rt_log_batch_end(t);
    }
    rt_real.mutex_unlock(&rt.lock);
    rt_log_batch_flush(t);
}

void rt_after_acquire(rt_thread *t, const rt_acquire *acq)
{
    rt_lock *l = acq->lock;
    t->acquisitions++;
    if (acq->reentry == 1) {
        l->recursion++;
        return;
    }
    if (acq->reentry == 2)
        return; /* errorcheck relock that succeeded? cannot happen; keep state as is */
    if (acq->mode == RL_MODE_WRITE)
        atomic_store_explicit(&l->owner, t, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&l->readers, 1, memory_order_relaxed);
    rt_held h = { l, acq->chain_key, acq->stack, acq->pc, acq->mode, acq->trylock };
    if (!h.chain_key) {
        uint64_t prev = t->n_held ? t->held[t->n_held - 1].chain_key : rt_chain_base(t);
        h.chain_key = rt_chain_step(prev, l, acq->mode, acq->trylock);
    }
    rt_held_push(t, &h);
}

bool rt_before_release(rt_thread *t, rt_lock *l, uintptr_t pc, bool *foreign)
{
    *foreign = false;
    rt_held *mine = rt_held_find(t, l);
    rt_thread *owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
    if (mine && (mine->mode == RL_MODE_READ || owner == t)) {
        if (mine->mode == RL_MODE_WRITE && l->recursion > 0) {
            l->recursion--;
            return false;
        }
        bool read_hold = mine->mode == RL_MODE_READ;
        if (read_hold)
            atomic_fetch_sub_explicit(&l->readers, 1, memory_order_relaxed);
        else
            atomic_store_explicit(&l->owner, NULL, memory_order_relaxed);
        rt_held_remove(t, mine);
        return read_hold;
    }
    if (mine) /* stale: another thread released it for us earlier */
        rt_held_remove(t, mine);
    if (owner == NULL && atomic_load_explicit(&l->readers, memory_order_relaxed) == 0) {
        rt_report_misuse(t, "unlock-unlocked", l, pc, NULL, NULL);
    } else {
        char holder[32];
        rt_report_misuse(t, "unlock-foreign", l, pc, rt_holder_detail(l, holder), NULL);
        *foreign = true;
    }
    return false;
}

void rt_after_release(rt_thread *t, rt_lock *l, bool foreign, int rc)
{
    (void)t;
    if (!foreign || rc != 0)
        return;
    /* The real unlock released a lock another thread held (normal mutexes do not check). */
    if (atomic_load_explicit(&l->owner, memory_order_relaxed))
        atomic_store_explicit(&l->owner, NULL, memory_order_relaxed);
    else if (atomic_load_explicit(&l->readers, memory_order_relaxed) > 0)
        atomic_fetch_sub_explicit(&l->readers, 1, memory_order_relaxed);
}
