/* lockset.h: lock-discipline violations on one shared variable, by Eraser's lockset algorithm
 * (Savage, Burrows, Nelson, Sobalvarro, Anderson, "Eraser: a dynamic data race detector for
 * multithreaded programs", TOCS 1997).
 *
 * The rule. Every shared variable that some thread writes must be protected by at least one lock
 * that every thread holds at every access. Unlike happens-before (race.h) this does not depend on
 * the interleaving seen: it reports discipline that *could* race in another run.
 *
 * Each variable goes through these states (Eraser's refinement for initialisation and read
 * sharing; the state names are what rl_lockset_state_name returns):
 *   virgin           never accessed                      -> exclusive(t) at the first access by t
 *   exclusive        only thread t so far; no checks     -> shared on a read by another thread,
 *                                                           shared-modified on a write by another
 *   shared           read by several threads, not written since leaving exclusive; C(v) is
 *                    refined but never reported          -> shared-modified on any write
 *   shared-modified  written while shared; C(v) refined and checked
 * The candidate set C(v) is the intersection of the locks held at each access from the access that
 * leaves exclusive on (the first such access sets it to the locks held then). A violation is
 * reported when the variable is shared-modified and C(v) is empty, once per variable.
 * Example (reported): T1 `lock(a); x++; unlock(a)`, T2 `lock(b); x++; unlock(b)`: C(x) = {a} then {}.
 * Not reported: T1 initialises x without a lock, then T1 and T2 update it under lock a; or T1 writes
 * x, then T2 and T3 only read it.
 *
 * Contract: `held_sorted` lists the lock ids the thread holds, ascending, without duplicates
 * (n_held may be 0, held_sorted then may be NULL).
 *
 * Threading: no internal locking; calls on one state must be serialised by the caller.
 * Memory: only through the rl_allocator passed in (the same one for the whole life of a state); one
 * array (C(v)) allocated when the variable leaves exclusive holding locks, only ever shrunk after.
 * If that allocation fails the call returns RL_LOCKSET_NOMEM and the variable is no longer checked
 * (rl_lockset_state_name still tracks the state; no violation is ever reported for it: a missed
 * report, never a false one). A state is a plain struct (zero-initialised = virgin) so the runtime
 * can embed it in its shadow memory; its fields are private to lockset.c.
 */
#ifndef RACELAB_LOCKSET_H
#define RACELAB_LOCKSET_H

#include <stdbool.h>
#include <stdint.h>

#include "rl_alloc.h"

typedef enum rl_lockset_phase {
    RL_LOCKSET_VIRGIN = 0,
    RL_LOCKSET_EXCLUSIVE,
    RL_LOCKSET_SHARED,
    RL_LOCKSET_SHARED_MODIFIED,
} rl_lockset_phase;

typedef enum rl_lockset_result {
    RL_LOCKSET_OK = 0,      /* nothing to report */
    RL_LOCKSET_VIOLATION,   /* C(v) just became empty in shared-modified: first and only report */
    RL_LOCKSET_NOMEM,       /* C(v) could not be stored: the variable is no longer checked */
} rl_lockset_result;

/* Invariants (rl_lockset_state_check): cand is ascending without duplicates and n_cand <= cap_cand;
 * (cand == NULL) == (cap_cand == 0); cand is empty in virgin and exclusive; reported only in
 * shared-modified, with n_cand == 0, and never together with untracked. */
typedef struct rl_lockset_state {
    rl_lockset_phase phase;
    uint32_t owner;     /* exclusive: the one thread that accessed so far */
    uint32_t *cand;     /* C(v), ascending; meaningful from shared on */
    uint32_t n_cand;    /* entries of cand in use */
    uint32_t cap_cand;  /* allocated entries of cand */
    bool reported;      /* the violation was reported */
    bool untracked;     /* C(v) could not be stored (out of memory): no checks any more */
} rl_lockset_state;

/* API */
void rl_lockset_init(rl_lockset_state *s);                         /* = zero: virgin */
void rl_lockset_free(rl_lockset_state *s, const rl_allocator *a);  /* back to virgin */

/* Record an access by `tid` holding held_sorted[0..n_held). Returns RL_LOCKSET_VIOLATION exactly at
 * the access where the violation is first detected. O(n_held + |C(v)|). */
rl_lockset_result rl_lockset_on_access(rl_lockset_state *s, uint32_t tid, bool is_write,
                                       const uint32_t *held_sorted, uint32_t n_held,
                                       const rl_allocator *a);

/* "virgin", "exclusive", "shared", "shared-modified" */
const char *rl_lockset_state_name(const rl_lockset_state *s);
rl_lockset_phase rl_lockset_phase_of(const rl_lockset_state *s);
/* C(v) (ascending), for reports; NULL with *n = 0 when empty or not yet computed. */
const uint32_t *rl_lockset_candidates(const rl_lockset_state *s, uint32_t *n);

/* Tests only: the invariants above. */
bool rl_lockset_state_check(const rl_lockset_state *s);

#endif
