/* lostupdate.h: exact lost-update accounting for one shared integer under load, store and atomic add.
 *
 * The rule. A store by thread t that follows t's own load of the variable (with no store by t in
 * between) is a read-modify-write: t meant to change the value by (stored - loaded). If any write
 * (by any thread, t's own adds included) happened between that load and the store, the store is
 * *stale*: it overwrites updates it never saw. It then loses (value before the store - loaded) in
 * value units and overwrites (version now - version loaded) writes. A store by t with no pending
 * load is an *assignment*: it sets the baseline and loses nothing. An atomic add never loses.
 * Example (OSTEP's counter): x = 41; T1 loads 41, T2 loads 41, T2 stores 42, T1 stores 42:
 * T1's store is stale, loses 1 and overwrites 1 write (T2's). Expected 43, actual 42.
 *
 * Counting lost updates. "Writes overwritten" (version now - version loaded) counts a write again
 * each time a later stale store overwrites it: T1, T2, T3 load 0; T2 stores 1; T3 stores 1 (stale,
 * overwrites T2's); T1 stores 1 (stale, overwrites T2's and T3's): 3 writes overwritten, 2 updates
 * lost. The net count of lost updates comes from the number of updates the value reflects: each
 * read-modify-write store reflects what its load saw plus itself, each add the previous value plus
 * itself, an assignment nothing. A stale store loses (updates reflected now - updates its load saw)
 * updates: with unit increments that is exactly its value loss, so lost_updates == lost_value.
 * (It can be negative: a store whose load saw more updates than the value now reflects brings
 * the missing ones back.)
 *
 * The counters (rl_lu_stats):
 *   expected    the value of the last assignment (the initial value before any) plus every intended
 *               delta since (read-modify-writes and adds): what the variable would hold had no
 *               update been lost.
 *   lost_value  the sum of the losses of all stale stores (signed: a stale store that overwrote an
 *               assignment to a larger value loses a negative amount).
 * Invariant: expected - current == lost_since_assignment, which equals lost_value as long as no
 * assignment came after a loss (an assignment resets expected, and with it what is missing from the
 * current value, but lost_value keeps counting the whole run). Each stale store overwrites at
 * least one write, so lost_writes >= stale_stores; with unit increments only (stores of loaded + 1,
 * adds of 1), lost_updates == lost_value.
 *
 * Values the tracker did not expect (a load or an add that sees something other than the tracked
 * current value, i.e. a write it was not told about) are taken as an outside add: current and
 * expected both move by the difference, the version advances, and an RL_LU_OUTSIDE event is logged.
 *
 * History. The last RL_LU_RING events are kept (rl_lostupdate_recent). At the FIRST stale store the
 * tracker saves a trace (rl_lostupdate_trace): the events from the stale thread's load up to and
 * including that store; when that is more than RL_LU_TRACE_MAX events, the first RL_LU_TRACE_HEAD
 * and the last RL_LU_TRACE_TAIL, with the number left out between them. The store event names the
 * thread of the last write it overwrote.
 *
 * Threading: no internal locking; calls on one tracker must be serialised by the caller (the
 * runtime calls these under the variable's lock, after the real access).
 * Memory: only through the rl_allocator passed in (the same one for the whole life of a tracker);
 * one record per thread id that ever loaded (pending load, plus the first events after it while no
 * trace is saved yet), grown by tid on load. If that fails, rl_lostupdate_on_load returns false,
 * the load is not recorded (that thread's next store counts as an assignment) and stats.nomem says
 * the counts may be inexact. Cost: O(1) per call, amortised; the struct is about 5 KiB. The
 * struct's fields are private to lostupdate.c.
 */
#ifndef RACELAB_LOSTUPDATE_H
#define RACELAB_LOSTUPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rl_alloc.h"

#define RL_LU_RING 64        /* recent events kept */
#define RL_LU_TRACE_HEAD 8   /* a long trace keeps its first 8 events ... */
#define RL_LU_TRACE_TAIL 24  /* ... and its last 24 */
#define RL_LU_TRACE_MAX (RL_LU_TRACE_HEAD + RL_LU_TRACE_TAIL)
#define RL_LU_NO_TID UINT32_MAX /* "no thread": an outside write */

typedef enum rl_lu_op {
    RL_LU_LOAD = 0,
    RL_LU_STORE,
    RL_LU_ADD,
    RL_LU_OUTSIDE, /* a write the tracker inferred from an unexpected value (tid RL_LU_NO_TID) */
} rl_lu_op;

typedef struct rl_lu_event {
    uint64_t seq;           /* position in the variable's history, from 0 */
    uint64_t version;       /* load: version seen; store, add, outside: version after */
    int64_t value;          /* load: value read; store: value written; add, outside: value after */
    int64_t delta;          /* add, outside: the amount added; otherwise 0 */
    uint32_t tid;           /* the thread */
    rl_lu_op op;
    bool stale;             /* store: a stale read-modify-write */
    uint32_t overwrote_tid; /* stale store: thread of the last write it overwrote (or RL_LU_NO_TID) */
    uintptr_t pc;           /* where the program made the access (0: unknown, or an outside write) */
} rl_lu_event;

