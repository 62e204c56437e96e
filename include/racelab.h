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
 * racelab_name_lock(&accounts[i].lock, "account 3"). The name is copied. A no-op without racelab. */
static inline void racelab_name_lock(const void *lock, const char *name)
{
    if (racelab_name_lock_impl)
        racelab_name_lock_impl(lock, name);
}

#ifdef __cplusplus
}
#endif

#endif
