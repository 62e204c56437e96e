/* spin.h: the runtime's small spin lock, for state held a few dozen instructions at a time (a shared
 * variable's detector state, shared.c; a lock object's happens-before clock, hb.c). Uncontended it costs one atomic exchange to take and one
 * plain store to release, where a pthread mutex costs two atomic read-modify-writes and two calls.
 *
 * Correct under preemption: a waiter spins briefly, then yields, then sleeps in growing steps (raw
 * nanosleep, not a cancellation point), so a holder that lost its CPU, even to a waiter of higher
 * real-time priority, gets to run and release it. Signal handlers: the lock is only ever held with
 * the thread's re-entry guard up, so a handler on the holder's own thread never waits for it
 * (docs/runtime-locking.md, rule 3). Lock order: a spin lock may be held while taking rt.lock,
 * never the other way round.
 */
#ifndef RACELAB_SPIN_H
#define RACELAB_SPIN_H

#include <stdatomic.h>
#include <stdint.h>

typedef _Atomic uint32_t rt_spin; /* 0 free, 1 held; zero-initialised = free */

void rt_spin_lock_contended(rt_spin *s);

static inline void rt_spin_lock(rt_spin *s)
{
    if (__builtin_expect(!atomic_exchange_explicit(s, 1, memory_order_acquire), 1))
        return;
    rt_spin_lock_contended(s);
}

static inline void rt_spin_unlock(rt_spin *s)
{
    atomic_store_explicit(s, 0, memory_order_release);
}

#endif
