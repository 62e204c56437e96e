/* cycle_enum.h: enumerate the elementary cycles of a directed graph (Johnson, "Finding all the
 * elementary circuits of a directed graph", SIAM J. Comput. 1975), bounded.
 *
 * Used on the complete edge set at report time, where the lock graph's acyclic core (lockgraph.h)
 * has dropped the edges that closed cycles. Each elementary cycle is reported exactly once, rotated
 * so that its smallest node id comes first. Self-loops (x -> x) are cycles of length 1.
 *
 * Threading: none (pure function). Memory: the given allocator; temporary only.
 */
#ifndef RACELAB_CYCLE_ENUM_H
#define RACELAB_CYCLE_ENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rl_alloc.h"

typedef struct rl_edge_pair {
    uint32_t from, to;
} rl_edge_pair;

/* Called once per cycle: nodes[0] -> nodes[1] -> ... -> nodes[len-1] -> nodes[0].
 * Return false to stop the enumeration early. */
typedef bool (*rl_cycle_fn)(void *ctx, const uint32_t *nodes, size_t len);

typedef struct rl_cycle_enum_result {
    size_t cycles;   /* cycles passed to the callback */
    bool truncated;  /* more cycles exist than max_cycles (or the callback stopped, or no memory) */
    bool nomem;      /* ran out of memory */
    bool length_cut; /* (bounded form) a path was not extended past max_len: longer cycles may exist */
} rl_cycle_enum_result;

/* Nodes are ids < n_nodes (edges naming other ids are ignored). Duplicate edges are allowed and
 * ignored. max_cycles == 0 means no bound. The order in which cycles arrive is unspecified.
 * Cost: O((nodes + edges) * (cycles + 1)) time, O(nodes + edges) memory; with max_cycles set,
 * finding exactly max_cycles cycles sets truncated only if a further cycle exists. */
rl_cycle_enum_result rl_cycles_enumerate(const rl_allocator *alloc, size_t n_nodes,
                                         const rl_edge_pair *edges, size_t n_edges,
                                         size_t max_cycles, rl_cycle_fn fn, void *ctx);

/* The same, reporting only cycles of at most max_len nodes (0: no bound). A path is not extended past
 * max_len nodes; the search then treats it as if it had closed a cycle (so nothing is blocked because
 * of the bound, and no cycle within the bound is missed) and sets length_cut. Without the bound's
 * pruning, Johnson's guarantee no longer holds, but the search visits only paths of at most max_len
 * nodes: on a dense graph (10^3 locks all taken in one order) with a small bound it stays cheap where
 * the unbounded search would list exponentially many long cycles first. */
rl_cycle_enum_result rl_cycles_enumerate_bounded(const rl_allocator *alloc, size_t n_nodes,
                                                 const rl_edge_pair *edges, size_t n_edges,
                                                 size_t max_cycles, size_t max_len, rl_cycle_fn fn,
                                                 void *ctx);

#endif
