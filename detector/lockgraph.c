/* lockgraph.c: the lock-order graph's acyclic core, kept in a dynamic topological order
 * (Pearce-Kelly, as absl's graphcycles.cc does it).
 *
 * How an insert of from -> to works:
 *   - from == to is a cycle of length 1; an edge already present is reported as such.
 *   - If rank[from] < rank[to] the order already respects the edge: append it (O(1) amortised).
 *   - Otherwise only nodes ranked between rank[to] and rank[from] can be affected. A forward search
 *     from `to` over nodes with rank < rank[from] either reaches `from` (the edge would close a
 *     cycle: the parent pointers give the path to -> ... -> from) or yields the set deltaf; a
 *     backward search from `from` over nodes with rank > rank[to] yields deltab. The ranks of
 *     deltab and deltaf are pooled, sorted, and handed out again so that all of deltab comes before
 *     all of deltaf, each keeping its internal order. Then the edge respects the order.
 * The searches are breadth-first, so the cycle path reported is a shortest one.
 *
 * Every allocation an insert may need is made before anything is changed, so that running out of
 * memory returns RL_LOCKGRAPH_NOMEM with the graph as it was. Only the allocator given at creation
 * is used: no libc allocation, no stdio, no abort (the runtime uses this inside a preloaded library).
 */
#include "lockgraph.h"

#include <string.h>

/* One lock. Slots in [n, node_cap) are spare: rank and lengths meaningless, arrays possibly reserved
 * (an insert that failed for lack of memory may have reserved them), so they are freed as well. */
typedef struct lg_node {
    uint32_t *out;     /* targets of edges leaving this node, unordered */
    uint32_t *in;      /* sources of edges entering this node, unordered */
    uint32_t out_len;  /* used entries of out */
    uint32_t out_cap;  /* allocated entries of out */
    uint32_t in_len;   /* used entries of in */
    uint32_t in_cap;   /* allocated entries of in */
    uint32_t rank;     /* position in the topological order: edge x -> y implies rank[x] < rank[y] */
    uint32_t parent;   /* during the forward search: the node this one was reached from */
    uint8_t visited;   /* during an insert only; always 0 between calls */
} lg_node;

/* Invariants (checked by rl_lockgraph_check):
 *   - ranks of nodes [0, n) are a permutation of [0, n);
 *   - for every edge x -> y: rank[x] < rank[y] (hence the graph is acyclic);
 *   - y appears once in out[x] iff x appears once in in[y] iff the pair (x, y) is in the edge set;
 *   - edge_count == sum of out_len == sum of in_len == occupied slots of the edge set;
 *   - no node is marked visited between calls. */
struct rl_lockgraph {
    rl_allocator alloc;  /* copy of the allocator given at creation */
    size_t bytes;        /* bytes currently allocated, this struct included */

    lg_node *nodes;      /* nodes[0..n) are live */
    size_t n;            /* 1 + highest node id in an inserted edge */
    size_t node_cap;     /* allocated entries of nodes */
    size_t edge_count;   /* edges in the graph */

    /* The edge set: open addressing, linear probing, key (from << 32 | to); 0 marks an empty slot
     * (it would be the self-edge 0 -> 0, which is never stored). Capacity is a power of two.
     * It grows incrementally: the previous table stays readable while each insert moves the next
     * LG_MIGRATE_STEP of its slots across, so no single insert rehashes every edge (at 10^6 edges that
     * was one insert of 70-85 ms here, mostly page faults on the new table, with the runtime's internal
     * lock held). Keys in old_edges[0, migrated) are also in edges; the rest only in old_edges. */
    uint64_t *edges;
    size_t edge_cap;
    uint64_t *old_edges; /* the previous table while it is being moved across, else NULL */
    size_t old_cap;
    size_t migrated;     /* slots of old_edges already moved */

