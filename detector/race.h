/* race.h: data races on one shared variable, by FastTrack (Flanagan & Freund, "FastTrack: efficient
 * and precise dynamic race detection", PLDI 2009).
 *
 * The rule. Two accesses to the same variable by different threads race when at least one is a
 * write and neither happens before the other (happens-before: program order, plus the edges the
 * caller puts into the thread clocks: lock release -> acquire, fork, join; see vclock.h).
 * Reported at the second access of the pair:
 *   write-write   earlier write, now a write       RL_RACE_WRITE_WRITE
 *   read-write    earlier read, now a write        RL_RACE_READ_WRITE
 *   write-read    earlier write, now a read        RL_RACE_WRITE_READ
 * Example (reported): T1 `x = 1`, T2 `x = 2`, no lock in common, no join between them.
 * Not reported: T1 `lock(m); x = 1; unlock(m)`, then T2 `lock(m); x = 2; unlock(m)`.
 *
 * The shadow state of a variable, after FastTrack:
 *   W  the epoch of the last write;
 *   R  the epoch of the last read while reads are totally ordered, or, once two reads are
 *      concurrent ("read-shared"), a vector clock holding each thread's last read.
 * On a read by t with clock C: W <= C or write-read race; then R becomes t's epoch (if the old R
 * epoch <= C), or the read vector clock gains t's entry. On a write: W <= C or write-write race;
 * R <= C (every entry) or read-write race; then W := t's epoch and R is emptied. A read or write in
 * the same epoch as the thread's last one is a no-op (the fast paths). Each call costs O(1) except
 * a write after shared reads (O(threads)).
 *
 * Precision: up to and including the first race reported on a variable, a race is reported at an
 * access exactly when some earlier conflicting access does not happen before it (the test compares
 * against that model). After a race the state keeps going but later reports on that variable may
 * miss pairs. The report names the earlier access: the last write (write-write, write-read), or the
 * lowest-numbered thread whose last read is concurrent (read-write).
 *
 * Contract: `thread_vc` is the accessing thread's current clock, with its own entry at least 1 (a
 * thread starts at 1; vclock.h); `now->tid` is that thread. Out of memory never adds a false race:
 * when reads become shared the state keeps only the newest read, and in read-shared mode a read
 * that needs a larger clock is not recorded; the report says so with `nomem`, and races against
 * the forgotten read can then be missed.
 *
 * Threading: no internal locking; calls on one state must be serialised by the caller.
 * Memory: only through the rl_allocator passed in (the same one for the whole life of a state). A
 * state is a plain struct (zero-initialised = init) so the runtime can embed it in its shadow
 * memory; it allocates only when reads become shared. Its fields are private to race.c.
 */
#ifndef RACELAB_RACE_H
#define RACELAB_RACE_H

#include <stdbool.h>
#include <stdint.h>

#include "rl_alloc.h"
#include "vclock.h"

#define RL_ACCESS_MAX_HELD 8

/* Who accessed, for reports. */
typedef struct rl_access_info {
    uint32_t tid;                      /* accessing thread */
    bool is_write;                     /* set by rl_race_on_read/on_write in what they store */
    uint8_t held_read;                 /* bit i: held[i] was held for reading (an rwlock's read side) */
    uintptr_t pc;                      /* program counter of the access */
    int64_t value;                     /* value read or written */
    uint32_t n_held;                   /* locks held at the access (may exceed RL_ACCESS_MAX_HELD) */
    uint32_t held[RL_ACCESS_MAX_HELD]; /* the first min(n_held, RL_ACCESS_MAX_HELD) of their ids */
} rl_access_info;

typedef enum rl_race_kind {
    RL_RACE_NONE = 0,
    RL_RACE_WRITE_WRITE, /* earlier write, now write */
    RL_RACE_READ_WRITE,  /* earlier read, now write */
    RL_RACE_WRITE_READ,  /* earlier write, now read */
} rl_race_kind;

typedef struct rl_race_report {
    rl_race_kind kind;      /* as returned */
    rl_access_info earlier; /* the conflicting earlier access (kind != RL_RACE_NONE) */
    rl_access_info now;     /* the access just made (always filled) */
    bool nomem;             /* this access could not be recorded in full: see "Contract" above */
} rl_race_report;

/* One per shared variable. Invariants (rl_race_state_check): the *_info entries describe the epochs
 * beside them (same tid; write info is a write, read info a read); outside read-shared mode the read
 * clock is all zeros; in read-shared mode read_infos has an entry for every tid < read_vc.n. */
typedef struct rl_race_state {
    /* (the two descriptions first, each 64 bytes: on a cache-line-aligned state, an access writes one
     * description line and the line of the epochs below) */
    rl_access_info write_info;   /* describes W */
    rl_access_info read_info;    /* describes R when !read_shared and R is not none */
    rl_epoch write;              /* W: last write; clock 0 = none */
    rl_epoch read;               /* R when !read_shared: last read; clock 0 = none since last write */
    bool read_shared;            /* R is read_vc */
    rl_vclock read_vc;           /* R when read_shared: read_vc[u] = clock of u's last read, 0 = none;
                                  * kept allocated (all zeros) when not shared, for reuse */
    rl_access_info *read_infos;  /* read_infos[u] describes u's read at read_vc[u] */
    uint32_t read_infos_cap;     /* allocated entries of read_infos */
} rl_race_state;

/* API */
void rl_race_state_init(rl_race_state *s);                           /* = zero */
void rl_race_state_free(rl_race_state *s, const rl_allocator *a);    /* back to init */

/* Check the access `now` (by thread now->tid, whose current clock is thread_vc) and record it.
 * Returns the race found (the first conflicting earlier access, see "Precision") or RL_RACE_NONE; the
 * state is always updated. `out` may be NULL; when given it is always filled. */
rl_race_kind rl_race_on_read(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                             rl_race_report *out, const rl_allocator *a);
rl_race_kind rl_race_on_write(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                              rl_race_report *out, const rl_allocator *a);

/* The same rules and state changes, for the runtime's hot path: `out` is written only when a race is
 * found (the return value is not RL_RACE_NONE), and a write takes no allocator. */
rl_race_kind rl_race_read(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                          rl_race_report *out, const rl_allocator *a);
rl_race_kind rl_race_write(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                           rl_race_report *out);

/* "none", "write-write", "read-write", "write-read" */
const char *rl_race_kind_name(rl_race_kind kind);

/* Tests only: the invariants above. */
bool rl_race_state_check(const rl_race_state *s);

#endif
