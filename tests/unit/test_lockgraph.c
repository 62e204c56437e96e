/* test_lockgraph.c: the lock graph (detector/lockgraph.h), three ways:
 *   - a seeded random run against a naive model (adjacency matrix + DFS reachability), checking
 *     every result, every cycle path and rl_lockgraph_check() after every step;
 *   - the same run with an allocator that fails at random, checking that NOMEM changes nothing;
 *   - named scenarios (no cycle, simple and indirect cycles with exact paths, dining philosophers,
 *     self edge, an allocator that fails after N allocations).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockgraph.h"

/* ---- a test allocator: counts bytes, fails on demand ------------------------------------------- */

typedef struct test_alloc {
    size_t outstanding;  /* bytes allocated and not yet freed */
    long allocs_left;    /* fail once this reaches 0; negative = never */
    uint64_t rng;        /* random failures: nonzero seed enables them */
    unsigned fail_one_in;
    bool paused;         /* no failures while set (for rl_lockgraph_check) */
} test_alloc;

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void *ta_alloc(void *ctx, size_t size)
{
    test_alloc *t = ctx;
    if (!t->paused) {
        if (t->allocs_left == 0)
            return NULL;
        if (t->allocs_left > 0)
            t->allocs_left--;
        if (t->fail_one_in && rng_next(&t->rng) % t->fail_one_in == 0)
            return NULL;
    }
    void *p = calloc(1, size ? size : 1);
    if (p)
        t->outstanding += size;
    return p;
}

static void ta_free(void *ctx, void *ptr, size_t size)
{
    test_alloc *t = ctx;
    if (ptr)
        t->outstanding -= size;
    free(ptr);
}

static rl_allocator ta_make(test_alloc *t)
{
    return (rl_allocator){ ta_alloc, ta_free, t };
}

static bool checked(rl_lockgraph *g, test_alloc *t)
{
    bool was = t->paused;
    t->paused = true;
    bool ok = rl_lockgraph_check(g);
    t->paused = was;
    return ok;
}

/* ---- the model ---------------------------------------------------------------------------------- */

#define MODEL_MAX 256

typedef struct model {
    size_t n;                           /* node ids in use: [0, n) */
    bool adj[MODEL_MAX][MODEL_MAX];
    size_t edges;
    size_t node_count;                  /* 1 + highest id in an inserted edge */
} model;

/* Length (in edges) of a shortest path a ->* b, or -1. */
static int model_distance(const model *m, uint32_t a, uint32_t b)
{
    int dist[MODEL_MAX];
    uint32_t queue[MODEL_MAX];
    for (size_t i = 0; i < m->n; i++)
        dist[i] = -1;
    size_t head = 0, tail = 0;
    dist[a] = 0;
    queue[tail++] = a;
    while (head < tail) {
        uint32_t v = queue[head++];
        if (v == b)
            return dist[v];
        for (uint32_t w = 0; w < m->n; w++)
            if (m->adj[v][w] && dist[w] < 0) {
                dist[w] = dist[v] + 1;
                queue[tail++] = w;
            }
    }
    return -1;
}

/* The path must be to -> ... -> from along model edges, without repeats, and a shortest one. */
static void expect_cycle_path(const model *m, const rl_lockgraph *g, uint32_t from, uint32_t to)
{
    size_t len = 0;
    const uint32_t *path = rl_lockgraph_cycle_path(g, &len);
    cr_assert(ne(ptr, (void *)path, NULL));
    cr_assert(ge(sz, len, 1));
    cr_assert(eq(u32, path[0], to));
    cr_assert(eq(u32, path[len - 1], from));
    if (from == to) {
        cr_assert(eq(sz, len, 1));
        return;
    }
    for (size_t i = 0; i + 1 < len; i++)
        cr_assert(m->adj[path[i]][path[i + 1]], "path step %u -> %u is not an edge", path[i], path[i + 1]);
    for (size_t i = 0; i < len; i++)
        for (size_t j = i + 1; j < len; j++)
            cr_assert(ne(u32, path[i], path[j]));
    cr_assert(eq(int, (int)len - 1, model_distance(m, to, from)));
}

