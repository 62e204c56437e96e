/* test_cycle_enum.c: elementary cycle enumeration (detector/cycle_enum.h):
 *   - seeded random graphs (with duplicate edges and self-loops) against a brute-force enumerator;
 *   - known graphs with exact cycle sets (complete digraphs K3 and K4, self-loops, duplicates);
 *   - bounds: max_cycles, a callback that stops, an allocator that fails;
 *   - size: a 10^5-node chain closed into one cycle (no deep recursion allowed).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_enum.h"

/* ---- collecting cycles as canonical strings ------------------------------------------------------ */

typedef struct cycle_set {
    char **items;
    size_t count, cap;
    size_t stop_after;        /* callback returns false after this many (0 = never) */
    const bool *adj;          /* when set: n x n matrix every cycle edge must be in */
    size_t n;
} cycle_set;

static void set_add(cycle_set *s, const uint32_t *nodes, size_t len)
{
    size_t bytes = len * 11 + 1;
    char *str = malloc(bytes);
    cr_assert(ne(ptr, str, NULL));
    size_t at = 0;
    for (size_t i = 0; i < len; i++)
        at += (size_t)snprintf(str + at, bytes - at, i ? ",%u" : "%u", nodes[i]);
    if (s->count == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        cr_assert(ne(ptr, s->items, NULL));
    }
    s->items[s->count++] = str;
}

