/* cycle_check.h: decide whether a cycle in the lock-order graph could really deadlock.
 *
 * A cycle L0 -> L1 -> ... -> Ln-1 -> L0 has, for each edge Li -> Li+1, one or more witnesses: an
 * observed acquisition of Li+1 by some thread while it held Li. The cycle is a potential deadlock
 * when one witness per edge can be chosen such that
 *   1. the witnesses' threads are pairwise distinct (one thread cannot wait for itself this way);
 *   2. their gate sets are pairwise disjoint (the locks each held exclusively at the time: two
 *      threads cannot hold the same lock exclusively at once, so a shared "gate" lock keeps them
 *      apart);
 *   3. no witness is a trylock (a trylock never blocks; the runtime marks timed locks as trylocks);
 *   4. every link blocks: witness i waits for L(i+1) in want_mode while witness i+1 holds it in
 *      hold_mode; that waits only if at least one of the two modes is exclusive (read-read never
 *      blocks).
 * The search is a bounded backtracking over witness choices.
 *
 * When no choice satisfies all four, the verdict says which rule rules the cycle out: the first of
 * (distinct threads, gate, trylock, read-only) whose relaxation alone makes a choice possible, or
 * RL_CYCLE_MULTIPLE when no single relaxation does.
 *
 * Threading: none (pure function). Memory: none beyond the caller's buffers and the C stack.
 */
#ifndef RACELAB_CYCLE_CHECK_H
#define RACELAB_CYCLE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RL_MODE_READ = 0, RL_MODE_WRITE = 1 };

typedef struct rl_witness {
    uint32_t thread;       /* thread that made the acquisition */
    uint8_t hold_mode;     /* mode in which it held the edge's source lock */
    uint8_t want_mode;     /* mode in which it acquired the edge's target lock */
    bool trylock;          /* the target was acquired with a trylock */
    const uint32_t *gates; /* lock ids held exclusively at that moment, sorted ascending */
    size_t n_gates;
} rl_witness;

typedef struct rl_cycle_edge {
    const rl_witness *witnesses;
    size_t n_witnesses;
} rl_cycle_edge;

typedef enum rl_cycle_verdict {
    RL_CYCLE_DEADLOCK = 0,   /* a valid choice exists: report potential-deadlock */
    RL_CYCLE_SINGLE_THREAD,  /* not enough distinct threads (e.g. one thread took every order) */
    RL_CYCLE_GATE_LOCK,      /* every otherwise valid choice shares a gate lock */
    RL_CYCLE_TRYLOCK,        /* only trylock acquisitions close it */
    RL_CYCLE_READ_ONLY,      /* some link is a read waiting on a read hold */
    RL_CYCLE_MULTIPLE,       /* ruled out, but by more than one rule at once */
    RL_CYCLE_SEARCH_LIMIT,   /* gave up after max_steps; treated as not reported, with a note */
} rl_cycle_verdict;

typedef struct rl_cycle_check_result {
    rl_cycle_verdict verdict;
    /* For RL_CYCLE_DEADLOCK: chosen[i] is the witness index used for edge i.
     * For a suppressed verdict: the choice that the single relaxation allowed (or all zero). */
    size_t *chosen;        /* caller-provided, n_edges entries */
    uint32_t gate;         /* RL_CYCLE_GATE_LOCK: a lock shared by two chosen witnesses' gate sets */
    bool gate_found;
} rl_cycle_check_result;

/* Checks the cycle whose edges are edges[0..n_edges). result->chosen must point at n_edges slots.
 * max_steps bounds the backtracking (0 = default of 1,000,000): one step is one witness tried, and
 * the strict search and the relaxed ones share the budget. Witnesses are tried in the order given.
 * Special cases: n_edges == 1 (a self-loop: a double lock, reported elsewhere) is always
 * RL_CYCLE_SINGLE_THREAD with chosen[0] = 0; n_edges == 0, or an edge without witnesses, is
 * RL_CYCLE_MULTIPLE with chosen all zero. gate/gate_found are set only for RL_CYCLE_GATE_LOCK
 * (gate = the lowest lock id shared by the first pair of chosen witnesses that share one). */
void rl_cycle_check(const rl_cycle_edge *edges, size_t n_edges, size_t max_steps,
                    rl_cycle_check_result *result);

/* Stable lower-case names for reports: "potential-deadlock", "single-thread", "gate-lock",
 * "trylock", "read-only", "multiple", "search-limit". */
const char *rl_cycle_verdict_name(rl_cycle_verdict v);

#endif
