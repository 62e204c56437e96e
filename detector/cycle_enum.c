/* cycle_enum.c: bounded enumeration of elementary cycles (Johnson 1975), without recursion.
 *
 * Plan:
 *   1. Build a compressed adjacency (CSR) from the edge list, dropping duplicate edges and edges
 *      whose endpoints are out of range.
 *   2. Split the graph into strongly connected components (iterative Tarjan). Only non-trivial ones
 *      (two or more nodes, or one node with a self-loop) can hold cycles; they go on a work stack.
 *   3. Pop a component, take its smallest node s, and run Johnson's CIRCUIT search from s inside
 *      the component: every cycle through s is found once, and since s is the smallest node of the
 *      component the cycle already starts with its smallest id. Then remove s, split the rest of
 *      the component into components again, and push the non-trivial ones.
 * A cycle is found when its smallest node is the start, and never again because that node is then
 * gone; so each cycle is reported exactly once. Every component popped holds at least one cycle
 * through its start, so the work is O((V + E) * (cycles + 1)), and max_cycles bounds it.
 *
 * Johnson's blocked lists B(w) hold edges v -> w (v waits for w to be unblocked); an edge is in at
 * most one list, so the lists are threaded through per-edge arrays and need no allocation.
 * All depth is on explicit stacks: a 10^5-node chain closed into one cycle is fine.
 */
#include "cycle_enum.h"

#include <string.h>

#define CE_NONE ((size_t)0) /* list terminator: list links store edge index + 1 */

typedef struct ce_frame {
    uint32_t node;
    size_t cursor; /* next edge index of node to look at */
} ce_frame;

typedef struct ce_state {
    const rl_allocator *alloc;
    size_t n, m;            /* nodes, distinct in-range edges */

    /* graph (CSR): out-edges of v are adj[off[v] .. off[v+1]); src[e] is the source of edge e */
    size_t *off;
    uint32_t *adj;
    uint32_t *src;

    /* component membership: a node takes part in the current search iff comp[v] == stamp */
    uint32_t *comp;
    uint32_t stamp;

    /* pending components: nodes in seg_nodes, each component a [seg_start, +seg_len) run */
    uint32_t *seg_nodes;
    uint32_t *seg_start, *seg_len;
    size_t seg_count;
    uint32_t *work;         /* copy of the component being processed */

    /* Tarjan */
    uint32_t *index, *low;  /* 0 = not yet visited in this run */
    uint8_t *on_stack;
    uint32_t *tstack;
    ce_frame *frames;       /* also Johnson's call stack */

    /* Johnson */
    uint8_t *blocked;
    size_t *b_head;         /* per node: first edge (index + 1) of B(node), CE_NONE if empty */
    size_t *b_next;         /* per edge: next edge (index + 1) in the same B list */
    uint8_t *in_b;          /* per edge: edge is in B(its target) */
    uint32_t *path;
    uint32_t *unblock;      /* stack for UNBLOCK */

    size_t max_cycles;
    size_t max_len;         /* 0: no bound on cycle length */
    rl_cycle_fn fn;
    void *ctx;
    rl_cycle_enum_result *res;
    bool stop;
} ce_state;

/* ---- memory: one table of (pointer, bytes) so that cleanup is a single loop ----------------- */

typedef struct ce_block {
    void **ptr;
    size_t bytes;
} ce_block;

/* ---- Tarjan on the nodes list[0..len) restricted to comp == stamp ----------------------------- */

/* Push each non-trivial SCC found among list[0..len) onto the component stack, writing its nodes
 * at seg_nodes[*write ...]. list must not overlap seg_nodes at or beyond *write. */
static void ce_split(ce_state *s, const uint32_t *list, size_t len, size_t *write)
{
    for (size_t i = 0; i < len; i++) {
        s->index[list[i]] = 0;
        s->on_stack[list[i]] = 0;
    }
    uint32_t counter = 0;
    size_t tsp = 0;
    for (size_t r = 0; r < len; r++) {
        uint32_t root = list[r];
        if (s->comp[root] != s->stamp || s->index[root] != 0)
            continue;
        size_t fsp = 0;
        s->index[root] = s->low[root] = ++counter;
        s->tstack[tsp++] = root;
        s->on_stack[root] = 1;
        s->frames[fsp++] = (ce_frame){ root, s->off[root] };
        while (fsp > 0) {
            ce_frame *f = &s->frames[fsp - 1];
            uint32_t v = f->node;
            if (f->cursor < s->off[v + 1]) {
                uint32_t w = s->adj[f->cursor++];
                if (s->comp[w] != s->stamp)
                    continue;
                if (s->index[w] == 0) {
                    s->index[w] = s->low[w] = ++counter;
                    s->tstack[tsp++] = w;
                    s->on_stack[w] = 1;
                    s->frames[fsp++] = (ce_frame){ w, s->off[w] };
                } else if (s->on_stack[w] && s->index[w] < s->low[v]) {
                    s->low[v] = s->index[w];
                }
                continue;
            }
            fsp--;
            if (fsp > 0) {
                uint32_t parent = s->frames[fsp - 1].node;
                if (s->low[v] < s->low[parent])
                    s->low[parent] = s->low[v];
            }
            if (s->low[v] != s->index[v])
                continue;
            /* v is the root of an SCC: pop it */
            size_t start = *write;
            uint32_t x;
            do {
                x = s->tstack[--tsp];
                s->on_stack[x] = 0;
                s->seg_nodes[(*write)++] = x;
            } while (x != v);
            size_t size = *write - start;
            bool self_loop = false;
            if (size == 1)
                for (size_t e = s->off[v]; e < s->off[v + 1] && !self_loop; e++)
                    self_loop = s->adj[e] == v;
            if (size > 1 || self_loop) {
                s->seg_start[s->seg_count] = (uint32_t)start;
                s->seg_len[s->seg_count] = (uint32_t)size;
                s->seg_count++;
            } else {
                *write = start; /* trivial: drop */
            }
        }
    }
}