    /* Scratch space for reordering, kept between calls to avoid reallocating. */
    uint32_t *deltaf;    /* forward search: visited nodes, also its queue */
    size_t deltaf_cap;
    uint32_t *deltab;    /* backward search: visited nodes, also its queue */
    size_t deltab_cap;
    uint64_t *keys;      /* (rank << 32 | node) of deltab then deltaf, for sorting */
    size_t keys_cap;
    uint32_t *merged;    /* the pooled ranks, ascending */
    size_t merged_cap;

    uint32_t *path;      /* the last cycle path: to -> ... -> from */
    size_t path_len;
    size_t path_cap;
};

#define LG_MAX_LOAD_NUM 7  /* the edge set grows beyond 7/10 occupancy */
#define LG_MAX_LOAD_DEN 10
#define LG_MIN_EDGE_CAP 64
#define LG_MIGRATE_STEP 16 /* old slots moved per insert while the edge set grows */
#define LG_MIN_PATH_CAP 16 /* allocated at creation, so a self-edge never needs memory */

/* ---- memory ---------------------------------------------------------------------------------- */

/* Grow *array (elements of `elem` bytes, capacity *cap) to hold `need`; keeps the byte count. */
static bool lg_grow(rl_lockgraph *g, void **array, size_t elem, size_t *cap, size_t need)
{
    size_t old_cap = *cap;
    void *fresh = rl_array_grow(&g->alloc, *array, elem, cap, need);
    if (!fresh)
        return false;
    *array = fresh;
    g->bytes += (*cap - old_cap) * elem;
    return true;
}

/* Same for a per-node uint32 list whose capacity is stored as uint32_t. */
static bool lg_grow_list(rl_lockgraph *g, uint32_t **list, uint32_t *cap32, size_t need)
{
    size_t cap = *cap32;
    if (need <= cap)
        return true;
    if (need > UINT32_MAX / 2)
        return false;
    void *array = *list;
    if (!lg_grow(g, &array, sizeof(uint32_t), &cap, need))
        return false;
    *list = array;
    *cap32 = (uint32_t)cap;
    return true;
}

static void lg_release(rl_lockgraph *g, void *ptr, size_t bytes)
{
    if (ptr)
        g->alloc.free(g->alloc.ctx, ptr, bytes);
}

/* ---- the edge set ---------------------------------------------------------------------------- */

static inline uint64_t lg_key(uint32_t from, uint32_t to) { return (uint64_t)from << 32 | to; }

static inline size_t lg_hash(uint64_t key)
{
    /* splitmix64 finaliser */
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return (size_t)key;
}

static bool lg_table_contains(const uint64_t *table, size_t cap, uint64_t key)
{
    if (cap == 0)
        return false;
    size_t mask = cap - 1;
    for (size_t i = lg_hash(key) & mask;; i = (i + 1) & mask) {
        if (table[i] == key)
            return true;
        if (table[i] == 0)
            return false;
    }
}

static bool lg_set_contains(const rl_lockgraph *g, uint64_t key)
{
    return lg_table_contains(g->edges, g->edge_cap, key) ||
           (g->old_edges && lg_table_contains(g->old_edges, g->old_cap, key));
}

/* Insert a key known to be absent into a table with a free slot. */
static void lg_set_put(uint64_t *table, size_t cap, uint64_t key)
{
    size_t mask = cap - 1;
    size_t i = lg_hash(key) & mask;
    while (table[i] != 0)
        i = (i + 1) & mask;
    table[i] = key;
}

/* Move up to `slots` more slots of the previous table across; frees it once all are moved. Needs no
 * memory, so it is done before anything that may fail: the set's contents never change by it. */
static void lg_set_migrate(rl_lockgraph *g, size_t slots)
{
    if (!g->old_edges)
        return;
    size_t end = g->old_cap - g->migrated > slots ? g->migrated + slots : g->old_cap;
    for (size_t i = g->migrated; i < end; i++)
        if (g->old_edges[i])
            lg_set_put(g->edges, g->edge_cap, g->old_edges[i]);
    g->migrated = end;
    if (end == g->old_cap) {
        lg_release(g, g->old_edges, g->old_cap * sizeof(uint64_t));
        g->bytes -= g->old_cap * sizeof(uint64_t);
        g->old_edges = NULL;
        g->old_cap = 0;
        g->migrated = 0;
    }
}

