/* rl_alloc.h: the allocator interface every detector structure takes.
 *
 * The detector is shared by the CLI (which uses libc malloc) and by the preloaded runtime (which must
 * not call malloc while holding its internal lock, so it passes an mmap-backed pool). Structures take
 * a `const rl_allocator *` at creation and use nothing else to get memory.
 *
 * Contract: alloc returns zeroed memory or NULL on exhaustion; free receives the size that was
 * allocated. Callers handle NULL by degrading (and saying so), never by aborting.
 */
#ifndef RACELAB_RL_ALLOC_H
#define RACELAB_RL_ALLOC_H

#include <stddef.h>

typedef struct rl_allocator {
    void *(*alloc)(void *ctx, size_t size);         /* zeroed memory, or NULL */
    void (*free)(void *ctx, void *ptr, size_t size); /* ptr may be NULL */
    void *ctx;
} rl_allocator;

/* The libc allocator (calloc/free), for the CLI and the tests. */
extern const rl_allocator rl_libc_allocator;

/* Grow an array to hold at least `need` elements of `elem` bytes. *cap is updated. Returns the
 * (possibly moved) array, or NULL when memory ran out (the old array is then still valid). */
void *rl_array_grow(const rl_allocator *a, void *array, size_t elem, size_t *cap, size_t need);

#endif