/* ---- Johnson's CIRCUIT from s, restricted to comp == stamp ------------------------------------ */

static void ce_emit(ce_state *s, size_t len)
{
    rl_cycle_enum_result *res = s->res;
    if (s->max_cycles && res->cycles == s->max_cycles) {
        res->truncated = true; /* one more cycle exists than the bound allows */
        s->stop = true;
        return;
    }
    res->cycles++;
    if (!s->fn(s->ctx, s->path, len)) {
        res->truncated = true;
        s->stop = true;
    }
}

static void ce_unblock(ce_state *s, uint32_t u)
{
    size_t sp = 0;
    s->blocked[u] = 0;
    s->unblock[sp++] = u;
    while (sp > 0) {
        uint32_t x = s->unblock[--sp];
        for (size_t link = s->b_head[x]; link != CE_NONE;) {
            size_t e = link - 1;
            link = s->b_next[e];
            s->in_b[e] = 0;
            uint32_t w = s->src[e];
            if (s->blocked[w]) {
                s->blocked[w] = 0;
                s->unblock[sp++] = w;
            }
        }
        s->b_head[x] = CE_NONE;
    }
}

static void ce_circuit(ce_state *s, uint32_t start)
{
    /* found[v]: a cycle was closed at or below v's frame. It lives in on_stack[], which Tarjan only
     * needs while it runs (and resets at its start). The path is the frames' nodes. */
    uint8_t *found = s->on_stack;
    size_t fsp = 0;
    s->blocked[start] = 1;
    s->path[fsp] = start;
    found[start] = 0;
    s->frames[fsp++] = (ce_frame){ start, s->off[start] };
    while (fsp > 0 && !s->stop) {
        ce_frame *f = &s->frames[fsp - 1];
        uint32_t v = f->node;
        if (f->cursor < s->off[v + 1]) {
            uint32_t w = s->adj[f->cursor++];
            if (s->comp[w] != s->stamp)
                continue;
            if (w == start) {
                ce_emit(s, fsp);
                found[v] = 1;
            } else if (s->max_len && fsp >= s->max_len) {
                found[v] = 1; /* the bound, not a dead end: v must not be blocked because of it */
                s->res->length_cut = true;
            } else if (!s->blocked[w]) {
                s->blocked[w] = 1;
                found[w] = 0;
                s->path[fsp] = w;
                s->frames[fsp++] = (ce_frame){ w, s->off[w] };
            }
            continue;
        }
        if (found[v]) {
            ce_unblock(s, v);
        } else {
            for (size_t e = s->off[v]; e < s->off[v + 1]; e++) {
                uint32_t w = s->adj[e];
                if (s->comp[w] != s->stamp || s->in_b[e])
                    continue;
                s->in_b[e] = 1;
                s->b_next[e] = s->b_head[w];
                s->b_head[w] = e + 1;
            }
        }
        fsp--;
        if (fsp > 0 && found[v])
            found[s->frames[fsp - 1].node] = 1;
    }
}

/* Reset Johnson's state for the nodes of a component (and the B lists hanging off them). */
static void ce_clear_blocks(ce_state *s, const uint32_t *list, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint32_t v = list[i];
        for (size_t link = s->b_head[v]; link != CE_NONE; link = s->b_next[link - 1])
            s->in_b[link - 1] = 0;
        s->b_head[v] = CE_NONE;
        s->blocked[v] = 0;
    }
}

/* ---- setup ------------------------------------------------------------------------------------ */

/* Build the CSR without duplicates or out-of-range edges. All arrays are zero on entry; b_head
 * serves as the per-node fill cursor and comp as "last source that listed this target" (+1), and
 * both are zero again on return. */
