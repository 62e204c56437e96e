/* interpose_cond.c: pthread_cond_* wrappers. A wait checks the misuse rules (the mutex must be held by
 * the waiter; all concurrent waiters of one condition variable must use the same mutex), gives the
 * mutex up in the held stack for the duration of the wait, marks the thread blocked for the watchdog,
 * and takes the mutex back after. */
#include <errno.h>

#include "rt.h"
#include "rt_sched.h"

/* What a wait must undo if the thread is cancelled in it (cond_wait is a cancellation point). */
typedef struct wait_ctx {
    rt_thread *t;
    rt_lock *cl, *ml;
    bool held;
    int recursion;
    rt_held saved_entry;
    uintptr_t pc;
} wait_ctx;

/* After the real wait returned, or was cancelled: either way glibc has taken the mutex back, so the
 * held stack gets it back too (a cancelled waiter's cleanup handlers then unlock it, observed). Taking
 * it back is an acquisition like any other for the lock order: a waiter that holds x, taken after the
 * mutex, takes the mutex again while holding x (x -> mutex, at the wait's call site); `learn` is false
 * only on the cancellation path, which unwinds and records nothing new. */
static void retake_mutex(wait_ctx *w, int rc, bool learn)
{
    rt_thread *t = w->t;
    rt_lock *ml = w->ml;
    if (!w->held && ml && (rc == 0 || rc == ETIMEDOUT) && !rt_held_find(t, ml)) {
        /* waited without holding it: glibc still returns with the mutex locked by this thread */
        rt_acquire acq = { ml, RL_MODE_WRITE, 0, 0, 0, 0, w->pc };
        atomic_store_explicit(&ml->owner, t, memory_order_relaxed);
        rt_after_acquire(t, &acq);
    } else if (w->held) { /* the real wait has reacquired the mutex (also on timeout) */
        rt_acquire acq = { ml, w->saved_entry.mode, 0, 0, 0, w->saved_entry.stack, w->saved_entry.pc };
        if (learn && t->n_held)
            rt_before_acquire(t, ml, w->saved_entry.mode, RT_ACQ_BLOCKING, w->pc, &acq);
        atomic_store_explicit(&ml->owner, t, memory_order_relaxed);
        ml->recursion = w->recursion;
        rt_after_acquire(t, &acq);
        t->acquisitions--; /* not a new acquisition */
    }
}

static void wait_cancelled(void *p)
{
    wait_ctx *w = p;
    rt_block_end(w->t);
    retake_mutex(w, 0, false);
    if (w->cl)
        atomic_fetch_sub(&w->cl->cond_waiters, 1);
    rt_leave(w->t);
}

/* The real wait: for ever, or until abstime on clock. */
static int real_cond_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock)
{
    if (!abstime)
        return rt_real.cond_wait(c, m);
    if (clock == CLOCK_REALTIME)
        return rt_real.cond_timedwait(c, m, abstime);
    return rt_real.cond_clockwait ? rt_real.cond_clockwait(c, m, clock, abstime) : ENOSYS;
}

