/* waitsfor.h: finds a cycle in a waits-for graph (thread -> thread it waits for: the holder of the
 * lock it is blocked on, or the thread it joins). A cycle of blocked threads is a deadlock.
 * Used by the runtime's watchdog on a snapshot; plain data, testable without threads.
 * Threading: none. Memory: the given allocator, temporary. */
#ifndef RACELAB_WAITSFOR_H
#define RACELAB_WAITSFOR_H

#include <stddef.h>
#include <stdint.h>

#include "cycle_enum.h"
#include "rl_alloc.h"

/* Nodes are 0..n_nodes-1; edges from -> to mean "from waits for to". Writes one cycle into out
 * (out[0] waits for out[1], ..., out[len-1] waits for out[0]; at most n_nodes entries) and returns
 * its length, or 0 when there is none (or memory ran out). A self-loop is a cycle of length 1. */
size_t rl_waitsfor_find_cycle(const rl_allocator *alloc, size_t n_nodes, const rl_edge_pair *edges,
                              size_t n_edges, uint32_t *out);

#endif
