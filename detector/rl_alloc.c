/* rl_alloc.c: the libc allocator and the one array-growing helper all detector structures use. */
#include "rl_alloc.h"

#include <stdlib.h>
#include <string.h>

static void *libc_alloc(void *ctx, size_t size) { (void)ctx; return calloc(1, size ? size : 1); }
static void libc_free(void *ctx, void *ptr, size_t size) { (void)ctx; (void)size; free(ptr); }

const rl_allocator rl_libc_allocator = { libc_alloc, libc_free, NULL };

void *rl_array_grow(const rl_allocator *a, void *array, size_t elem, size_t *cap, size_t need)
{
    if (need <= *cap)
        return array;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    void *fresh = a->alloc(a->ctx, ncap * elem);
    if (!fresh)
        return NULL;
    if (array) {
        memcpy(fresh, array, *cap * elem);
        a->free(a->ctx, array, *cap * elem);
    }
    *cap = ncap;
    return fresh;
}
