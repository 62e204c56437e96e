/* lockgraph.h: the lock-order graph's acyclic core, kept in a dynamic topological order
 * (Pearce & Kelly, "A dynamic topological sort algorithm for directed acyclic graphs", JEA 2006;
 * the same scheme as absl's graphcycles).
 *
 * Nodes are dense uint32_t ids chosen by the caller (lock ids: 0, 1, 2, ...); the graph grows to fit.
 * Invariant: for every edge x -> y, rank[x] < rank[y]. rl_lockgraph_check() verifies it (tests only).
 *
 * Cost: inserting an edge that respects the current order is O(1) amortised; otherwise the work is
 * proportional to the nodes whose rank lies between the two endpoints and that are reachable (the
 * "affected region"), not to the whole graph. Works well on sparse graphs.
 *
 * Threading: no internal locking; calls must be serialised by the caller.
 * Memory: all through the rl_allocator given at creation. On allocation failure an insert returns
 * RL_LOCKGRAPH_NOMEM and leaves the graph unchanged.
 */
#ifndef RACELAB_LOCKGRAPH_H
#define RACELAB_LOCKGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rl_alloc.h"

typedef struct rl_lockgraph rl_lockgraph;

typedef enum rl_lockgraph_result {
    RL_LOCKGRAPH_INSERTED = 0, /* new edge added */
    RL_LOCKGRAPH_EXISTS,       /* edge was already there; nothing changed */
    RL_LOCKGRAPH_CYCLE,        /* edge would close a cycle: NOT inserted; the path is available */
    RL_LOCKGRAPH_NOMEM,        /* out of memory: nothing changed */
} rl_lockgraph_result;

rl_lockgraph *rl_lockgraph_new(const rl_allocator *alloc);
void rl_lockgraph_free(rl_lockgraph *g);

/* Insert from -> to. A self-edge (from == to) is a cycle of length 1: the path is [to].
 * On RL_LOCKGRAPH_CYCLE the graph is unchanged and rl_lockgraph_cycle_path() returns the existing
 * path to -> ... -> from (first element `to`, last element `from`), so that the rejected edge plus
 * that path form the cycle. The path is a shortest one and visits no node twice.
 * Checked in this order: self-edge (CYCLE), existing edge (EXISTS), then the insert proper. */
rl_lockgraph_result rl_lockgraph_insert_edge(rl_lockgraph *g, uint32_t from, uint32_t to);

/* The path recorded by the last insert that returned RL_LOCKGRAPH_CYCLE. Valid until the next call
 * that modifies the graph. NULL with *len = 0 when no insert has returned RL_LOCKGRAPH_CYCLE yet. */
const uint32_t *rl_lockgraph_cycle_path(const rl_lockgraph *g, size_t *len);

bool rl_lockgraph_has_edge(const rl_lockgraph *g, uint32_t from, uint32_t to);
size_t rl_lockgraph_node_count(const rl_lockgraph *g); /* 1 + highest id in an inserted edge */
size_t rl_lockgraph_edge_count(const rl_lockgraph *g);
size_t rl_lockgraph_memory_bytes(const rl_lockgraph *g); /* bytes currently allocated */

/* Tests only: true when every edge respects the rank order, ranks are a permutation, and the
 * out-lists, in-lists and edge set agree. Allocates a temporary array (false if that fails). */
bool rl_lockgraph_check(const rl_lockgraph *g);

#endif
