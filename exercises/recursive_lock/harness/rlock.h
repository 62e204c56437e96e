/* rlock.h: what the harness (main.c) and your rlock.c share. Do not change this file. */
#ifndef RLOCK_H
#define RLOCK_H

#include <pthread.h>
#include <stdbool.h>

/* A recursive lock: the thread that holds it may lock it again (and must then unlock it as many
 * times). Built on a plain, non-recursive mutex: `guard` protects the fields below it, and is held
 * only for a moment inside each function, never while the caller holds the rlock. */
typedef struct rlock {
    pthread_mutex_t guard;    /* protects owner and count (a PTHREAD_MUTEX_DEFAULT mutex) */
    pthread_cond_t released;  /* for threads waiting until count drops to 0 */
    pthread_t owner;          /* the thread holding it; meaningful only while count > 0 */
    long count;               /* how many times the owner has locked it; 0 when free */
} rlock;

void rlock_init(rlock *l);
/* Waits until the lock is free or held by the caller, then takes it (once more). */
void rlock_lock(rlock *l);
/* Gives back one level; frees the lock when the count reaches 0. Returns 0, or EPERM (changing
 * nothing) when the calling thread does not hold the lock. */
int rlock_unlock(rlock *l);
void rlock_destroy(rlock *l);

#endif
