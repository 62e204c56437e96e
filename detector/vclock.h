/* vclock.h: vector clocks and epochs, the happens-before bookkeeping of the race detector
 * (Lamport 1978; Mattern 1989; epochs as in FastTrack, Flanagan & Freund, PLDI 2009).
 *
 * A vector clock maps each thread id (small dense uint32_t, 0 = main) to a clock. Entries not stored
 * are 0, so a zero-initialised rl_vclock is the all-zero clock and needs no init call. An epoch
 * `clock@tid` names one point of one thread; it happened before a thread whose clock is V exactly
 * when e.clock <= V[e.tid] (rl_epoch_leq).
 *
 * How the caller keeps the clocks (the runtime does this; the tests simulate it):
 *   thread start      C_t := 0 except C_t[t] = 1 (own entry at least 1: an epoch with clock 0 is
 *                     "never", and would be ordered before everything)
 *   release(m)        L_m := C_t (copy), then C_t[t] += 1
 *   acquire(m)        C_t := C_t join L_m
 *   fork(t -> u)      C_u := C_u join C_t, then C_t[t] += 1
 *   join(t <- u)      C_t := C_t join C_u, then C_u[u] += 1
 *
 * Invariant (rl_vclock_check): n <= cap; entries [n, cap) are 0; c == NULL exactly when cap == 0.
 *
 * Threading: no internal locking; calls on one clock must be serialised by the caller.
 * Memory: only through the rl_allocator passed to each call that may grow (the same one for the
 * whole life of a clock). Every call that returns bool returns false when it could not complete
 * (out of memory, a thread id of UINT32_MAX, a clock that would wrap) and then leaves the clock
 * exactly as it was. Cost: get/set/epoch O(1); join/copy/leq O(n).
 */
#ifndef RACELAB_VCLOCK_H
#define RACELAB_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "rl_alloc.h"

typedef struct rl_vclock {
    uint32_t *c;   /* c[tid] = clock of thread tid, for tid < n */
    uint32_t n;    /* entries in use: 1 + highest tid ever set (entries may be 0) */
    uint32_t cap;  /* allocated entries; [n, cap) are 0 */
} rl_vclock;

typedef struct rl_epoch {
    uint32_t tid;    /* the thread */
    uint32_t clock;  /* its clock at that point; 0 = "no access" (ordered before everything) */
} rl_epoch;

/* API */
uint32_t rl_vclock_get(const rl_vclock *vc, uint32_t tid);    /* 0 beyond n */
bool rl_vclock_set(rl_vclock *vc, uint32_t tid, uint32_t clock, const rl_allocator *a);
bool rl_vclock_increment(rl_vclock *vc, uint32_t tid, const rl_allocator *a); /* fails at UINT32_MAX */
bool rl_vclock_join(rl_vclock *dst, const rl_vclock *src, const rl_allocator *a); /* dst |= src */
bool rl_vclock_copy(rl_vclock *dst, const rl_vclock *src, const rl_allocator *a); /* dst := src */
bool rl_vclock_leq(const rl_vclock *x, const rl_vclock *y);  /* x[i] <= y[i] for every i */
void rl_vclock_free(rl_vclock *vc, const rl_allocator *a);   /* back to all zeros, nothing held */

rl_epoch rl_vclock_epoch(const rl_vclock *vc, uint32_t tid); /* vc[tid]@tid */
bool rl_epoch_leq(rl_epoch e, const rl_vclock *vc);          /* e.clock <= vc[e.tid] */

/* Tests only: the invariant above. */
bool rl_vclock_check(const rl_vclock *vc);

#endif