/* One insert on both; checks the graph's answer against the model's. With a failing allocator
 * NOMEM is accepted and must leave everything as it was. Returns the graph's result. */
static rl_lockgraph_result step(model *m, rl_lockgraph *g, test_alloc *t, uint32_t from, uint32_t to)
{
    rl_lockgraph_result r = rl_lockgraph_insert_edge(g, from, to);
    rl_lockgraph_result want = from == to                          ? RL_LOCKGRAPH_CYCLE
                               : m->adj[from][to]                    ? RL_LOCKGRAPH_EXISTS
                               : model_distance(m, to, from) >= 0    ? RL_LOCKGRAPH_CYCLE
                                                                      : RL_LOCKGRAPH_INSERTED;

    if (r == RL_LOCKGRAPH_NOMEM) {
        cr_assert(t->fail_one_in || t->allocs_left >= 0, "NOMEM without a failing allocator");
        cr_assert(ne(int, (int)want, (int)RL_LOCKGRAPH_EXISTS));
        cr_assert(not(rl_lockgraph_has_edge(g, from, to)));
    } else {
        cr_assert(eq(int, (int)r, (int)want), "insert %u -> %u: got %d, model says %d", from, to, (int)r,
                  (int)want);
    }
    if (r == RL_LOCKGRAPH_CYCLE)
        expect_cycle_path(m, g, from, to);
    if (r == RL_LOCKGRAPH_INSERTED) {
        m->adj[from][to] = true;
        m->edges++;
        size_t high = (from > to ? from : to) + 1u;
        if (high > m->node_count)
            m->node_count = high;
    }
    cr_assert(eq(sz, rl_lockgraph_edge_count(g), m->edges));
    cr_assert(eq(sz, rl_lockgraph_node_count(g), m->node_count));
    cr_assert(checked(g, t));
    cr_assert(eq(sz, rl_lockgraph_memory_bytes(g), t->outstanding));
    return r;
}

static void random_run(uint64_t seed, size_t nodes, size_t steps, unsigned fail_one_in)
{
    static model m;
    memset(&m, 0, sizeof m);
    m.n = nodes;
    test_alloc t = { .allocs_left = -1, .rng = seed, .fail_one_in = fail_one_in };
    rl_allocator a = ta_make(&t);
    rl_lockgraph *g;
    do /* creation itself may fail at random */
        g = rl_lockgraph_new(&a);
    while (!g);
    uint64_t rng = seed;
    size_t counts[4] = { 0 };
    for (size_t i = 0; i < steps; i++) {
        uint32_t from = (uint32_t)(rng_next(&rng) % nodes), to = (uint32_t)(rng_next(&rng) % nodes);
        counts[step(&m, g, &t, from, to)]++;
    }
    /* the run must have exercised every outcome */
    cr_assert(gt(sz, counts[RL_LOCKGRAPH_INSERTED], 10));
    cr_assert(gt(sz, counts[RL_LOCKGRAPH_EXISTS], 10));
    cr_assert(gt(sz, counts[RL_LOCKGRAPH_CYCLE], 10));
    if (fail_one_in)
        cr_assert(gt(sz, counts[RL_LOCKGRAPH_NOMEM], 0));
    for (uint32_t x = 0; x < nodes; x++)
        for (uint32_t y = 0; y < nodes; y++)
            cr_assert(eq(int, rl_lockgraph_has_edge(g, x, y), m.adj[x][y]));
    rl_lockgraph_free(g);
    cr_assert(eq(sz, t.outstanding, 0));
}

Test(lockgraph_model, random_small_dense) { random_run(1, 12, 3000, 0); }
Test(lockgraph_model, random_medium) { random_run(2, 64, 5000, 0); }
Test(lockgraph_model, random_large_sparse) { random_run(3, 256, 6000, 0); }