/* The callback: checks the shape of every cycle, then records it. */
static bool collect(void *ctx, const uint32_t *nodes, size_t len)
{
    cycle_set *s = ctx;
    cr_assert(ge(sz, len, 1));
    for (size_t i = 1; i < len; i++)
        cr_assert(lt(u32, nodes[0], nodes[i]), "cycle not rotated to its smallest id");
    for (size_t i = 0; i < len; i++)
        for (size_t j = i + 1; j < len; j++)
            cr_assert(ne(u32, nodes[i], nodes[j]), "cycle repeats a node");
    if (s->adj)
        for (size_t i = 0; i < len; i++)
            cr_assert(s->adj[nodes[i] * s->n + nodes[(i + 1) % len]], "cycle uses a missing edge");
    set_add(s, nodes, len);
    return !(s->stop_after && s->count >= s->stop_after);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_sort(cycle_set *s)
{
    if (s->count)
        qsort(s->items, s->count, sizeof *s->items, cmp_str);
}

static void set_free(cycle_set *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* Exactly these cycles, each once. */
static void expect_cycles(cycle_set *got, const char *const *want, size_t n_want)
{
    set_sort(got);
    char **sorted = malloc((n_want ? n_want : 1) * sizeof *sorted);
    for (size_t i = 0; i < n_want; i++)
        sorted[i] = (char *)want[i];
    if (n_want)
        qsort(sorted, n_want, sizeof *sorted, cmp_str);
    cr_assert(eq(sz, got->count, n_want));
    for (size_t i = 0; i < n_want; i++)
        cr_assert(eq(str, got->items[i], sorted[i]));
    free(sorted);
}

static rl_cycle_enum_result run(size_t n, const rl_edge_pair *e, size_t m, size_t max, cycle_set *out)
{
    return rl_cycles_enumerate(&rl_libc_allocator, n, e, m, max, collect, out);
}

/* ---- brute force: extend simple paths from s over nodes > s --------------------------------------- */

#define BF_MAX 9

static void bf_extend(const bool adj[BF_MAX][BF_MAX], size_t n, uint32_t *path, size_t len, bool *on,
                      cycle_set *out)
{
    uint32_t v = path[len - 1];
    for (uint32_t w = 0; w < n; w++) {
        if (!adj[v][w])
            continue;
        if (w == path[0])
            set_add(out, path, len);
        else if (w > path[0] && !on[w]) {
            on[w] = true;
            path[len] = w;
            bf_extend(adj, n, path, len + 1, on, out);
            on[w] = false;
        }
    }
}

static void brute_force(const bool adj[BF_MAX][BF_MAX], size_t n, cycle_set *out)
{
    uint32_t path[BF_MAX];
    bool on[BF_MAX] = { false };
    for (uint32_t s = 0; s < n; s++) {
        path[0] = s;
        on[s] = true;
        bf_extend(adj, n, path, 1, on, out);
        on[s] = false;
    }
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Test(cycle_enum_model, random_graphs_vs_brute_force)
{
    uint64_t rng = 42;
    size_t total = 0;
    for (int round = 0; round < 600; round++) {
        size_t n = 1 + rng_next(&rng) % BF_MAX;
        unsigned density = 5 + (unsigned)(rng_next(&rng) % 50); /* percent */
        bool adj[BF_MAX][BF_MAX] = { { false } };
        bool flat[BF_MAX * BF_MAX] = { false };
        rl_edge_pair edges[BF_MAX * BF_MAX * 2];
        size_t m = 0;
        for (uint32_t a = 0; a < n; a++)
            for (uint32_t b = 0; b < n; b++) {
                unsigned p = a == b ? density / 4 : density;
                if (rng_next(&rng) % 100 >= p)
                    continue;
                adj[a][b] = flat[a * n + b] = true;
                edges[m++] = (rl_edge_pair){ a, b };
                if (rng_next(&rng) % 5 == 0)
                    edges[m++] = (rl_edge_pair){ a, b }; /* a duplicate */
            }
        for (size_t i = m; i > 1; i--) { /* shuffle: input order must not matter */
            size_t j = rng_next(&rng) % i;
            rl_edge_pair t = edges[i - 1];
            edges[i - 1] = edges[j];
            edges[j] = t;
        }
        cycle_set want = { 0 }, got = { .adj = flat, .n = n };
        brute_force(adj, n, &want);
        set_sort(&want);
        rl_cycle_enum_result r = run(n, edges, m, 0, &got);
        cr_assert(not(r.truncated));
        cr_assert(not(r.nomem));
        cr_assert(eq(sz, r.cycles, want.count));
        expect_cycles(&got, (const char *const *)want.items, want.count);
        total += want.count;
        set_free(&want);
        set_free(&got);
    }
    cr_assert(gt(sz, total, 1000), "random graphs too sparse to mean anything");
}

/* ---- known graphs ------------------------------------------------------------------------------------ */

static size_t complete_digraph(size_t k, rl_edge_pair *edges)
{
    size_t m = 0;
    for (uint32_t a = 0; a < k; a++)
        for (uint32_t b = 0; b < k; b++)
            if (a != b)
                edges[m++] = (rl_edge_pair){ a, b };
    return m;
}

Test(cycle_enum, complete_digraph_k3)
{
    rl_edge_pair e[6];
    size_t m = complete_digraph(3, e);
    cycle_set got = { 0 };
    rl_cycle_enum_result r = run(3, e, m, 0, &got);
    cr_assert(eq(sz, r.cycles, 5));
    cr_assert(not(r.truncated));
    static const char *const want[] = { "0,1", "0,2", "1,2", "0,1,2", "0,2,1" };
    expect_cycles(&got, want, 5);
    set_free(&got);
}

Test(cycle_enum, complete_digraph_k4)
{
    rl_edge_pair e[12];
    size_t m = complete_digraph(4, e);
    cycle_set got = { 0 };
    rl_cycle_enum_result r = run(4, e, m, 0, &got);
    cr_assert(eq(sz, r.cycles, 20)); /* 6 two-cycles + 4 * 2 three-cycles + 6 four-cycles */
    static const char *const want[] = {
        "0,1", "0,2", "0,3", "1,2", "1,3", "2,3",
        "0,1,2", "0,2,1", "0,1,3", "0,3,1", "0,2,3", "0,3,2", "1,2,3", "1,3,2",
        "0,1,2,3", "0,1,3,2", "0,2,1,3", "0,2,3,1", "0,3,1,2", "0,3,2,1",
    };
    expect_cycles(&got, want, 20);
    set_free(&got);
}

Test(cycle_enum, self_loops_and_duplicates)
{
    rl_edge_pair e[] = { { 0, 0 }, { 0, 1 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 1, 1 }, { 2, 2 }, { 3, 4 } };
    cycle_set got = { 0 };
    rl_cycle_enum_result r = run(5, e, sizeof e / sizeof e[0], 0, &got);
    static const char *const want[] = { "0", "1", "2", "0,1" };
    expect_cycles(&got, want, 4);
    cr_assert(eq(sz, r.cycles, 4));
    set_free(&got);
}

Test(cycle_enum, acyclic_and_empty)
{
    rl_edge_pair e[] = { { 0, 1 }, { 1, 2 }, { 0, 2 }, { 3, 1 } };
    cycle_set got = { 0 };
    rl_cycle_enum_result r = run(4, e, 4, 0, &got);
    cr_assert(eq(sz, r.cycles, 0));
    cr_assert(eq(sz, got.count, 0));
    r = run(0, NULL, 0, 0, &got);
    cr_assert(eq(sz, r.cycles, 0));
    r = run(10, NULL, 0, 0, &got);
    cr_assert(eq(sz, r.cycles, 0));
    cr_assert(not(r.truncated));
}

Test(cycle_enum, out_of_range_edges_ignored)
{
    rl_edge_pair e[] = { { 0, 1 }, { 1, 0 }, { 1, 7 }, { 7, 0 }, { 9, 9 } };
    cycle_set got = { 0 };
    run(3, e, 5, 0, &got);
    static const char *const want[] = { "0,1" };
    expect_cycles(&got, want, 1);
    set_free(&got);
}

/* Two rings sharing node 0, plus a separate component: cycles in several components. */
Test(cycle_enum, several_components)
{
    rl_edge_pair e[] = { { 0, 1 }, { 1, 2 }, { 2, 0 }, { 0, 3 }, { 3, 0 },
                         { 10, 11 }, { 11, 12 }, { 12, 10 }, { 12, 11 } };
    cycle_set got = { 0 };
    run(13, e, sizeof e / sizeof e[0], 0, &got);
    static const char *const want[] = { "0,1,2", "0,3", "10,11,12", "11,12" };
    expect_cycles(&got, want, 4);
    set_free(&got);
}

/* ---- bounds ---------------------------------------------------------------------------------------- */

Test(cycle_enum, max_cycles_truncates)
{
    rl_edge_pair e[12];
    size_t m = complete_digraph(4, e);
    cycle_set got = { 0 };
    rl_cycle_enum_result r = run(4, e, m, 7, &got);
    cr_assert(eq(sz, r.cycles, 7));
    cr_assert(eq(sz, got.count, 7));
    cr_assert(r.truncated);
    set_free(&got);

    r = run(4, e, m, 20, &got); /* exactly all of them: not truncated */
    cr_assert(eq(sz, r.cycles, 20));
    cr_assert(not(r.truncated));
    set_free(&got);

    r = run(4, e, m, 19, &got);
    cr_assert(eq(sz, r.cycles, 19));
    cr_assert(r.truncated);
    set_free(&got);

    r = run(4, e, m, 1000, &got);
    cr_assert(eq(sz, r.cycles, 20));
    cr_assert(not(r.truncated));
    set_free(&got);
}

Test(cycle_enum, callback_stops)
{
    rl_edge_pair e[12];
    size_t m = complete_digraph(4, e);
    cycle_set got = { .stop_after = 3 };
    rl_cycle_enum_result r = run(4, e, m, 0, &got);
    cr_assert(eq(sz, r.cycles, 3));
    cr_assert(eq(sz, got.count, 3));
    cr_assert(r.truncated);
    cr_assert(not(r.nomem));
    set_free(&got);
}

/* Bounded work: a dense graph with astronomically many cycles stops promptly. */
Test(cycle_enum, bounded_on_dense_graph, .timeout = 10)
{
    enum { K = 40 };
    static rl_edge_pair e[K * K];
    size_t m = complete_digraph(K, e);
    cycle_set got = { 0 };
    rl_cycle_enum_result r = run(K, e, m, 1000, &got);
    cr_assert(eq(sz, r.cycles, 1000));
    cr_assert(r.truncated);
    set_free(&got);
}

typedef struct failing_alloc {
    long allocs_left;
    size_t outstanding;
} failing_alloc;

static void *fa_alloc(void *ctx, size_t size)
{
    failing_alloc *f = ctx;
    if (f->allocs_left == 0)
        return NULL;
    f->allocs_left--;
    f->outstanding += size;
    return calloc(1, size ? size : 1);
}

static void fa_free(void *ctx, void *ptr, size_t size)
{
    failing_alloc *f = ctx;
    if (ptr)
        f->outstanding -= size;
    free(ptr);
}

Test(cycle_enum, out_of_memory)
{
    rl_edge_pair e[12];
    size_t m = complete_digraph(4, e);
    bool succeeded = false;
    for (long n = 0; n < 64 && !succeeded; n++) {
        failing_alloc f = { .allocs_left = n };
        rl_allocator a = { fa_alloc, fa_free, &f };
        cycle_set got = { 0 };
        rl_cycle_enum_result r = rl_cycles_enumerate(&a, 4, e, m, 0, collect, &got);
        cr_assert(eq(sz, f.outstanding, 0), "leak after %ld allocations", n);
        if (r.nomem) {
            cr_assert(r.truncated);
            cr_assert(eq(sz, r.cycles, 0));
        } else {
            cr_assert(eq(sz, r.cycles, 20));
            succeeded = true;
        }
        set_free(&got);
    }
    cr_assert(succeeded);
}

/* ---- size ------------------------------------------------------------------------------------------ */

typedef struct big_cycle {
    size_t count, len;
    bool in_order;
} big_cycle;

static bool big_cb(void *ctx, const uint32_t *nodes, size_t len)
{
    big_cycle *b = ctx;
    b->count++;
    b->len = len;
    b->in_order = true;
    for (size_t i = 0; i < len; i++)
        b->in_order &= nodes[i] == i;
    return true;
}

Test(cycle_enum, long_chain_closed_into_one_cycle)
{
    enum { N = 100000 };
    rl_edge_pair *e = malloc((N + 1) * sizeof *e);
    for (uint32_t i = 0; i + 1 < N; i++)
        e[i] = (rl_edge_pair){ i, i + 1 };
    /* open chain first: no cycle, and Tarjan walks 10^5 deep */
    big_cycle b = { 0 };
    rl_cycle_enum_result r = rl_cycles_enumerate(&rl_libc_allocator, N, e, N - 1, 0, big_cb, &b);
    cr_assert(eq(sz, r.cycles, 0));
    e[N - 1] = (rl_edge_pair){ N - 1, 0 };
    r = rl_cycles_enumerate(&rl_libc_allocator, N, e, N, 0, big_cb, &b);
    cr_assert(eq(sz, r.cycles, 1));
    cr_assert(eq(sz, b.count, 1));
    cr_assert(eq(sz, b.len, N));
    cr_assert(b.in_order);
    cr_assert(not(r.truncated));
    free(e);
}

/* A long two-way chain: N-1 two-cycles; every start meets a large component. */
Test(cycle_enum, two_way_chain, .timeout = 20)
{
    enum { N = 3000 };
    rl_edge_pair *e = malloc(2 * N * sizeof *e);
    size_t m = 0;
    for (uint32_t i = 0; i + 1 < N; i++) {
        e[m++] = (rl_edge_pair){ i + 1, i };
        e[m++] = (rl_edge_pair){ i, i + 1 };
    }
    big_cycle b = { 0 };
    rl_cycle_enum_result r = rl_cycles_enumerate(&rl_libc_allocator, N, e, m, 0, big_cb, &b);
    cr_assert(eq(sz, r.cycles, N - 1));
    cr_assert(eq(sz, b.len, 2));
    free(e);
}

/* The length bound: 200 nodes all ordered one way (a complete DAG, i -> j for i < j) and one back edge
 * 199 -> 100: exponentially many cycles, exactly one of two nodes. Bounded at 2 it is the only one,
 * found at once, and the search says it cut longer paths; bounded at 3 the cycles of three nodes
 * (100 -> k -> 199 -> 100, 98 of them) come too; a bound that cuts nothing says so. */
typedef struct len_count { size_t by_len[4]; size_t other; } len_count;

static bool len_cb(void *ctx, const uint32_t *nodes, size_t len)
{
    (void)nodes;
    len_count *c = ctx;
    if (len < 4)
        c->by_len[len]++;
    else
        c->other++;
    return true;
}

Test(cycle_enum, length_bound_finds_the_short_cycle_in_a_dense_graph, .timeout = 20)
{
    enum { N = 200 };
    rl_edge_pair *e = malloc((N * (N - 1) / 2 + 1) * sizeof *e);
    size_t m = 0;
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t j = i + 1; j < N; j++)
            e[m++] = (rl_edge_pair){ i, j };
    e[m++] = (rl_edge_pair){ N - 1, N / 2 };
    len_count c = { 0 };
    rl_cycle_enum_result r = rl_cycles_enumerate_bounded(&rl_libc_allocator, N, e, m, 0, 2, len_cb, &c);
    cr_assert(eq(sz, r.cycles, 1));
    cr_assert(eq(sz, c.by_len[2], 1));
    cr_assert(r.length_cut);
    cr_assert(not(r.truncated));
    len_count c3 = { 0 };
    r = rl_cycles_enumerate_bounded(&rl_libc_allocator, N, e, m, 0, 3, len_cb, &c3);
    cr_assert(eq(sz, c3.by_len[2], 1));
    cr_assert(eq(sz, c3.by_len[3], N - 1 - N / 2 - 1));
    cr_assert(eq(sz, c3.other, 0));
    cr_assert(r.length_cut);
    /* a two-node cycle alone: nothing to cut */
    rl_edge_pair two[] = { { 0, 1 }, { 1, 0 } };
    len_count c2 = { 0 };
    r = rl_cycles_enumerate_bounded(&rl_libc_allocator, 2, two, 2, 0, 2, len_cb, &c2);
    cr_assert(eq(sz, r.cycles, 1));
    cr_assert(not(r.length_cut));
    free(e);
}
