/* bench_lockgraph: the detector's lock-order graph (detector/lockgraph.h, Pearce-Kelly) at scale, for
 * bench/run's item 6. No threads, no runtime: the structure alone.
 *
 *   bench_lockgraph ordered|shuffled [LOCKS [EDGES [SEED]]]     defaults 100000 locks, 1000000 edges
 *
 * The workload: a hidden order of the locks, a path through all of them in that order (pos p -> pos
 * p+1), then edges pos p -> pos p+o (o in 2..64, a lock hierarchy's short jumps) until EDGES distinct
 * edges are in; all inserted in random order, none closing a cycle. The graph starts from rank = id:
 *   ordered   lock ids follow the hidden order (locks created in the order they are taken, as in
 *             most programs and in bench_stress): every edge already respects the ranks;
 *   shuffled  lock ids are a random permutation of it: most edges arrive against the current ranks and
 *             the graph has to reorder (Pearce-Kelly's affected regions; the hard case).
 * Every insert of a new edge is timed on its own (CLOCK_MONOTONIC, the timer's own median cost
 * subtracted). Then two closing edges, each of which must come back RL_LOCKGRAPH_CYCLE with the graph
 * unchanged:
 *   - long: last -> first of the hidden order, a cycle through the whole order (the search visits
 *     every lock: the worst case);
 *   - short: pos p+1 -> pos p in the middle, a two-lock cycle (the usual case).
 * Output: "RESULT name value" lines (ns, bytes) for bench/run; exit 1 if the graph misbehaves.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockgraph.h"

static uint64_t rng_state;

static uint64_t rng_next(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void shuffle_u32(uint32_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_next() % i;
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static void shuffle_u64(uint64_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_next() % i;
        uint64_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* The cost of one timed region with nothing in it: the median of many. */
static uint64_t timer_overhead(void)
{
    uint64_t v[1001];
    for (int i = 0; i < 1001; i++) {
        uint64_t t0 = now_ns();
        v[i] = now_ns() - t0;
    }
    qsort(v, 1001, sizeof *v, cmp_u64);
    return v[500];
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_lockgraph: %s\n", what);
    return 1;
}

/* Times one closing edge; it must be refused as a cycle with the graph unchanged. */
static int closing_edge(rl_lockgraph *g, uint32_t from, uint32_t to, const char *name, uint64_t overhead)
{
    size_t before = rl_lockgraph_edge_count(g);
    uint64_t t0 = now_ns();
    rl_lockgraph_result r = rl_lockgraph_insert_edge(g, from, to);
    uint64_t dt = now_ns() - t0;
    size_t len = 0;
    rl_lockgraph_cycle_path(g, &len);
    if (r != RL_LOCKGRAPH_CYCLE || rl_lockgraph_edge_count(g) != before)
        return fail("a closing edge was not refused as a cycle");
    printf("RESULT cycle_%s_ns %llu\n", name, (unsigned long long)(dt > overhead ? dt - overhead : 0));
    printf("RESULT cycle_%s_len %zu\n", name, len + 1);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "ordered") != 0 && strcmp(argv[1], "shuffled") != 0))
        return fail("usage: bench_lockgraph ordered|shuffled [LOCKS [EDGES [SEED]]]");
    bool shuffled = strcmp(argv[1], "shuffled") == 0;
    size_t n_locks = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
    size_t n_edges = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000;
    rng_state = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
    const uint32_t max_jump = 64;
    if (n_locks < 4 || n_locks > UINT32_MAX || n_edges < n_locks - 1 || n_edges > (n_locks - 1) * (max_jump - 1) / 2)
        return fail("bench_lockgraph: need LOCKS >= 4 and LOCKS-1 <= EDGES <= (LOCKS-1)*31");

    /* order[p]: the lock at position p of the hidden order. */
    uint32_t *order = malloc(n_locks * sizeof *order);
    uint64_t *edges = malloc(n_edges * sizeof *edges);
    uint64_t *times = malloc(n_edges * sizeof *times);
    rl_lockgraph *g = rl_lockgraph_new(&rl_libc_allocator);
    if (!order || !edges || !times || !g)
        return fail("out of memory");
    for (size_t p = 0; p < n_locks; p++)
        order[p] = (uint32_t)p;
    if (shuffled)
        shuffle_u32(order, n_locks);

    /* The path, then short jumps; duplicates are weeded out by a first, untimed graph. */
    rl_lockgraph *seen = rl_lockgraph_new(&rl_libc_allocator);
    if (!seen)
        return fail("out of memory");
    size_t m = 0;
    for (size_t p = 0; p + 1 < n_locks; p++)
        edges[m++] = (uint64_t)order[p] << 32 | order[p + 1];
    while (m < n_edges) {
        size_t p = rng_next() % n_locks;
        size_t q = p + 2 + rng_next() % (max_jump - 1);
        if (q >= n_locks)
            continue;
        uint64_t e = (uint64_t)order[p] << 32 | order[q];
        /* ordered by position, so `seen` never sees a cycle and only says whether e is new */
        if (rl_lockgraph_insert_edge(seen, (uint32_t)p, (uint32_t)q) == RL_LOCKGRAPH_INSERTED)
            edges[m++] = e;
    }
    rl_lockgraph_free(seen);
    shuffle_u64(edges, n_edges);

    uint64_t overhead = timer_overhead();
    uint64_t worst = 0;
    size_t worst_at = 0; /* edges already in the graph when the slowest insert happened */
    uint64_t total0 = now_ns();
    for (size_t i = 0; i < n_edges; i++) {
        uint64_t t0 = now_ns();
        rl_lockgraph_result r = rl_lockgraph_insert_edge(g, (uint32_t)(edges[i] >> 32), (uint32_t)edges[i]);
        uint64_t dt = now_ns() - t0;
        times[i] = dt > overhead ? dt - overhead : 0;
        if (times[i] > worst) {
            worst = times[i];
            worst_at = i;
        }
        if (r != RL_LOCKGRAPH_INSERTED)
            return fail("an edge of the acyclic workload was not inserted");
    }
    uint64_t total = now_ns() - total0;
    if (rl_lockgraph_edge_count(g) != n_edges || rl_lockgraph_node_count(g) != n_locks)
        return fail("edge or node count is wrong");
    size_t bytes = rl_lockgraph_memory_bytes(g);
    qsort(times, n_edges, sizeof *times, cmp_u64);
    printf("RESULT locks %zu\n", n_locks);
    printf("RESULT edges %zu\n", n_edges);
    printf("RESULT timer_overhead_ns %llu\n", (unsigned long long)overhead);
    printf("RESULT edge_median_ns %llu\n", (unsigned long long)times[n_edges / 2]);
    printf("RESULT edge_p99_ns %llu\n", (unsigned long long)times[n_edges - n_edges / 100 - 1]);
    printf("RESULT edge_worst_ns %llu\n", (unsigned long long)times[n_edges - 1]);
    printf("RESULT edge_worst_at %zu\n", worst_at);
    printf("RESULT edge_mean_ns %.1f\n", (double)total / (double)n_edges);
    printf("RESULT memory_bytes %zu\n", bytes);
    printf("RESULT bytes_per_edge %.1f\n", (double)bytes / (double)n_edges);
    if (closing_edge(g, order[n_locks - 1], order[0], "long", overhead) != 0)
        return 1;
    size_t mid = n_locks / 2;
    if (closing_edge(g, order[mid + 1], order[mid], "short", overhead) != 0)
        return 1;
    rl_lockgraph_free(g);
    free(order);
    free(edges);
    free(times);
    return 0;
}