/* Make room for one more key. On failure the set's contents are untouched. The new table is at least
 * twice the old one, so it holds every old key and the ones inserted while they move across (one step
 * per insert: the move ends long before the load limit is reached again). */
static bool lg_set_reserve(rl_lockgraph *g)
{
    lg_set_migrate(g, LG_MIGRATE_STEP);
    size_t need = g->edge_count + 1;
    if (g->edge_cap && need * LG_MAX_LOAD_DEN <= g->edge_cap * LG_MAX_LOAD_NUM)
        return true;
    size_t cap = g->edge_cap ? g->edge_cap * 2 : LG_MIN_EDGE_CAP;
    while (need * LG_MAX_LOAD_DEN > cap * LG_MAX_LOAD_NUM)
        cap *= 2;
    uint64_t *table = g->alloc.alloc(g->alloc.ctx, cap * sizeof(uint64_t));
    if (!table)
        return false;
    lg_set_migrate(g, SIZE_MAX); /* a move still under way (never, with the step above) ends first */
    g->old_edges = g->edge_cap ? g->edges : NULL;
    g->old_cap = g->edge_cap;
    g->migrated = 0;
    g->bytes += cap * sizeof(uint64_t);
    g->edges = table;
    g->edge_cap = cap;
    return true;
}

/* ---- sorting (no libc qsort: glibc's may call malloc) ---------------------------------------- */

