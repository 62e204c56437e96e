/* rt_sched.h: schedule control (see sched.c). Every instrumentation point calls rt_sched_point(); the
 * blocking wrappers use rt_sched_wait_* instead of blocking in the kernel when a token schedule is on. */
#ifndef RACELAB_RT_SCHED_H
#define RACELAB_RT_SCHED_H

#include "rt.h"

typedef enum rt_schedule { RT_SCHED_NATIVE = 0, RT_SCHED_RANDOM, RT_SCHED_PCT, RT_SCHED_SERIAL } rt_schedule;

/* What an instrumentation point is, for the event hash. */
typedef enum rt_op {
    RT_OP_LOCK = 1, RT_OP_TRYLOCK, RT_OP_UNLOCK, RT_OP_RDLOCK, RT_OP_COND_WAIT, RT_OP_COND_SIGNAL,
    RT_OP_SEM_WAIT, RT_OP_SEM_POST, RT_OP_CREATE, RT_OP_JOIN, RT_OP_BARRIER, RT_OP_LOAD, RT_OP_STORE,
    RT_OP_ADD, RT_OP_EXIT,
} rt_op;

void rt_sched_init(void);                 /* reads the options in rt_state */
bool rt_sched_token_mode(void);           /* serial or pct: one thread runs at a time */
/* An instrumentation point: may switch threads (token modes) or perturb timing (random). */
void rt_sched_point_slow(rt_thread *t, rt_op op, uint32_t object, int64_t value);
static inline void rt_sched_point(rt_thread *t, rt_op op, uint32_t object, int64_t value)
{
    if (__builtin_expect(rt.schedule != RT_SCHED_NATIVE, 0))
        rt_sched_point_slow(t, op, object, value);
}
/* Token modes: the thread leaves the schedule around a call that blocks in the kernel. */
void rt_sched_leave(rt_thread *t);
void rt_sched_return(rt_thread *t);
/* Token modes: wait, outside the kernel, until `obj` may have changed (a lock was released, a
 * semaphore posted, a thread ended), then retry. The caller publishes its blocked state around its
 * retry loop (so the watchdog sees one uninterrupted wait). */
void rt_sched_wait_on(rt_thread *t, const void *obj);
void rt_sched_notify_slow(const void *obj);
static inline void rt_sched_notify(const void *obj)
{
    if (__builtin_expect(rt.schedule == RT_SCHED_PCT || rt.schedule == RT_SCHED_SERIAL, 0))
        rt_sched_notify_slow(obj);
}
void rt_sched_thread_started(rt_thread *t);  /* in the new thread, before its start routine */
/* Fork child (only the forking thread exists): the scheduler starts afresh with that thread holding the
 * token; the parent's other threads, copied as ended, can never be given it. */
void rt_sched_after_fork_child(rt_thread *self);
void rt_sched_thread_ended(rt_thread *t);
void rt_sched_wait_registered(rt_thread *child); /* creator: until the child is in the schedule */
/* Token modes: a condition wait kept by the scheduler (the caller has released the mutex and takes it
 * back after); signal wakes the oldest waiter, broadcast all. */
void rt_sched_cond_wait(rt_thread *t, rt_lock *cond);
void rt_sched_cond_signal(rt_lock *cond, bool broadcast);
/* Token modes: pthread_cancel(target) was called. A target waiting inside the scheduler (a condition
 * wait, a semaphore wait, a join: cancellation points whose real calls it is not in) becomes ready,
 * and the wrapper it waits in, seeing rt_sched_cancel_pending(), leaves the schedule and makes the
 * real call, where the cancellation acts as it would have without racelab. */
void rt_sched_cancel(rt_thread *target);
static inline bool rt_sched_cancel_pending(rt_thread *t)
{
    return atomic_load_explicit(&t->cancel_requested, memory_order_acquire) != 0;
}
/* Token modes: a barrier wait kept by the scheduler (the program's barrier object is not used). */
int rt_sched_barrier(rt_thread *t, rt_lock *b);
uint64_t rt_sched_hash(void);
/* Token modes: mixes a value (what a shared load saw, say) into the event hash. */
void rt_sched_mix(rt_thread *t, rt_op op, uint32_t object, int64_t value);
bool rt_sched_fallback_check(void);       /* watchdog tick; true when it handed the token on */
uint64_t rt_sched_fallbacks(void);
uint64_t rt_sched_steps(void);

#endif