typedef struct rl_lu_trace {
    uint32_t tid;      /* the thread whose store was stale */
    uint32_t n;        /* events in ev */
    uint64_t skipped;  /* events left out between ev[RL_LU_TRACE_HEAD - 1] and ev[RL_LU_TRACE_HEAD];
                        * 0 = none (the trace is complete) */
    rl_lu_event ev[RL_LU_TRACE_MAX]; /* ev[0] the load, ev[n - 1] the stale store */
} rl_lu_trace;

typedef struct rl_lu_stats {
    /* (the ones an event may change without a loss first) */
    uint64_t events;               /* events so far (= seq of the next one) */
    int64_t current;               /* value now, as the tracker sees it */
    int64_t expected;              /* see above */
    uint64_t version;              /* writes so far: stores, adds and outside writes */
    uint64_t live_updates;         /* updates the current value reflects, since the last assignment */
    int64_t lost_since_assignment; /* sum of the losses since the last assignment */
    int64_t initial;               /* as given to init */
    int64_t lost_value;            /* sum of all losses */
    uint64_t lost_writes;          /* writes overwritten by stale stores (a write may count again) */
    int64_t lost_updates;          /* net updates lost by stale stores (see above) */
    uint64_t stale_stores;         /* stale stores */
    uint64_t outside_writes;       /* RL_LU_OUTSIDE events */
    bool nomem;                    /* some load could not be recorded: counts may be inexact */
} rl_lu_stats;

typedef struct rl_lu_store_result {
    bool stale;             /* as returned */
    bool assignment;        /* no pending load: an assignment */
    int64_t lost_value;     /* stale: value lost by this store */
    uint64_t lost_writes;   /* stale: writes overwritten by this store */
    int64_t lost_updates;   /* stale: net updates lost by this store */
    uint32_t overwrote_tid; /* stale: thread of the last write overwritten (RL_LU_NO_TID: outside) */
    bool first_stale;       /* the trace was saved at this store */
} rl_lu_store_result;

typedef struct rl_lu_thread rl_lu_thread; /* per-thread record, private */

/* Laid out for a tracker that starts on a cache line (the runtime's does): an event writes the first
 * line (what it changes: the mask, the last writer and the first six counters) and one ring slot,
 * each slot a line of its own (lostupdate.c checks the offsets). */
typedef struct rl_lostupdate {
    uint64_t head_wanted;          /* bit s % RL_LU_RING: the event seq s in the ring is a thread's latest
                                    * load and no trace is saved: its head is copied out of the ring
                                    * before the ring overwrites it */
    uint32_t last_writer;          /* tid of the last write (RL_LU_NO_TID: outside or none) */
    uint32_t threads_cap;          /* allocated records */
    rl_lu_stats st;                /* counters */
    rl_lu_thread *threads;         /* indexed by tid: pending load, first events after it */
    struct {
        rl_lu_event ev;
        uint64_t unused;           /* (64 bytes a slot) */
    } ring[RL_LU_RING];            /* event seq s at ring[s % RL_LU_RING].ev */
    bool has_trace;                /* trace saved (at the first stale store) */
    rl_lu_trace trace;
} rl_lostupdate;

/* API */
void rl_lostupdate_init(rl_lostupdate *lu, int64_t initial);
/* Releases the per-thread records (pending loads are forgotten); counters, trace and recent
 * events stay readable. Init again before recording more. */
void rl_lostupdate_free(rl_lostupdate *lu, const rl_allocator *a);

/* `pc` in each: the program counter of the access, kept in its event (0 when unknown). */
/* `tid` read `value`. False when the load could not be recorded (out of memory; see above). */
bool rl_lostupdate_on_load(rl_lostupdate *lu, uint32_t tid, int64_t value, uintptr_t pc, const rl_allocator *a);
/* `tid` wrote `value`. Returns whether the store was stale; `out` (may be NULL) gets the details. */
bool rl_lostupdate_on_store(rl_lostupdate *lu, uint32_t tid, int64_t value, uintptr_t pc, rl_lu_store_result *out);
/* `tid` atomically added `delta` to a variable that held `value_before`. */
void rl_lostupdate_on_add(rl_lostupdate *lu, uint32_t tid, int64_t delta, int64_t value_before, uintptr_t pc);

rl_lu_stats rl_lostupdate_stats(const rl_lostupdate *lu);
const rl_lu_trace *rl_lostupdate_trace(const rl_lostupdate *lu); /* NULL before the first stale store */
/* Copies the last min(max, RL_LU_RING, events) events into out, oldest first; returns how many. */
size_t rl_lostupdate_recent(const rl_lostupdate *lu, rl_lu_event *out, size_t max);
const char *rl_lu_op_name(rl_lu_op op); /* "load", "store", "add", "outside" */

/* Tests only: the invariants above, plus the ring, the trace's shape and the per-thread records. */
bool rl_lostupdate_check(const rl_lostupdate *lu);

#endif