/* Mostly forward edges plus occasional backward ones: deep reorders, long cycle paths. */
Test(lockgraph_model, random_reorders)
{
    static model m;
    memset(&m, 0, sizeof m);
    m.n = 200;
    test_alloc t = { .allocs_left = -1 };
    rl_allocator a = ta_make(&t);
    rl_lockgraph *g = rl_lockgraph_new(&a);
    uint64_t rng = 4;
    size_t cycles = 0;
    for (size_t i = 0; i < 4000; i++) {
        uint32_t x = (uint32_t)(rng_next(&rng) % 200), y = (uint32_t)(rng_next(&rng) % 200);
        bool backward = rng_next(&rng) % 4 == 0; /* against the id order: forces reordering */
        uint32_t lo = x < y ? x : y, hi = x < y ? y : x;
        cycles += step(&m, g, &t, backward ? hi : lo, backward ? lo : hi) == RL_LOCKGRAPH_CYCLE;
    }
    cr_assert(gt(sz, cycles, 10));
    rl_lockgraph_free(g);
    cr_assert(eq(sz, t.outstanding, 0));
}

Test(lockgraph_model, random_allocation_failures)
{
    random_run(5, 40, 4000, 7);
    random_run(6, 150, 4000, 5);
}

/* ---- named scenarios ------------------------------------------------------------------------------ */

static void expect_path(const rl_lockgraph *g, const uint32_t *want, size_t want_len)
{
    size_t len = 0;
    const uint32_t *path = rl_lockgraph_cycle_path(g, &len);
    cr_assert(eq(sz, len, want_len));
    for (size_t i = 0; i < len; i++)
        cr_assert(eq(u32, path[i], want[i]), "path[%zu]", i);
}

Test(lockgraph, no_cycle)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1, 2), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 2, 3), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1, 3), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1, 3), RL_LOCKGRAPH_EXISTS));
    cr_assert(eq(sz, rl_lockgraph_edge_count(g), 3));
    cr_assert(eq(sz, rl_lockgraph_node_count(g), 4));
    cr_assert(rl_lockgraph_has_edge(g, 1, 3));
    cr_assert(not(rl_lockgraph_has_edge(g, 3, 1)));
    cr_assert(not(rl_lockgraph_has_edge(g, 1, 1)));
    cr_assert(not(rl_lockgraph_has_edge(g, 100, 200)));
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
}

Test(lockgraph, empty)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    size_t len = 99;
    cr_assert(eq(ptr, (void *)rl_lockgraph_cycle_path(g, &len), NULL));
    cr_assert(eq(sz, len, 0));
    cr_assert(eq(sz, rl_lockgraph_node_count(g), 0));
    cr_assert(eq(sz, rl_lockgraph_edge_count(g), 0));
    cr_assert(gt(sz, rl_lockgraph_memory_bytes(g), 0));
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
    rl_lockgraph_free(NULL);
}

Test(lockgraph, simple_cycle)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1, 2), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 2, 1), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 1, 2 }, 2);
    cr_assert(not(rl_lockgraph_has_edge(g, 2, 1)));
    cr_assert(eq(sz, rl_lockgraph_edge_count(g), 1));
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
}

Test(lockgraph, indirect_cycle)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1, 2), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 2, 3), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 3, 1), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 1, 2, 3 }, 3);
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
}

/* Edges against the id order make every insert reorder; the cycle is then closed forwards. */
Test(lockgraph, indirect_cycle_after_reorders)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    for (uint32_t i = 5; i > 1; i--) {
        cr_assert(eq(int, rl_lockgraph_insert_edge(g, i, i - 1), RL_LOCKGRAPH_INSERTED));
        cr_assert(rl_lockgraph_check(g));
    }
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1, 5), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 5, 4, 3, 2, 1 }, 5);
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 0, 5), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1, 0), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 0, 5, 4, 3, 2, 1 }, 6);
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
}

/* Two routes from 10 to 14: the path reported is the shorter one. */
Test(lockgraph, shortest_path)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    uint32_t edges[][2] = { { 10, 11 }, { 11, 12 }, { 12, 13 }, { 13, 14 }, { 10, 20 }, { 20, 14 } };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        cr_assert(eq(int, rl_lockgraph_insert_edge(g, edges[i][0], edges[i][1]), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 14, 10), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 10, 20, 14 }, 3);
    rl_lockgraph_free(g);
}

