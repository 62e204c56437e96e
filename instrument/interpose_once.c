/* interpose_once.c: pthread_once and C11 call_once. Everything the initialiser did happens before every
 * return from a call on the same control, in whichever thread made it (POSIX and C11 both promise
 * this), so a global set up lazily by the initialiser and read afterwards is no data race. The real
 * call gets a trampoline that runs the program's initialiser and then releases into the control's
 * record; every call acquires from that record when the real call returns. While another thread runs
 * the initialiser, a caller waits for it: in the kernel (inside the real call) under the native and
 * random schedules, in the scheduler under serial and pct, which make the real call only once nobody
 * else runs the initialiser (it then returns at once, or runs it here, in the schedule), so the same
 * seed replays the same run. Either way the watchdog sees the caller blocked ("once") on the thread
 * that runs the initialiser, so a deadlock through an initialiser (it waits for a lock a caller holds)
 * is reported and ended. */
#include <threads.h>

#include "rt.h"
#include "rt_sched.h"

static void initialiser_ended(void *obj)
{
    atomic_store(&((rt_lock *)obj)->owner, NULL);
    rt_sched_notify(obj); /* callers waiting in the scheduler look again */
}

/* Runs in the thread that runs the initialiser, inside the real call the wrapper made: it is not
 * waiting for another's initialiser after all, and is the once record's owner (what other callers
 * wait for, for the watchdog) until the initialiser returns or is cancelled. */
static void once_trampoline(void)
{
    rt_thread *t = rt_tls_self;
    void (*init)(void) = t->once_init;
    rt_lock *obj = t->once_obj;
    rt_block_end(t);
    atomic_store(&obj->owner, t);
    pthread_cleanup_push(initialiser_ended, obj);
    init();
    pthread_cleanup_pop(1);
    t = rt_enter();
    if (t) {
        rt_hb_release(t, obj);
        rt_leave(t);
    }
}

/* call_real(control, trampoline) makes the real call; returns its result (0 for call_once). */
static int once_common(void *control, void (*init)(void), int (*call_real)(void *, void (*)(void)),
                       uintptr_t pc)
{
    rt_thread *self = rt_tls_self;
    if (self && self->in_runtime) /* the runtime's own call (the unwinder sets itself up this way) */
        return call_real(control, init);
    rt_thread *t = rt_enter();
    if (!t)
        return call_real(control, init);
    rt_lock *obj = rt_object_get(control, RT_KIND_ONCE, pc);
    if (!obj) { /* out of memory: the call goes ahead unobserved */
        rt_leave(t);
        return call_real(control, init);
    }
    /* a signal handler's own call in between (not async-signal-safe, but possible) finds these
     * restored when it returns */
    void (*saved_init)(void) = t->once_init;
    rt_lock *saved_obj = t->once_obj;
    t->once_init = init;
    t->once_obj = obj;
    bool scheduled = rt_sched_token_mode();
    rt_block_begin(t, RT_BLOCK_ONCE, obj, pc); /* until the trampoline says this thread runs it */
    if (scheduled) {
        /* the token stays here: the thread running the initialiser gets it back at its next point */
        for (rt_thread *runner; (runner = atomic_load(&obj->owner)) && runner != t;)
            rt_sched_wait_on(t, obj);
    } else {
        rt_sched_leave(t);
    }
    rt_leave(t); /* the initialiser is the program's code */
    int rc = call_real(control, once_trampoline);
    rt_block_end(t);
    t = rt_enter();
    if (!t)
        return rc;
    t->once_init = saved_init;
    t->once_obj = saved_obj;
    if (!scheduled)
        rt_sched_return(t);
    if (rc == 0)
        rt_hb_acquire(t, obj);
    rt_leave(t);
    return rc;
}

static int call_pthread_once(void *control, void (*init)(void))
{
    return rt_real.once((pthread_once_t *)control, init);
}

static int call_c11_once(void *control, void (*init)(void))
{
    rt_real.c11_call_once(control, init);
    return 0;
}

RT_EXPORT int pthread_once(pthread_once_t *control, void (*init)(void))
{
    rt_real_resolve();
    return once_common(control, init, call_pthread_once, RT_CALLER_PC);
}

RT_EXPORT void call_once(once_flag *flag, void (*init)(void))
{
    rt_real_resolve();
    if (!rt_real.c11_call_once) { /* a C library without C11 threads: no program can have called it */
        pthread_once((pthread_once_t *)flag, init);
        return;
    }
    once_common(flag, init, call_c11_once, RT_CALLER_PC);
}
