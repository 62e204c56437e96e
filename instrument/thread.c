/* thread.c: per-thread state. Each thread the runtime sees gets a record (registered in rt.threads,
 * never freed: reports name threads that have ended), found through an initial-exec TLS pointer.
 * Threads we did not create (the main thread, threads started before us or by clone) are registered
 * on their first call. Thread end: the held-at-exit check and the flush of counters. */
#include <unistd.h>

#include "rt.h"
#include "rt_sched.h"

RT_TLS __thread rt_thread *rt_tls_self;

void rt_thread_set_self(rt_thread *t)
{
    rt_tls_self = t;
    if (t)
        pthread_setspecific(rt.thread_key, t);
}

rt_thread *rt_thread_new(int32_t parent_tid, uint64_t create_stack)
{
    rt_real.mutex_lock(&rt.lock);
    rt_thread *t = rt_pool_alloc(sizeof *t);
    if (t) {
        t->tid = rt.next_tid++;
        t->parent_tid = parent_tid;
        t->create_stack = create_stack;
        t->held = t->inline_held;
        t->cap_held = RT_INLINE_HELD;
        t->fast = t->fast_small;
        atomic_store_explicit(&t->fast_mask, RT_FAST_SLOTS - 1, memory_order_relaxed);
        atomic_store(&t->alive, 1);
        t->next = rt.threads;
        rt.threads = t;
        rt_line ln;
        rt_line_start(&ln, "T");
        rt_line_u64(&ln, t->tid);
        rt_line_i64(&ln, parent_tid);
        rt_line_hex(&ln, create_stack);
        rt_line_end(&ln);
    }
    rt_real.mutex_unlock(&rt.lock);
    return t;
}

/* Set while this thread registers itself: a signal handler that interrupts the registration (which
 * holds rt.lock) must not try to register the thread again. */
static RT_TLS __thread int registering;

rt_thread *rt_self_slow(void)
{
    rt_thread *t;
    if (registering) {
        rt_unobserved_call();
        return NULL;
    }
    /* A thread we did not create: register it (the main thread takes this path during init). */
    registering = 1;
    t = rt_thread_new(-1, 0);
    if (t)
        rt_thread_set_self(t);
    registering = 0;
    return t;
}

void rt_wait_cancelled(void *thread)
{
    rt_thread *t = thread;
    rt_block_end(t);
    rt_sched_return(t);
    rt_leave(t);
}

void rt_thread_end(rt_thread *t, uintptr_t pc)
{
    if (!t || t->ended)
        return;
    t->ended = 1;
    t->in_runtime = 1;
    for (uint32_t i = 0; i < t->n_held; i++) {
        const rt_held *h = &t->held[i];
        if (h->mode == RL_MODE_WRITE && atomic_load(&h->lock->owner) != t)
            continue; /* released by another thread (already reported as unlock-foreign) */
        /* the place it was taken, not the thread's end: the acquisition's stack (its chain's, when that
         * starts at this very call site), or the call site alone */
        rt_real.mutex_lock(&rt.lock);
        uint64_t where = rt_stack_starts_at(h->stack, h->pc) ? h->stack : h->pc ? rt_stack_log_pc(h->pc) : 0;
        rt_real.mutex_unlock(&rt.lock);
        rt_report_misuse_at(t, "held-at-exit", h->lock, h->pc ? h->pc : pc, NULL, NULL, where);
    }
    atomic_fetch_add(&rt.ended_acquisitions, t->acquisitions);
    t->acquisitions = 0;
    atomic_store(&t->alive, 0);
    if (t->parent_tid >= 0) /* started through our pthread_create (counted in the trampoline) */
        atomic_fetch_sub(&rt.live_threads, 1);
    rt_real.mutex_lock(&rt.lock);
    rt_line ln;
    rt_line_start(&ln, "t");
    rt_line_u64(&ln, t->tid);
    rt_line_end(&ln);
    rt_timeline_flush(t);
    t->n_held = 0;
    if (t->held != t->inline_held) /* under rt.lock: the watchdog reads held stacks under it too */
        rt_pages_free(t->held, t->cap_held * sizeof *t->held);
    t->held = t->inline_held;
    t->cap_held = RT_INLINE_HELD;
    for (rt_lock *l = t->stack_locks; l; l = l->next_on_stack) /* its stack is gone (objects.c) */
        atomic_store_explicit(&l->destroyed, 1, memory_order_release);
    t->stack_locks = NULL;
    rt_real.mutex_unlock(&rt.lock);
    if (t->fast != t->fast_small) { /* back to the inline memo: mask first (see rt_thread.fast) */
        rt_fast_entry *grown = t->fast;
        atomic_store_explicit(&t->fast_mask, RT_FAST_SLOTS - 1, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst);
        t->fast = t->fast_small;
        atomic_signal_fence(memory_order_seq_cst);
        rt_pages_free(grown, RT_FAST_SLOTS_GROWN * sizeof *grown);
    }
    rt_log_batch_free(t);
    rt_sched_thread_ended(t);
    t->in_runtime = 0;
}

/* In a forked child only the forking thread exists. Called with rt.lock reinitialised.
 * The forking thread keeps its held locks (the child's copies of private locks are held), except
 * process-shared ones: the child shares those with the parent, whose thread still holds them. */
void rt_thread_after_fork_child(rt_thread *self)
{
    for (rt_thread *t = rt.threads; t; t = t->next) {
        if (t == self)
            continue;
        t->inherited = 1;
        if (atomic_load(&t->alive)) {
            atomic_store(&t->alive, 0);
            t->ended = 1;
        }
    }
    if (!self)
        return;
    for (uint32_t i = self->n_held; i-- > 0;) {
        rt_lock *l = self->held[i].lock;
        if (!l->pshared)
            continue;
        if (atomic_load(&l->owner) == self)
            atomic_store(&l->owner, NULL);
        else if (self->held[i].mode == RL_MODE_READ && atomic_load(&l->readers) > 0)
            atomic_fetch_sub(&l->readers, 1);
        l->recursion = 0;
        rt_held_remove(self, &self->held[i]);
    }
}