static int cond_wait_common(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock,
                            uintptr_t pc)
{
    rt_thread *t = rt_enter();
    if (!t)
        return real_cond_wait(c, m, abstime, clock);
    int saved = errno;
    rt_lock *cl = rt_object_get(c, RT_KIND_COND, pc);
    rt_lock *ml = rt_object_get(m, RT_KIND_MUTEX, pc);
    rt_held *h = ml ? rt_held_find(t, ml) : NULL;
    rt_held saved_entry = { 0 };
    bool held = h && atomic_load(&ml->owner) == t;
    if (ml && !held)
        rt_report_misuse(t, "cond-misuse", cl, pc, "wait-without-mutex", ml);
    if (cl && ml) {
        rt_lock *prev = atomic_load(&cl->cond_mutex);
        if (atomic_load(&cl->cond_waiters) > 0 && prev && prev != ml)
            rt_report_misuse(t, "cond-misuse", cl, pc, "two-mutexes", ml);
        atomic_store(&cl->cond_mutex, ml);
        atomic_fetch_add(&cl->cond_waiters, 1);
    }
    int recursion = 0;
    if (held) {
        saved_entry = *h;
        recursion = ml->recursion;
        ml->recursion = 0;
        atomic_store_explicit(&ml->owner, NULL, memory_order_relaxed);
        rt_held_remove(t, h);
    }
    if (cl)
        rt_sched_point(t, RT_OP_COND_WAIT, cl->index, 0);
    rt_hb_release(t, ml);
    rt_timeline(t, RT_TL_WAIT, cl);
    wait_ctx w = { t, cl, ml, held, recursion, saved_entry, pc };
    w.saved_entry.chain_key = 0;
    int rc;
    if (rt_sched_token_mode() && held && !abstime && cl && !ml->pshared) {
        /* kept by the scheduler, so that a seed replays the same wake-ups: release the mutex, wait
         * for a signal, take the mutex back (as the scheduler's lock path does) */
        rt_real.mutex_unlock(m);
        rt_sched_notify(ml);
        atomic_store_explicit(&t->blocked_mutex, ml, memory_order_relaxed); /* before blocked */
        rt_block_begin(t, RT_BLOCK_COND, cl, pc);
        rt_sched_cond_wait(t, cl);
        rt_block_end(t);
        rt_block_begin(t, RT_BLOCK_LOCK, ml, pc);
        while ((rc = rt_real.mutex_trylock(m)) == EBUSY)
            rt_sched_wait_on(t, ml);
        rt_block_end(t);
        if (rt_sched_cancel_pending(t)) {
            /* cancelled while waiting: act on it here, holding the mutex again as POSIX has it */
            atomic_store_explicit(&t->cancel_requested, 0, memory_order_relaxed);
            rt_sched_leave(t);
            pthread_cleanup_push(wait_cancelled, &w);
            pthread_testcancel(); /* returns if the program has cancellation disabled */
            pthread_cleanup_pop(0);
            rt_sched_return(t);
        }
    } else {
        rt_sched_leave(t);
        if (ml)
            rt_sched_notify(ml); /* the wait releases the mutex */
        atomic_store_explicit(&t->blocked_mutex, held && !(ml && ml->pshared) ? ml : NULL, memory_order_relaxed);
        if (abstime) { /* written before blocked is published, as blocked_mutex */
            t->blocked_deadline = *abstime;
            t->blocked_clock = clock;
        }
        rt_block_begin(t, abstime ? RT_BLOCK_TIMED : (ml && ml->pshared) ? RT_BLOCK_EXTERNAL : RT_BLOCK_COND, cl, pc);
        pthread_cleanup_push(wait_cancelled, &w);
        rc = real_cond_wait(c, m, abstime, clock);
        pthread_cleanup_pop(0);
        rt_block_end(t);
        rt_sched_return(t);
    }
    retake_mutex(&w, rc, true);
    rt_hb_acquire(t, cl);
    rt_hb_acquire(t, ml);
    rt_timeline(t, RT_TL_WAKE, cl);
    if (cl)
        atomic_fetch_sub(&cl->cond_waiters, 1);
    errno = saved;
    rt_leave(t);
    return rc;
}

RT_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    rt_real_resolve();
    return cond_wait_common(c, m, NULL, CLOCK_REALTIME, RT_CALLER_PC);
}

RT_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    rt_real_resolve();
    return cond_wait_common(c, m, abstime, CLOCK_REALTIME, RT_CALLER_PC);
}

RT_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
    rt_real_resolve();
    return cond_wait_common(c, m, abstime, clock, RT_CALLER_PC);
}

int rt_cond_wait_at(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock,
                    uintptr_t pc)
{
    rt_real_resolve();
    return cond_wait_common(c, m, abstime, clock, pc);
}

int rt_cond_signal_at(pthread_cond_t *c, bool broadcast, uintptr_t pc)
{
    rt_real_resolve();
    rt_thread *t = rt_enter(); /* the entry itself counts as progress for the watchdog */
    if (t) {
        rt_sched_point(t, RT_OP_COND_SIGNAL, 0, 0);
        if (rt_hb_active() || rt_sched_token_mode()) {
            rt_lock *cl = rt_object_get(c, RT_KIND_COND, pc);
            rt_hb_release(t, cl);
            if (cl && rt_sched_token_mode())
                rt_sched_cond_signal(cl, broadcast);
        }
    }
    int rc = broadcast ? rt_real.cond_broadcast(c) : rt_real.cond_signal(c);
    if (t)
        rt_leave(t);
    return rc;
}

RT_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
    return rt_cond_signal_at(c, false, RT_CALLER_PC);
}

RT_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
    return rt_cond_signal_at(c, true, RT_CALLER_PC);
}
