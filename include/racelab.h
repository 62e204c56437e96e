/* racelab.h: the public API a program under test may call. Everything here is optional: a program
 * that includes this header builds and runs with or without racelab (plain, under `racelab run`, or as
 * a ThreadSanitizer build), because the calls resolve to the runtime only when it is preloaded.
 */
#ifndef RACELAB_H
#define RACELAB_H

#ifdef __cplusplus
extern "C" {
#endif

/* Implemented by libracelab.so; weak so that programs link without it. */
void racelab_name_lock_impl(const void *lock, const char *name) __attribute__((weak));

/* Give a lock (mutex, rwlock, condition variable or semaphore) the name reports should use, e.g.
 * racelab_name_lock(&accounts[i].lock, "account 3"). The name is copied; a blank one is ignored. A no-op
 * without racelab. */
static inline void racelab_name_lock(const void *lock, const char *name)
{
    if (racelab_name_lock_impl)
        racelab_name_lock_impl(lock, name);
}

/* ---- Shared variables ----
 * A named shared integer whose every access racelab sees: it finds data races on it (happens-before),
 * counts lost updates exactly and shows the interleaving that lost the first one. Write a
 * read-modify-write as a load then a store, as the machine does:
 *
 *     static racelab_shared counter = RACELAB_SHARED_INIT("counter", 0);
 *     long v = racelab_load(&counter);
 *     racelab_store(&counter, v + 1);     // not atomic: another thread may store in between
 *     racelab_add(&counter, 1);           // atomic: never loses an update
 *
 * Without racelab the calls are plain memory accesses (volatile, so the compiler keeps each one), and
 * a ThreadSanitizer build sees the same races. */
typedef struct racelab_shared {
    volatile long value;   /* the variable itself */
    const char *name;      /* how reports call it */
    void *internal;        /* racelab's record, set on first use */
} racelab_shared;

#define RACELAB_SHARED_INIT(name, initial) { (initial), (name), 0 }

long racelab_load_impl(racelab_shared *v) __attribute__((weak));
void racelab_store_impl(racelab_shared *v, long value) __attribute__((weak));
long racelab_add_impl(racelab_shared *v, long delta) __attribute__((weak));

static inline long racelab_load(racelab_shared *v)
{
    return racelab_load_impl ? racelab_load_impl(v) : v->value;
}

static inline void racelab_store(racelab_shared *v, long value)
{
    if (racelab_store_impl)
        racelab_store_impl(v, value);
    else
        v->value = value;
}

/* Atomically adds delta; returns the new value. */
static inline long racelab_add(racelab_shared *v, long delta)
{
    return racelab_add_impl ? racelab_add_impl(v, delta) : __atomic_add_fetch(&v->value, delta, __ATOMIC_SEQ_CST);
}

#ifdef __cplusplus
}
#endif

#endif