static void lg_sift_down(uint64_t *a, size_t root, size_t len)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= len)
            return;
        if (child + 1 < len && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        uint64_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void lg_sort_u64(uint64_t *a, size_t len)
{
    if (len < 2)
        return;
    if (len <= 16) { /* insertion sort: the usual affected region is tiny */
        for (size_t i = 1; i < len; i++) {
            uint64_t v = a[i];
            size_t j = i;
            while (j > 0 && a[j - 1] > v) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
        return;
    }
    for (size_t i = len / 2; i-- > 0;)
        lg_sift_down(a, i, len);
    for (size_t end = len - 1; end > 0; end--) {
        uint64_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        lg_sift_down(a, 0, end);
    }
}

/* ---- public API ------------------------------------------------------------------------------ */

rl_lockgraph *rl_lockgraph_new(const rl_allocator *alloc)
{
    rl_lockgraph *g = alloc->alloc(alloc->ctx, sizeof *g);
    if (!g)
        return NULL;
    memset(g, 0, sizeof *g);
    g->alloc = *alloc;
    g->bytes = sizeof *g;
    void *path = NULL;
    if (!lg_grow(g, &path, sizeof(uint32_t), &g->path_cap, LG_MIN_PATH_CAP)) {
        alloc->free(alloc->ctx, g, sizeof *g);
        return NULL;
    }
    g->path = path;
    return g;
}

void rl_lockgraph_free(rl_lockgraph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->node_cap; i++) {
        lg_release(g, g->nodes[i].out, g->nodes[i].out_cap * sizeof(uint32_t));
        lg_release(g, g->nodes[i].in, g->nodes[i].in_cap * sizeof(uint32_t));
    }
    lg_release(g, g->nodes, g->node_cap * sizeof(lg_node));
    lg_release(g, g->edges, g->edge_cap * sizeof(uint64_t));
    lg_release(g, g->old_edges, g->old_cap * sizeof(uint64_t));
    lg_release(g, g->deltaf, g->deltaf_cap * sizeof(uint32_t));
    lg_release(g, g->deltab, g->deltab_cap * sizeof(uint32_t));
    lg_release(g, g->keys, g->keys_cap * sizeof(uint64_t));
    lg_release(g, g->merged, g->merged_cap * sizeof(uint32_t));
    lg_release(g, g->path, g->path_cap * sizeof(uint32_t));
    rl_allocator a = g->alloc;
    a.free(a.ctx, g, sizeof *g);
}

/* Forward search from `to` over nodes ranked below rank[from]. Fills deltaf (all marked visited).
 * Returns RL_LOCKGRAPH_CYCLE when `from` is reachable (the path is then recorded),
 * RL_LOCKGRAPH_NOMEM, or RL_LOCKGRAPH_INSERTED meaning "no cycle". */
static rl_lockgraph_result lg_forward(rl_lockgraph *g, uint32_t from, uint32_t to, size_t *nf)
{
    lg_node *nodes = g->nodes;
    uint32_t bound = nodes[from].rank;
    size_t len = 0;
    void *q = g->deltaf;
    if (!lg_grow(g, &q, sizeof(uint32_t), &g->deltaf_cap, 1))
        goto nomem;
    g->deltaf = q;
    g->deltaf[len++] = to;
    nodes[to].visited = 1;
    for (size_t head = 0; head < len; head++) {
        uint32_t v = g->deltaf[head];
        const lg_node *nv = &nodes[v];
        for (uint32_t k = 0; k < nv->out_len; k++) {
            uint32_t w = nv->out[k];
            if (w == from) {
                /* Cycle: path to -> ... -> v -> from, read backwards along the parent pointers. */
                size_t plen = 2;
                for (uint32_t x = v; x != to; x = nodes[x].parent)
                    plen++;
                void *p = g->path;
                if (!lg_grow(g, &p, sizeof(uint32_t), &g->path_cap, plen))
                    goto nomem_len;
                g->path = p;
                g->path_len = plen;
                g->path[plen - 1] = from;
                size_t i = plen - 1;
                for (uint32_t x = v;; x = nodes[x].parent) {
                    g->path[--i] = x;
                    if (x == to)
                        break;
                }
                *nf = len;
                return RL_LOCKGRAPH_CYCLE;
            }
            if (nodes[w].visited || nodes[w].rank >= bound)
                continue;
            if (len == g->deltaf_cap) {
                q = g->deltaf;
                if (!lg_grow(g, &q, sizeof(uint32_t), &g->deltaf_cap, len + 1))
                    goto nomem_len;
                g->deltaf = q;
            }
            nodes[w].visited = 1;
            nodes[w].parent = v;
            g->deltaf[len++] = w;
        }
    }
    *nf = len;
    return RL_LOCKGRAPH_INSERTED;
nomem_len:
    *nf = len;
    return RL_LOCKGRAPH_NOMEM;
nomem:
    *nf = 0;
    return RL_LOCKGRAPH_NOMEM;
}

/* Backward search from `from` over nodes ranked above rank[to]. Fills deltab. Nodes of deltaf are
 * still marked, and cannot be reached anyway (that would be a cycle). Returns false on NOMEM. */
static bool lg_backward(rl_lockgraph *g, uint32_t from, uint32_t to, size_t *nb)
{
    lg_node *nodes = g->nodes;
    uint32_t bound = nodes[to].rank;
    size_t len = 0;
    void *q = g->deltab;
    if (!lg_grow(g, &q, sizeof(uint32_t), &g->deltab_cap, 1)) {
        *nb = 0;
        return false;
    }
    g->deltab = q;
    g->deltab[len++] = from;
    nodes[from].visited = 1;
    for (size_t head = 0; head < len; head++) {
        const lg_node *nv = &nodes[g->deltab[head]];
        for (uint32_t k = 0; k < nv->in_len; k++) {
            uint32_t w = nv->in[k];
            if (nodes[w].visited || nodes[w].rank <= bound)
                continue;
            if (len == g->deltab_cap) {
                q = g->deltab;
                if (!lg_grow(g, &q, sizeof(uint32_t), &g->deltab_cap, len + 1)) {
                    *nb = len;
                    return false;
                }
                g->deltab = q;
            }
            nodes[w].visited = 1;
            g->deltab[len++] = w;
        }
    }
    *nb = len;
    return true;
}

static void lg_unmark(rl_lockgraph *g, const uint32_t *list, size_t len)
{
    for (size_t i = 0; i < len; i++)
        g->nodes[list[i]].visited = 0;
}

/* Give deltab's and deltaf's pooled ranks back, deltab first, each list in its old relative order.
 * Needs keys and merged reserved for nb + nf entries. Clears the visited marks. */
static void lg_reorder(rl_lockgraph *g, size_t nb, size_t nf)
{
    lg_node *nodes = g->nodes;
    uint64_t *keys = g->keys;
    for (size_t i = 0; i < nb; i++)
        keys[i] = (uint64_t)nodes[g->deltab[i]].rank << 32 | g->deltab[i];
    for (size_t i = 0; i < nf; i++)
        keys[nb + i] = (uint64_t)nodes[g->deltaf[i]].rank << 32 | g->deltaf[i];
    lg_sort_u64(keys, nb);
    lg_sort_u64(keys + nb, nf);
    /* merge the two sorted rank sequences */
    size_t i = 0, j = nb, k = 0;
    while (i < nb && j < nb + nf)
        g->merged[k++] = (uint32_t)((keys[i] <= keys[j] ? keys[i++] : keys[j++]) >> 32);
    while (i < nb)
        g->merged[k++] = (uint32_t)(keys[i++] >> 32);
    while (j < nb + nf)
        g->merged[k++] = (uint32_t)(keys[j++] >> 32);
    for (k = 0; k < nb + nf; k++) {
        lg_node *node = &nodes[(uint32_t)keys[k]];
        node->rank = g->merged[k];
        node->visited = 0;
    }
}

rl_lockgraph_result rl_lockgraph_insert_edge(rl_lockgraph *g, uint32_t from, uint32_t to)
{
    if (from == to) {
        g->path[0] = to; /* path_cap >= LG_MIN_PATH_CAP from creation */
        g->path_len = 1;
        return RL_LOCKGRAPH_CYCLE;
    }
    if (lg_set_contains(g, lg_key(from, to)))
        return RL_LOCKGRAPH_EXISTS;

    /* Reserve everything the fast path needs; nothing visible changes yet. */
    size_t high = (from > to ? from : to);
    size_t new_n = high + 1 > g->n ? high + 1 : g->n;
    if (new_n > g->node_cap) {
        void *nodes = g->nodes;
        if (!lg_grow(g, &nodes, sizeof(lg_node), &g->node_cap, new_n))
            return RL_LOCKGRAPH_NOMEM;
        g->nodes = nodes;
    }
    for (size_t i = g->n; i < new_n; i++) { /* new nodes go last in the order */
        g->nodes[i].rank = (uint32_t)i;
        g->nodes[i].out_len = 0;
        g->nodes[i].in_len = 0;
        g->nodes[i].visited = 0;
    }
    lg_node *nf_node = &g->nodes[from], *nt_node = &g->nodes[to];
    if (!lg_set_reserve(g) || !lg_grow_list(g, &nf_node->out, &nf_node->out_cap, nf_node->out_len + 1u) ||
        !lg_grow_list(g, &nt_node->in, &nt_node->in_cap, nt_node->in_len + 1u))
        return RL_LOCKGRAPH_NOMEM;

    if (nf_node->rank > nt_node->rank) {
        size_t nf = 0, nb = 0;
        rl_lockgraph_result r = lg_forward(g, from, to, &nf);
        if (r != RL_LOCKGRAPH_INSERTED) {
            lg_unmark(g, g->deltaf, nf);
            return r;
        }
        bool ok = lg_backward(g, from, to, &nb);
        if (ok) {
            void *keys = g->keys, *merged = g->merged;
            ok = lg_grow(g, &keys, sizeof(uint64_t), &g->keys_cap, nb + nf);
            g->keys = keys;
            ok = ok && lg_grow(g, &merged, sizeof(uint32_t), &g->merged_cap, nb + nf);
            g->merged = merged;
        }
        if (!ok) {
            lg_unmark(g, g->deltaf, nf);
            lg_unmark(g, g->deltab, nb);
            return RL_LOCKGRAPH_NOMEM;
        }
        lg_reorder(g, nb, nf);
    }

    /* Commit. */
    g->n = new_n;
    nf_node->out[nf_node->out_len++] = to;
    nt_node->in[nt_node->in_len++] = from;
    lg_set_put(g->edges, g->edge_cap, lg_key(from, to));
    g->edge_count++;
    return RL_LOCKGRAPH_INSERTED;
}

const uint32_t *rl_lockgraph_cycle_path(const rl_lockgraph *g, size_t *len)
{
    *len = g->path_len;
    return g->path_len ? g->path : NULL;
}

bool rl_lockgraph_has_edge(const rl_lockgraph *g, uint32_t from, uint32_t to)
{
    return from != to && lg_set_contains(g, lg_key(from, to));
}

size_t rl_lockgraph_node_count(const rl_lockgraph *g) { return g->n; }
size_t rl_lockgraph_edge_count(const rl_lockgraph *g) { return g->edge_count; }
size_t rl_lockgraph_memory_bytes(const rl_lockgraph *g) { return g->bytes; }

bool rl_lockgraph_check(const rl_lockgraph *g)
{
    size_t n = g->n;
    if (n > g->node_cap || (g->edge_cap & (g->edge_cap - 1)) != 0 ||
        (g->old_edges && (g->old_cap * 2 > g->edge_cap || g->migrated >= g->old_cap)))
        return false;
    if (n == 0)
        return g->edge_count == 0;
    /* seen[] doubles as "rank already used" and as "last source that listed this target". */
    size_t seen_bytes = n * sizeof(uint32_t);
    uint32_t *seen = g->alloc.alloc(g->alloc.ctx, seen_bytes);
    if (!seen)
        return false;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const lg_node *v = &g->nodes[i];
        if (v->rank >= n || seen[v->rank] || v->visited)
            ok = false;
        else
            seen[v->rank] = 1;
    }
    size_t out_total = 0, in_total = 0;
    for (size_t pass = 0; pass < 2 && ok; pass++) {
        memset(seen, 0, seen_bytes);
        for (size_t x = 0; x < n && ok; x++) {
            const lg_node *v = &g->nodes[x];
            uint32_t len = pass == 0 ? v->out_len : v->in_len;
            const uint32_t *list = pass == 0 ? v->out : v->in;
            if (len > (pass == 0 ? v->out_cap : v->in_cap))
                ok = false;
            for (uint32_t k = 0; k < len && ok; k++) {
                uint32_t y = list[k];
                uint32_t src = pass == 0 ? (uint32_t)x : y, dst = pass == 0 ? y : (uint32_t)x;
                if (y >= n || seen[y] == x + 1 || !lg_set_contains(g, lg_key(src, dst)) ||
                    g->nodes[src].rank >= g->nodes[dst].rank)
                    ok = false;
                seen[y] = (uint32_t)x + 1;
            }
            *(pass == 0 ? &out_total : &in_total) += len;
        }
    }
    size_t occupied = 0; /* each key once: the new table, and the old slots not yet moved */
    for (size_t i = 0; i < g->edge_cap; i++)
        occupied += g->edges[i] != 0;
    for (size_t i = g->migrated; g->old_edges && i < g->old_cap; i++)
        occupied += g->old_edges[i] != 0;
    if (out_total != g->edge_count || in_total != g->edge_count || occupied != g->edge_count)
        ok = false;
    g->alloc.free(g->alloc.ctx, seen, seen_bytes);
    return ok;
}
