/* pool.c: the runtime's memory. Everything the runtime keeps comes from mmap, never from the
 * program's malloc (which may be inside a lock of its own when a wrapper runs).
 * rt_pool_alloc: power-of-two size classes with free lists, carved from 1 MiB chunks; callers hold
 * rt.lock. Blocks above 256 KiB are mapped and unmapped directly. rt_pages_*: lock-free mmap. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "rt.h"

#define POOL_CHUNK (1u << 20)
#define POOL_MAX_CLASS 18 /* 256 KiB */
#define POOL_MIN_CLASS 4  /* 16 bytes */

typedef struct free_block { struct free_block *next; } free_block;

/* Per-process pool state; guarded by rt.lock. */
static struct {
    char *chunk;
    size_t used;
    free_block *free_lists[POOL_MAX_CLASS + 1];
} pool;

void *rt_pages_alloc(size_t size)
{
    int saved_errno = errno;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    errno = saved_errno;
    return p == MAP_FAILED ? NULL : p;
}

void rt_pages_free(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

static unsigned size_class(size_t size)
{
    unsigned c = POOL_MIN_CLASS;
    while (((size_t)1 << c) < size)
        c++;
    return c;
}

void *rt_pool_alloc(size_t size)
{
    if (size == 0)
        size = 1;
    unsigned c = size_class(size);
    if (c > POOL_MAX_CLASS)
        return rt_pages_alloc(size);
    size_t bytes = (size_t)1 << c;
    free_block *b = pool.free_lists[c];
    if (b) {
        pool.free_lists[c] = b->next;
        memset(b, 0, bytes);
        return b;
    }
    /* blocks start on their own size, up to a cache line: a lock's record is one or two whole lines,
     * never shares one with its neighbour (the fast path writes its owner field) */
    size_t align = bytes < 64 ? bytes : 64;
    pool.used = (pool.used + align - 1) & ~(align - 1);
    if (!pool.chunk || pool.used + bytes > POOL_CHUNK) {
        char *fresh = rt_pages_alloc(POOL_CHUNK);
        if (!fresh)
            return NULL;
        pool.chunk = fresh; /* the rest of the old chunk is abandoned (at most one block's worth) */
        pool.used = 0;
    }
    void *p = pool.chunk + pool.used;
    pool.used += bytes;
    return p; /* fresh mmap memory is already zero */
}

void rt_pool_free(void *p, size_t size)
{
    if (!p)
        return;
    if (size == 0)
        size = 1;
    unsigned c = size_class(size);
    if (c > POOL_MAX_CLASS) {
        rt_pages_free(p, size);
        return;
    }
    free_block *b = p;
    b->next = pool.free_lists[c];
    pool.free_lists[c] = b;
}

static void *pool_alloc_cb(void *ctx, size_t size) { (void)ctx; return rt_pool_alloc(size); }
static void pool_free_cb(void *ctx, void *p, size_t size) { (void)ctx; rt_pool_free(p, size); }

const rl_allocator rt_pool_allocator = { pool_alloc_cb, pool_free_cb, NULL };
