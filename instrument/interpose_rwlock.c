/* interpose_rwlock.c: pthread_rwlock_* wrappers. Read holds are tracked per thread (mode READ in the
 * held stack, a reader count on the lock); write holds set the owner, as for mutexes. */
#include <errno.h>

#include "rt.h"
#include "rt_sched.h"

RT_EXPORT int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    rt_real_resolve();
    int rc = rt_real.rwlock_init(rw, attr);
    rt_thread *t = rt_enter();
    if (!t)
        return rc;
    int pshared = 0;
    if (attr)
        pthread_rwlockattr_getpshared(attr, &pshared);
    if (rc == 0)
        rt_object_init(rw, RT_KIND_RWLOCK, 0, pshared == PTHREAD_PROCESS_SHARED, RT_CALLER_PC);
    rt_leave(t);
    return rc;
}

RT_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    rt_real_resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return rt_real.rwlock_destroy(rw);
    rt_lock *l = rt_object_get(rw, RT_KIND_RWLOCK, RT_CALLER_PC);
    char holder[32];
    if (l && (atomic_load(&l->owner) || atomic_load(&l->readers) > 0))
        rt_report_misuse(t, "destroy-locked", l, RT_CALLER_PC, rt_holder_detail(l, holder), NULL);
    int rc = rt_real.rwlock_destroy(rw);
    if (rc == 0)
        rt_object_destroyed(l);
    rt_leave(t);
    return rc;
}

typedef enum { RW_BLOCKING, RW_TRY, RW_TIMED } rw_how;

/* RW_TIMED: until abstime on clock (CLOCK_REALTIME: the timed functions; else glibc's clock ones) */
static int rw_real(pthread_rwlock_t *rw, int mode, rw_how how, const struct timespec *abstime, clockid_t clock)
{
    if (how == RW_TIMED && clock != CLOCK_REALTIME) {
        int (*real)(pthread_rwlock_t *, clockid_t, const struct timespec *) =
            mode == RL_MODE_READ ? rt_real.rwlock_clockrdlock : rt_real.rwlock_clockwrlock;
        return real ? real(rw, clock, abstime) : ENOSYS;
    }
    if (mode == RL_MODE_READ)
        return how == RW_TRY ? rt_real.rwlock_tryrdlock(rw)
             : how == RW_TIMED ? rt_real.rwlock_timedrdlock(rw, abstime) : rt_real.rwlock_rdlock(rw);
    return how == RW_TRY ? rt_real.rwlock_trywrlock(rw)
         : how == RW_TIMED ? rt_real.rwlock_timedwrlock(rw, abstime) : rt_real.rwlock_wrlock(rw);
}

static int rw_acquire(pthread_rwlock_t *rw, int mode, rw_how how, const struct timespec *abstime, clockid_t clock,
                      uintptr_t pc)
{
    rt_real_resolve();
    int saved = errno;
    rt_thread *t = rt_enter();
    if (!t)
        return rw_real(rw, mode, how, abstime, clock);
    rt_lock *l = rt_object_get(rw, RT_KIND_RWLOCK, pc);
    if (!l) {
        rt_leave(t);
        return rw_real(rw, mode, how, abstime, clock);
    }
    rt_sched_point(t, mode == RL_MODE_READ ? RT_OP_RDLOCK : RT_OP_LOCK, l->index, 0);
    if (__builtin_expect(rt_confirm_sites != 0, 0) && how != RW_TRY)
        rt_confirm_point(t, pc);
    rt_acquire acq;
    rt_before_acquire(t, l, mode, how == RW_TRY ? RT_ACQ_TRY : how == RW_TIMED ? RT_ACQ_TIMED : RT_ACQ_BLOCKING, pc, &acq);
    int rc = rw_real(rw, mode, RW_TRY, NULL, CLOCK_REALTIME);
    if (rc == EBUSY && how != RW_TRY) {
        t->blocked_stack = acq.stack;
        rt_timeline(t, RT_TL_LOCK, l);
        rt_block how_blocked = how == RW_TIMED ? RT_BLOCK_TIMED : l->pshared ? RT_BLOCK_EXTERNAL
                             : mode == RL_MODE_READ ? RT_BLOCK_RDLOCK : RT_BLOCK_LOCK;
        if (rt_sched_token_mode() && how_blocked != RT_BLOCK_TIMED && how_blocked != RT_BLOCK_EXTERNAL &&
            !rt_held_find(t, l)) {
            rt_block_begin(t, how_blocked, l, pc);
            while (rc == EBUSY) {
                rt_sched_wait_on(t, l);
                rc = rw_real(rw, mode, RW_TRY, NULL, CLOCK_REALTIME);
            }
            rt_block_end(t);
        } else {
            rt_sched_leave(t);
            rt_block_begin(t, how_blocked, l, pc);
            rc = rw_real(rw, mode, how, abstime, clock);
            rt_block_end(t);
            rt_sched_return(t);
        }
    }
    if (rc == 0) {
        rt_after_acquire(t, &acq);
        rt_hb_acquire(t, l); /* the writers' releases */
        if (mode == RL_MODE_WRITE)
            rt_hb_acquire_reads(t, l); /* and, for a writer, the readers' */
        rt_timeline(t, RT_TL_ACQUIRED, l);
    }
    rt_leave(t);
    errno = saved;
    return rc;
}

#define RW_NO_DEADLINE NULL, CLOCK_REALTIME
RT_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *rw) { return rw_acquire(rw, RL_MODE_READ, RW_BLOCKING, RW_NO_DEADLINE, RT_CALLER_PC); }
RT_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *rw) { return rw_acquire(rw, RL_MODE_WRITE, RW_BLOCKING, RW_NO_DEADLINE, RT_CALLER_PC); }
RT_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw) { return rw_acquire(rw, RL_MODE_READ, RW_TRY, RW_NO_DEADLINE, RT_CALLER_PC); }
RT_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *rw) { return rw_acquire(rw, RL_MODE_WRITE, RW_TRY, RW_NO_DEADLINE, RT_CALLER_PC); }
RT_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    return rw_acquire(rw, RL_MODE_READ, RW_TIMED, abstime, CLOCK_REALTIME, RT_CALLER_PC);
}
RT_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    return rw_acquire(rw, RL_MODE_WRITE, RW_TIMED, abstime, CLOCK_REALTIME, RT_CALLER_PC);
}
RT_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *rw, clockid_t clock, const struct timespec *abstime)
{
    return rw_acquire(rw, RL_MODE_READ, RW_TIMED, abstime, clock, RT_CALLER_PC);
}
RT_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *rw, clockid_t clock, const struct timespec *abstime)
{
    return rw_acquire(rw, RL_MODE_WRITE, RW_TIMED, abstime, clock, RT_CALLER_PC);
}

RT_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    rt_real_resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return rt_real.rwlock_unlock(rw);
    int saved = errno;
    rt_lock *l = rt_object_get(rw, RT_KIND_RWLOCK, RT_CALLER_PC);
    bool foreign = false;
    if (l) {
        rt_sched_point(t, RT_OP_UNLOCK, l->index, 0);
        if (rt_before_release(t, l, RT_CALLER_PC, &foreign)) /* a read unlock orders no later reader */
            rt_hb_read_release(t, l);
        else
            rt_hb_release(t, l);
        rt_timeline(t, RT_TL_UNLOCK, l);
    }
    int rc = rt_real.rwlock_unlock(rw);
    if (l) {
        rt_after_release(t, l, foreign, rc);
        rt_sched_notify(l);
    }
    errno = saved;
    rt_leave(t);
    return rc;
}