/* Five philosophers, fork i then fork i+1: the last one closes the ring. */
Test(lockgraph, dining_philosophers)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    for (uint32_t i = 0; i < 4; i++)
        cr_assert(eq(int, rl_lockgraph_insert_edge(g, i, i + 1), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 4, 0), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 0, 1, 2, 3, 4 }, 5);
    cr_assert(eq(sz, rl_lockgraph_edge_count(g), 4));
    /* the usual fix, philosopher 4 takes fork 0 first: 0 -> 4 is fine */
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 0, 4), RL_LOCKGRAPH_INSERTED));
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
}

Test(lockgraph, self_edge)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 7, 7), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 7 }, 1);
    cr_assert(eq(sz, rl_lockgraph_edge_count(g), 0));
    cr_assert(eq(sz, rl_lockgraph_node_count(g), 0)); /* unchanged */
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 7, 8), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 8, 8), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 8 }, 1);
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
}

/* A node with thousands of out-edges, and ids far apart. */
Test(lockgraph, wide_node_and_sparse_ids)
{
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    for (uint32_t i = 1; i <= 5000; i++)
        cr_assert(eq(int, rl_lockgraph_insert_edge(g, 0, i * 7), RL_LOCKGRAPH_INSERTED));
    for (uint32_t i = 1; i <= 5000; i++)
        cr_assert(eq(int, rl_lockgraph_insert_edge(g, 0, i * 7), RL_LOCKGRAPH_EXISTS));
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 35000, 0), RL_LOCKGRAPH_CYCLE));
    expect_path(g, (uint32_t[]){ 0, 35000 }, 2);
    cr_assert(eq(int, rl_lockgraph_insert_edge(g, 1000000, 0), RL_LOCKGRAPH_INSERTED));
    cr_assert(eq(sz, rl_lockgraph_node_count(g), 1000001));
    cr_assert(eq(sz, rl_lockgraph_edge_count(g), 5001));
    cr_assert(rl_lockgraph_check(g));
    rl_lockgraph_free(g);
}

/* Allocator that fails after N allocations, for every N up to when nothing fails any more: every
 * insert either succeeds as the model says or returns NOMEM with the graph as it was; creation
 * fails cleanly; once memory is back, the rest of the script goes through; nothing leaks. */
Test(lockgraph, fails_after_n_allocations)
{
    static const uint32_t script[][2] = {
        { 1, 2 }, { 2, 3 }, { 9, 4 }, { 4, 1 }, { 3, 9 }, { 5, 0 }, { 0, 2 }, { 6, 5 }, { 3, 6 },
        { 7, 8 }, { 8, 6 }, { 40, 1 }, { 3, 40 }, { 2, 40 }, { 12, 11 }, { 11, 10 }, { 10, 9 },
    };
    const size_t n_script = sizeof script / sizeof script[0];
    static model m;
    bool completed = false;
    for (long n = 0; n < 200 && !completed; n++) {
        memset(&m, 0, sizeof m);
        m.n = 64;
        test_alloc t = { .allocs_left = n };
        rl_allocator a = ta_make(&t);
        rl_lockgraph *g = rl_lockgraph_new(&a);
        if (!g) {
            cr_assert(eq(sz, t.outstanding, 0));
            continue;
        }
        size_t nomem = 0;
        for (size_t i = 0; i < n_script; i++) {
            if (step(&m, g, &t, script[i][0], script[i][1]) == RL_LOCKGRAPH_NOMEM) {
                nomem++;
                t.allocs_left = -1; /* memory is back: the retry must succeed as the model says */
                cr_assert(ne(int, step(&m, g, &t, script[i][0], script[i][1]), RL_LOCKGRAPH_NOMEM));
                t.allocs_left = 0;  /* and fail again for the next one */
            }
        }
        completed = nomem == 0;
        rl_lockgraph_free(g);
        cr_assert(eq(sz, t.outstanding, 0));
    }
    cr_assert(completed, "the script never ran without an allocation failure");
}