static void ce_build(ce_state *s, const rl_edge_pair *edges, size_t n_edges)
{
    size_t n = s->n;
    for (size_t i = 0; i < n_edges; i++)
        if (edges[i].from < n && edges[i].to < n)
            s->off[edges[i].from + 1]++;
    for (size_t v = 0; v < n; v++)
        s->off[v + 1] += s->off[v];
    for (size_t i = 0; i < n_edges; i++) {
        uint32_t a = edges[i].from, b = edges[i].to;
        if (a < n && b < n)
            s->adj[s->off[a] + s->b_head[a]++] = b;
    }
    memset(s->b_head, 0, n * sizeof(size_t));
    size_t w = 0;
    for (size_t v = 0; v < n; v++) {
        size_t begin = s->off[v], end = s->off[v + 1];
        s->off[v] = w;
        for (size_t e = begin; e < end; e++) {
            uint32_t t = s->adj[e];
            if (s->comp[t] == (uint32_t)v + 1)
                continue;
            s->comp[t] = (uint32_t)v + 1;
            s->src[w] = (uint32_t)v;
            s->adj[w++] = t;
        }
    }
    s->off[n] = w;
    s->m = w;
    memset(s->comp, 0, n * sizeof(uint32_t));
}

rl_cycle_enum_result rl_cycles_enumerate(const rl_allocator *alloc, size_t n_nodes,
                                         const rl_edge_pair *edges, size_t n_edges,
                                         size_t max_cycles, rl_cycle_fn fn, void *ctx)
{
    return rl_cycles_enumerate_bounded(alloc, n_nodes, edges, n_edges, max_cycles, 0, fn, ctx);
}

rl_cycle_enum_result rl_cycles_enumerate_bounded(const rl_allocator *alloc, size_t n_nodes,
                                                 const rl_edge_pair *edges, size_t n_edges,
                                                 size_t max_cycles, size_t max_len, rl_cycle_fn fn,
                                                 void *ctx)
{
    rl_cycle_enum_result res = { 0, false, false, false };
    if (n_nodes > UINT32_MAX) /* ids are uint32_t; keeps id + 1 representable */
        n_nodes = UINT32_MAX;
    if (n_nodes == 0 || n_edges == 0)
        return res;

    ce_state s;
    memset(&s, 0, sizeof s);
    s.alloc = alloc;
    s.n = n_nodes;
    s.max_cycles = max_cycles;
    s.max_len = max_len;
    s.fn = fn;
    s.ctx = ctx;
    s.res = &res;
    size_t n = n_nodes, m = n_edges;

    ce_block blocks[] = {
        { (void **)&s.off, (n + 1) * sizeof(size_t) },
        { (void **)&s.adj, m * sizeof(uint32_t) },
        { (void **)&s.src, m * sizeof(uint32_t) },
        { (void **)&s.comp, n * sizeof(uint32_t) },
        { (void **)&s.seg_nodes, n * sizeof(uint32_t) },
        { (void **)&s.seg_start, n * sizeof(uint32_t) },
        { (void **)&s.seg_len, n * sizeof(uint32_t) },
        { (void **)&s.work, n * sizeof(uint32_t) },
        { (void **)&s.index, n * sizeof(uint32_t) },
        { (void **)&s.low, n * sizeof(uint32_t) },
        { (void **)&s.on_stack, n },
        { (void **)&s.tstack, n * sizeof(uint32_t) },
        { (void **)&s.frames, n * sizeof(ce_frame) },
        { (void **)&s.blocked, n },
        { (void **)&s.b_head, n * sizeof(size_t) },
        { (void **)&s.b_next, m * sizeof(size_t) },
        { (void **)&s.in_b, m },
        { (void **)&s.path, n * sizeof(uint32_t) },
        { (void **)&s.unblock, n * sizeof(uint32_t) },
    };
    const size_t n_blocks = sizeof blocks / sizeof blocks[0];
    if (m > SIZE_MAX / (2 * sizeof(size_t))) /* the sizes above would overflow */
        goto nomem;
    for (size_t i = 0; i < n_blocks; i++) {
        *blocks[i].ptr = alloc->alloc(alloc->ctx, blocks[i].bytes);
        if (!*blocks[i].ptr)
            goto nomem;
    }

    ce_build(&s, edges, n_edges);

    /* Components of the whole graph. */
    s.stamp = 1;
    for (size_t v = 0; v < n; v++) {
        s.comp[v] = s.stamp;
        s.work[v] = (uint32_t)v;
    }
    size_t write = 0;
    ce_split(&s, s.work, n, &write);

    while (s.seg_count > 0 && !s.stop) {
        s.seg_count--;
        size_t start = s.seg_start[s.seg_count], len = s.seg_len[s.seg_count];
        memcpy(s.work, s.seg_nodes + start, len * sizeof(uint32_t));
        s.stamp++;
        uint32_t least = s.work[0];
        for (size_t i = 0; i < len; i++) {
            s.comp[s.work[i]] = s.stamp;
            if (s.work[i] < least)
                least = s.work[i];
        }
        ce_circuit(&s, least);
        ce_clear_blocks(&s, s.work, len);
        if (s.stop)
            break;
        s.comp[least] = 0;
        write = start;
        ce_split(&s, s.work, len, &write);
    }
    goto done;

nomem:
    res.nomem = true;
    res.truncated = true;
done:
    for (size_t i = 0; i < n_blocks; i++)
        if (*blocks[i].ptr)
            alloc->free(alloc->ctx, *blocks[i].ptr, blocks[i].bytes);
    return res;
}
