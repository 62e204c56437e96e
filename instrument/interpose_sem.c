/* interpose_sem.c: sem_* wrappers. The runtime only needs to know which semaphores belong to this
 * process (sem_init with pshared 0): an untimed wait on one of those counts as blocked for the
 * watchdog; a wait on any other semaphore might be ended by another process and never does. */
#include <errno.h>

#include "rt.h"
#include "rt_sched.h"

RT_EXPORT int sem_init(sem_t *s, int pshared, unsigned value)
{
    rt_real_resolve();
    int rc = rt_real.sem_init(s, pshared, value);
    rt_thread *t = rt_enter();
    if (!t)
        return rc;
    int saved = errno;
    if (rc == 0)
        rt_object_init(s, RT_KIND_SEM, 0, pshared != 0, RT_CALLER_PC);
    errno = saved;
    rt_leave(t);
    return rc;
}

RT_EXPORT int sem_destroy(sem_t *s)
{
    rt_real_resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return rt_real.sem_destroy(s);
    rt_lock *l = rt_table_lookup((uintptr_t)s);
    int rc = rt_real.sem_destroy(s);
    if (rc == 0 && l && l->kind == RT_KIND_SEM)
        rt_object_destroyed(l);
    rt_leave(t);
    return rc;
}

/* The record of a live semaphore of this process (sem_init with pshared 0), or NULL: only a wait on
 * one of those can block for ever, and only those take part in the schedule and happens-before. */
static rt_lock *own_semaphore(sem_t *s)
{
    rt_lock *l = rt_table_lookup((uintptr_t)s);
    return l && l->kind == RT_KIND_SEM && !l->pshared && !atomic_load(&l->destroyed) ? l : NULL;
}

/* The real wait: for ever, or until abstime on clock. */
static int real_sem_wait(sem_t *s, const struct timespec *abstime, clockid_t clock)
{
    if (!abstime)
        return rt_real.sem_wait(s);
    if (clock == CLOCK_REALTIME)
        return rt_real.sem_timedwait(s, abstime);
    if (rt_real.sem_clockwait)
        return rt_real.sem_clockwait(s, clock, abstime);
    errno = ENOSYS;
    return -1;
}

static int sem_wait_common(sem_t *s, const struct timespec *abstime, clockid_t clock, uintptr_t pc)
{
    rt_thread *t = rt_enter();
    if (!t)
        return real_sem_wait(s, abstime, clock);
    rt_lock *l = own_semaphore(s);
    bool ours = l != NULL;
    rt_sched_point(t, RT_OP_SEM_WAIT, ours ? l->index : 0, 0);
    int rc = rt_real.sem_trywait(s);
    if (rc != 0 && errno == EAGAIN) {
        bool native = true;
        if (rt_sched_token_mode() && ours && !abstime) {
            rt_block_begin(t, RT_BLOCK_SEM, l, pc);
            while (rc != 0 && errno == EAGAIN && !rt_sched_cancel_pending(t)) {
                rt_sched_wait_on(t, l);
                rc = rt_real.sem_trywait(s);
            }
            int e = errno;
            rt_block_end(t);
            errno = e;
            native = rc != 0 && errno == EAGAIN; /* cancelled: the real wait acts on it */
            if (native)
                atomic_store_explicit(&t->cancel_requested, 0, memory_order_relaxed);
        }
        if (native) {
            rt_sched_leave(t);
            rt_block_begin(t, abstime ? RT_BLOCK_TIMED : ours ? RT_BLOCK_SEM : RT_BLOCK_EXTERNAL, ours ? l : NULL, pc);
            pthread_cleanup_push(rt_wait_cancelled, t);
            rc = real_sem_wait(s, abstime, clock);
            pthread_cleanup_pop(0);
            int e = errno;
            rt_block_end(t);
            rt_sched_return(t);
            errno = e;
        }
    }
    if (rc == 0 && ours)
        rt_hb_acquire(t, l);
    rt_leave(t);
    return rc;
}

RT_EXPORT int sem_wait(sem_t *s)
{
    rt_real_resolve();
    return sem_wait_common(s, NULL, CLOCK_REALTIME, RT_CALLER_PC);
}

RT_EXPORT int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    rt_real_resolve();
    return sem_wait_common(s, abstime, CLOCK_REALTIME, RT_CALLER_PC);
}

RT_EXPORT int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
    rt_real_resolve();
    return sem_wait_common(s, abstime, clock, RT_CALLER_PC);
}

/* A point for the schedule (a program polling sem_trywait gives the other threads their turn), and
 * on success the same happens-before edge from the matching sem_post as a wait. */
RT_EXPORT int sem_trywait(sem_t *s)
{
    rt_real_resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return rt_real.sem_trywait(s);
    rt_lock *l = own_semaphore(s);
    rt_sched_point(t, RT_OP_SEM_WAIT, l ? l->index : 0, 1);
    int rc = rt_real.sem_trywait(s);
    int e = errno;
    if (rc == 0 && l)
        rt_hb_acquire(t, l);
    rt_leave(t);
    errno = e;
    return rc;
}

RT_EXPORT int sem_post(sem_t *s)
{
    rt_real_resolve();
    rt_thread *t = rt_enter();
    rt_lock *l = t ? rt_table_lookup((uintptr_t)s) : NULL;
    if (l && l->kind != RT_KIND_SEM)
        l = NULL;
    if (t) {
        rt_sched_point(t, RT_OP_SEM_POST, l ? l->index : 0, 0);
        rt_hb_release(t, l);
    }
    int rc = rt_real.sem_post(s);
    if (t) {
        int e = errno;
        if (l)
            rt_sched_notify(l);
        rt_leave(t);
        errno = e;
    }
    return rc;
}
