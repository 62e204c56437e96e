/* interpose_spin.c: pthread_spin_* wrappers. A spinlock is a lock like a non-recursive mutex (kind
 * "spinlock"): it takes part in the lock-order graph and the misuse checks. A lock that would spin
 * first tries the real trylock, and only then publishes "blocked on" state, so the watchdog sees
 * threads spinning in a deadlock as it sees blocked ones. POSIX gives spinlocks no static initialiser:
 * one used without pthread_spin_init (a zeroed global, say: glibc on x86-64 takes 0 as *locked*, so
 * the first lock spins forever) is reported as `uninitialized-lock` on first use. The real functions
 * are looked up here, on first use. */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>

#include "rt.h"
#include "rt_sched.h"

typedef struct spin_fns {
    int (*init)(pthread_spinlock_t *, int);
    int (*destroy)(pthread_spinlock_t *);
    int (*lock)(pthread_spinlock_t *);
    int (*trylock)(pthread_spinlock_t *);
    int (*unlock)(pthread_spinlock_t *);
} spin_fns;

static spin_fns real_spin;

/* pthread_spinlock_t is a volatile int: the runtime keys objects by address only */
static inline const void *key_of(pthread_spinlock_t *s) { return (const void *)(uintptr_t)s; }

/* The spinlock's record. POSIX has no static initialiser for spinlocks, so one racelab has not seen
 * initialised (never, or not since it was destroyed) is used uninitialised: reported, then tracked. */
static rt_lock *spin_object(rt_thread *t, pthread_spinlock_t *s, uintptr_t pc)
{
    rt_lock *l = rt_table_lookup((uintptr_t)s);
    if (__builtin_expect(l && l->kind == RT_KIND_SPIN && !atomic_load_explicit(&l->destroyed, memory_order_acquire), 1))
        return l;
    l = rt_object_get_slow(key_of(s), RT_KIND_SPIN, pc);
    if (l)
        rt_report_misuse(t, "uninitialized-lock", l, pc, NULL, NULL);
    return l;
}

#define FIND_SPIN(field, name) __atomic_store_n((void **)&real_spin.field, dlsym(RTLD_NEXT, name), __ATOMIC_RELAXED)

static void resolve(void)
{
    if (__builtin_expect(__atomic_load_n(&real_spin.unlock, __ATOMIC_ACQUIRE) != NULL, 1))
        return;
    FIND_SPIN(init, "pthread_spin_init");
    FIND_SPIN(destroy, "pthread_spin_destroy");
    FIND_SPIN(lock, "pthread_spin_lock");
    FIND_SPIN(trylock, "pthread_spin_trylock");
    __atomic_store_n(&real_spin.unlock, (int (*)(pthread_spinlock_t *))dlsym(RTLD_NEXT, "pthread_spin_unlock"),
                     __ATOMIC_RELEASE);
}

RT_EXPORT int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    resolve();
    int rc = real_spin.init(s, pshared);
    rt_thread *t = rt_enter();
    if (!t)
        return rc;
    if (rc == 0)
        rt_object_init(key_of(s), RT_KIND_SPIN, 0, pshared == PTHREAD_PROCESS_SHARED, RT_CALLER_PC);
    rt_leave(t);
    return rc;
}

RT_EXPORT int pthread_spin_destroy(pthread_spinlock_t *s)
{
    resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return real_spin.destroy(s);
    rt_lock *l = spin_object(t, s, RT_CALLER_PC);
    char holder[32];
    if (l && atomic_load_explicit(&l->owner, memory_order_relaxed))
        rt_report_misuse(t, "destroy-locked", l, RT_CALLER_PC, rt_holder_detail(l, holder), NULL);
    int rc = real_spin.destroy(s);
    if (rc == 0)
        rt_object_destroyed(l);
    rt_leave(t);
    return rc;
}

static int spin_acquire(pthread_spinlock_t *s, bool trylock, uintptr_t pc)
{
    rt_thread *t = rt_enter();
    if (!t)
        return trylock ? real_spin.trylock(s) : real_spin.lock(s);
    rt_lock *l = spin_object(t, s, pc);
    if (!l) {
        rt_leave(t);
        return trylock ? real_spin.trylock(s) : real_spin.lock(s);
    }
    rt_sched_point(t, trylock ? RT_OP_TRYLOCK : RT_OP_LOCK, l->index, 0);
    if (__builtin_expect(rt_confirm_sites != 0, 0) && !trylock)
        rt_confirm_point(t, pc);
    rt_acquire acq;
    rt_before_acquire(t, l, RL_MODE_WRITE, trylock ? RT_ACQ_TRY : RT_ACQ_BLOCKING, pc, &acq);
    int rc = real_spin.trylock(s);
    if (rc == EBUSY && !trylock) {
        t->blocked_stack = acq.stack;
        rt_timeline(t, RT_TL_LOCK, l);
        bool mine = atomic_load_explicit(&l->owner, memory_order_relaxed) == t;
        if (rt_sched_token_mode() && !l->pshared && !mine) {
            /* wait in the scheduler, not in a spin loop, so the interleaving stays reproducible */
            rt_block_begin(t, RT_BLOCK_LOCK, l, pc);
            while (rc == EBUSY) {
                rt_sched_wait_on(t, l);
                rc = real_spin.trylock(s);
            }
            rt_block_end(t);
        } else if (rt.schedule == RT_SCHED_RANDOM) {
            /* the random schedule yields and sleeps at points, also while a thread holds a spinlock:
             * a waiter spinning in the real lock would then burn its whole time slice on every such
             * pause (milliseconds a critical section with more threads than cores), so it yields */
            rt_block_begin(t, l->pshared ? RT_BLOCK_EXTERNAL : RT_BLOCK_LOCK, l, pc);
            while ((rc = real_spin.trylock(s)) == EBUSY)
                sched_yield();
            rt_block_end(t);
        } else {
            rt_sched_leave(t);
            rt_block_begin(t, l->pshared ? RT_BLOCK_EXTERNAL : RT_BLOCK_LOCK, l, pc);
            rc = real_spin.lock(s);
            rt_block_end(t);
            rt_sched_return(t);
        }
    }
    if (rc == 0) {
        rt_after_acquire(t, &acq);
        rt_hb_acquire(t, l);
        rt_timeline(t, RT_TL_ACQUIRED, l);
    }
    rt_leave(t);
    return rc;
}

RT_EXPORT int pthread_spin_lock(pthread_spinlock_t *s)
{
    resolve();
    return spin_acquire(s, false, RT_CALLER_PC);
}

RT_EXPORT int pthread_spin_trylock(pthread_spinlock_t *s)
{
    resolve();
    return spin_acquire(s, true, RT_CALLER_PC);
}

RT_EXPORT int pthread_spin_unlock(pthread_spinlock_t *s)
{
    resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return real_spin.unlock(s);
    rt_lock *l = spin_object(t, s, RT_CALLER_PC);
    bool foreign = false;
    if (l) {
        rt_sched_point(t, RT_OP_UNLOCK, l->index, 0);
        rt_before_release(t, l, RT_CALLER_PC, &foreign);
        rt_hb_release(t, l);
        rt_timeline(t, RT_TL_UNLOCK, l);
    }
    int rc = real_spin.unlock(s);
    if (l) {
        rt_after_release(t, l, foreign, rc);
        rt_sched_notify(l);
    }
    rt_leave(t);
    return rc;
}
