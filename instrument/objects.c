/* objects.c: creates the runtime's record for a lock, condition variable, semaphore or thread handle
 * the first time it is seen (or seen again after destroy: a new generation, so memory reused for a new
 * lock is a new lock), logs it (L line, with the stack that initialised or first used it), and marks
 * records destroyed. Lookup is lock-free (lock_table.c); creation takes rt.lock after capturing the
 * stack without it. */
#include "rt.h"

static const char *kind_name(int kind)
{
    switch (kind) {
    case RT_KIND_MUTEX: return "mutex";
    case RT_KIND_RWLOCK: return "rwlock";
    case RT_KIND_COND: return "cond";
    case RT_KIND_SEM: return "sem";
    case RT_KIND_BARRIER: return "barrier";
    case RT_KIND_VAR: return "var";
    case RT_KIND_SPIN: return "spinlock";
    case RT_KIND_ONCE: return "once";
    default: return "thread";
    }
}

static const char *mtype_name(int t)
{
    switch (t) {
    case RT_MTYPE_RECURSIVE: return "recursive";
    case RT_MTYPE_ERRORCHECK: return "errorcheck";
    case RT_MTYPE_ADAPTIVE: return "adaptive";
    default: return "normal";
    }
}

/* glibc keeps the mutex type and the process-shared bit in __data.__kind, including for statically
 * initialised mutexes (PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP sets it too). */
static void mutex_kind_bits(const void *addr, int *mtype, int *pshared)
{
    const pthread_mutex_t *m = addr;
    *mtype = m->__data.__kind & 3;
    *pshared = (m->__data.__kind & 128) != 0;
}

/* first_use: made at the object's first use (a static initializer, zeroed memory), not by an init call */
static rt_lock *create(const void *addr, rt_kind kind, int mtype, int pshared, const rt_stack *st, bool first_use)
{
    rt_lock *l = rt_pool_alloc(sizeof *l);
    if (!l)
        return NULL;
    l->index = rt.next_index++;
    l->uid = rt_uid(l->index + 1);
    if (kind == RT_KIND_MUTEX || kind == RT_KIND_RWLOCK || kind == RT_KIND_SPIN)
        rt.n_locks++;
    l->kind = (uint8_t)kind;
    l->mtype = (uint8_t)mtype;
    l->pshared = (uint8_t)pshared;
    l->addr = (uintptr_t)addr;
    uint64_t init_stack = kind == RT_KIND_THREAD ? 0 : rt_stack_log(st);
    /* an object on this thread's own stack (a local mutex, a local shared variable) lives no longer
     * than the thread: when it ends the record is retired (rt_thread_end), so that another thread's
     * object later at the same address (glibc reuses a joined thread's stack) is a new one, not the
     * same lock with the orders of both */
    rt_thread *self = rt_tls_self;
    if (self && l->addr >= self->stack_lo && l->addr < self->stack_hi) {
        l->next_on_stack = self->stack_locks;
        self->stack_locks = l;
    }
    rt_table_publish(l->addr, l);
    if (kind != RT_KIND_THREAD) {
        rt_line ln;
        rt_line_start(&ln, "L");
        rt_line_hex(&ln, l->uid);
        rt_line_hex(&ln, l->addr);
        rt_line_str(&ln, kind_name(kind));
        rt_line_str(&ln, kind == RT_KIND_MUTEX ? mtype_name(mtype) : "-");
        rt_line_u64(&ln, (uint64_t)pshared);
        rt_line_hex(&ln, init_stack);
        rt_line_u64(&ln, first_use);
        rt_line_end(&ln);
    }
    return l;
}

rt_lock *rt_object_init(const void *addr, rt_kind kind, int mtype, int pshared, uintptr_t pc)
{
    (void)pc;
    rt_stack st;
    if (kind != RT_KIND_THREAD)
        rt_stack_capture(&st);
    if (kind == RT_KIND_MUTEX)
        mutex_kind_bits(addr, &mtype, &pshared);
    rt_real.mutex_lock(&rt.lock);
    rt_lock *old = rt_table_lookup((uintptr_t)addr);
    if (old)
        atomic_store_explicit(&old->destroyed, 1, memory_order_release);
    rt_lock *l = create(addr, kind, mtype, pshared, &st, false);
    rt_real.mutex_unlock(&rt.lock);
    return l;
}

rt_lock *rt_object_get_slow(const void *addr, rt_kind kind, uintptr_t pc)
{
    rt_lock *l;
    (void)pc;
    rt_stack st;
    rt_stack_capture(&st);
    int mtype = 0, pshared = 0;
    if (kind == RT_KIND_MUTEX)
        mutex_kind_bits(addr, &mtype, &pshared);
    if (kind == RT_KIND_RWLOCK)
        pshared = ((const pthread_rwlock_t *)addr)->__data.__shared != 0;
    if (kind == RT_KIND_SEM)
        pshared = 1; /* a semaphore we never saw initialised (sem_open, other process): external */
    rt_real.mutex_lock(&rt.lock);
    l = rt_table_lookup((uintptr_t)addr);
    if (!l || l->kind != kind || atomic_load_explicit(&l->destroyed, memory_order_relaxed))
        l = create(addr, kind, mtype, pshared, &st, true);
    rt_real.mutex_unlock(&rt.lock);
    return l;
}

void rt_object_destroyed(rt_lock *l)
{
    if (l)
        atomic_store_explicit(&l->destroyed, 1, memory_order_release);
}
