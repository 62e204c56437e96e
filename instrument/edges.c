/* edges.c: the runtime's lock-order graph. For a new held-lock chain it adds, for every lock the thread
 * already holds, a witness of the edge held -> acquired (thread, modes, trylock, gate set, stacks),
 * logs it (E lines; each distinct gate set once, as G lines), and inserts the edge in the Pearce-Kelly
 * order (detector/lockgraph.c). An edge that would close a cycle is checked at once, before the thread
 * blocks, with the same rules the report uses (detector/cycle_check.c); a cycle that could deadlock is
 * logged as a Y line. The report's complete analysis (every elementary cycle) is done by the CLI from
 * the logged edges. Everything here runs under rt.lock. */
#include <string.h>

#include "cycle_check.h"
#include "lockgraph.h"
#include "rt.h"

typedef struct witness {
    struct witness *next;
    rl_witness w;         /* gates point into a shared gate set */
} witness;

typedef struct edge {
    uint32_t from, to;
    rt_lock *from_lock, *to_lock;
    witness *witnesses;
    uint32_t n_witnesses;
    uint8_t blocking_seen; /* some non-trylock witness: part of the order graph */
} edge;

/* A gate set (the locks a thread held exclusively while it took an edge), logged once as G lines and
 * shared by every witness that has it: most programs take their edges under a handful of sets. */
typedef struct gate_set {
    struct gate_set *next; /* hash chain */
    uint64_t hash, uid;
    uint32_t n;
    uint32_t idx[];        /* lock indices, sorted */
} gate_set;

static struct {
    rl_lockgraph *graph;
    edge **slots;          /* open addressing on (from, to) */
    size_t mask, used;
    gate_set **gate_sets;  /* chained on hash */
    size_t gate_mask, n_gate_sets;
} eg;

size_t rt_edges_count(void) { return eg.used; }

static uint64_t pair_hash(uint32_t from, uint32_t to) { return rt_mix64(((uint64_t)from << 32) | to); }

static bool edges_grow(void)
{
    size_t n = eg.slots ? (eg.mask + 1) * 2 : 1024;
    edge **fresh = rt_pool_alloc(n * sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t i = 0; eg.slots && i <= eg.mask; i++) {
        edge *e = eg.slots[i];
        if (!e)
            continue;
        size_t j = pair_hash(e->from, e->to) & (n - 1);
        while (fresh[j])
            j = (j + 1) & (n - 1);
        fresh[j] = e;
    }
    if (eg.slots)
        rt_pool_free(eg.slots, (eg.mask + 1) * sizeof *eg.slots);
    eg.slots = fresh;
    eg.mask = n - 1;
    return true;
}

static edge *edge_get(rt_lock *from, rt_lock *to, bool *created)
{
    *created = false;
    if ((eg.used + 1) * 2 > (eg.slots ? eg.mask + 1 : 0) && !edges_grow() && !eg.slots)
        return NULL;
    size_t i = pair_hash(from->index, to->index) & eg.mask;
    for (; eg.slots[i]; i = (i + 1) & eg.mask)
        if (eg.slots[i]->from == from->index && eg.slots[i]->to == to->index)
            return eg.slots[i];
    if (eg.used + 1 >= eg.mask + 1)
        return NULL;
    edge *e = rt_pool_alloc(sizeof *e);
    if (!e)
        return NULL;
    e->from = from->index;
    e->to = to->index;
    e->from_lock = from;
    e->to_lock = to;
    eg.slots[i] = e;
    eg.used++;
    rt.edges = eg.used;
    *created = true;
    return e;
}

static edge *edge_find(uint32_t from, uint32_t to)
{
    if (!eg.slots)
        return NULL;
    for (size_t i = pair_hash(from, to) & eg.mask; eg.slots[i]; i = (i + 1) & eg.mask)
        if (eg.slots[i]->from == from && eg.slots[i]->to == to)
            return eg.slots[i];
    return NULL;
}

/* Shell sort by lock index: no libc qsort (it may allocate). */
static void sort_locks(rt_lock **v, size_t n)
{
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; i++)
            for (size_t j = i; j >= gap && v[j - gap]->index > v[j]->index; j -= gap) {
                rt_lock *tmp = v[j];
                v[j] = v[j - gap];
                v[j - gap] = tmp;
            }
}

static bool same_witness(const rl_witness *a, const rl_witness *b)
{
    return a->thread == b->thread && a->hold_mode == b->hold_mode && a->want_mode == b->want_mode &&
           a->trylock == b->trylock && a->n_gates == b->n_gates &&
           memcmp(a->gates, b->gates, a->n_gates * sizeof *a->gates) == 0;
}

/* Before the thread blocks: does the cycle closed by e (path to -> ... -> from) deadlock? */
static void check_cycle_now(edge *closing)
{
    size_t n;
    const uint32_t *path = rl_lockgraph_cycle_path(eg.graph, &n);
    if (!path || n == 0 || n > 64)
        return; /* long cycles are left to the report's complete analysis */
    uint32_t nodes[65];
    nodes[0] = closing->from;
    memcpy(nodes + 1, path, n * sizeof *path); /* from -> to -> ... -> (from) */
    size_t len = n; /* nodes[0..len) form the cycle: from, to, ..., last before from */
    rl_cycle_edge cedges[64];
    size_t chosen[64];
    rl_witness *arrays[64] = { 0 };
    size_t sizes[64] = { 0 };
    bool ok = true;
    for (size_t i = 0; i < len && ok; i++) {
        edge *e = edge_find(nodes[i], nodes[(i + 1) % len]);
        if (!e || !e->n_witnesses) {
            ok = false;
            break;
        }
        sizes[i] = e->n_witnesses * sizeof(rl_witness);
        arrays[i] = rt_pool_alloc(sizes[i]);
        if (!arrays[i]) {
            ok = false;
            break;
        }
        size_t k = 0;
        for (witness *w = e->witnesses; w; w = w->next)
            arrays[i][k++] = w->w;
        cedges[i].witnesses = arrays[i];
        cedges[i].n_witnesses = k;
    }
    if (ok) {
        rl_cycle_check_result res = { .chosen = chosen };
        rl_cycle_check(cedges, len, 100000, &res);
        if (res.verdict == RL_CYCLE_DEADLOCK) {
            rt_line ln;
            rt_line_start(&ln, "Y");
            for (size_t i = 0; i < len && rt_line_room(&ln) > 24; i++) {
                edge *e = edge_find(nodes[i], nodes[(i + 1) % len]);
                rt_line_hex(&ln, e->from_lock->uid);
            }
            rt_line_end(&ln);
        }
    }
    for (size_t i = 0; i < len; i++)
        rt_pool_free(arrays[i], sizes[i]);
}

static uint64_t log_gates(rt_lock *const *locks, size_t n)
{
    uint64_t uid = rt_uid(++rt.next_gates);
    size_t i = 0;
    do {
        rt_line ln;
        rt_line_start(&ln, "G");
        rt_line_hex(&ln, uid);
        for (; i < n && rt_line_room(&ln) > 24; i++)
            rt_line_hex(&ln, locks[i]->uid);
        rt_line_end(&ln);
    } while (i < n);
    return uid;
}

static uint64_t gates_hash(const uint32_t *idx, size_t n)
{
    uint64_t h = 0x2545f4914f6cdd1dULL ^ n;
    for (size_t i = 0; i < n; i++)
        h = rt_mix64(h ^ idx[i]);
    return h;
}

static bool gate_sets_grow(void)
{
    size_t n = eg.gate_sets ? (eg.gate_mask + 1) * 2 : 256;
    gate_set **fresh = rt_pool_alloc(n * sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t i = 0; eg.gate_sets && i <= eg.gate_mask; i++)
        for (gate_set *g = eg.gate_sets[i], *next; g; g = next) {
            next = g->next;
            g->next = fresh[g->hash & (n - 1)];
            fresh[g->hash & (n - 1)] = g;
        }
    if (eg.gate_sets)
        rt_pool_free(eg.gate_sets, (eg.gate_mask + 1) * sizeof *eg.gate_sets);
    eg.gate_sets = fresh;
    eg.gate_mask = n - 1;
    return true;
}

/* The shared copy of the gate set idx[0..n) (locks[] the same locks), logged the first time it is
 * seen; NULL when out of memory. */
static const gate_set *gate_set_get(const uint32_t *idx, rt_lock *const *locks, size_t n)
{
    uint64_t h = gates_hash(idx, n);
    for (gate_set *g = eg.gate_sets ? eg.gate_sets[h & eg.gate_mask] : NULL; g; g = g->next)
        if (g->hash == h && g->n == n && memcmp(g->idx, idx, n * sizeof *idx) == 0)
            return g;
    if ((eg.n_gate_sets + 1) > (eg.gate_sets ? eg.gate_mask + 1 : 0) && !gate_sets_grow() && !eg.gate_sets)
        return NULL;
    gate_set *g = rt_pool_alloc(sizeof *g + (n ? n : 1) * sizeof *idx);
    if (!g)
        return NULL;
    g->hash = h;
    g->n = (uint32_t)n;
    memcpy(g->idx, idx, n * sizeof *idx);
    g->uid = log_gates(locks, n);
    g->next = eg.gate_sets[h & eg.gate_mask];
    eg.gate_sets[h & eg.gate_mask] = g;
    eg.n_gate_sets++;
    return g;
}

void rt_edges_record(rt_thread *t, const rt_acquire *acq, uint64_t to_stack)
{
    if (!eg.graph) {
        eg.graph = rl_lockgraph_new(&rt_pool_allocator);
        if (!eg.graph) {
            rt_note("out of memory for the lock graph: lock order is not tracked");
            return;
        }
    }
    /* The gate set: locks held exclusively right now, sorted by index (shared by all witnesses). */
    size_t n = t->n_held;
    uint32_t *gates = rt_pool_alloc((n ? n : 1) * sizeof *gates);
    rt_lock **gate_locks = rt_pool_alloc((n ? n : 1) * sizeof *gate_locks);
    if (!gates || !gate_locks) {
        rt_note("out of memory recording lock order: an acquisition is not recorded");
        rt_pool_free(gate_locks, (n ? n : 1) * sizeof *gate_locks);
        rt_pool_free(gates, (n ? n : 1) * sizeof *gates);
        return;
    }
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        const rt_held *h = &t->held[i];
        if (h->mode == RL_MODE_WRITE && h->lock != acq->lock)
            gate_locks[ng++] = h->lock;
    }
    sort_locks(gate_locks, ng);
    size_t k = 0;
    for (size_t g = 0; g < ng; g++) /* drop repeats (cannot happen for exclusive holds; be safe) */
        if (k == 0 || gate_locks[k - 1] != gate_locks[g])
            gate_locks[k++] = gate_locks[g];
    ng = k;
    for (size_t g = 0; g < ng; g++)
        gates[g] = gate_locks[g]->index;
    const gate_set *shared_gates = NULL; /* found or made at the first new witness */

    for (size_t i = 0; i < n; i++) {
        const rt_held *h = &t->held[i];
        if (h->lock == acq->lock)
            continue;
        bool created;
        edge *e = edge_get(h->lock, acq->lock, &created);
        if (!e) {
            rt_note("out of memory for lock-order edges: an edge is not recorded");
            break;
        }
        rl_witness w = { t->tid, h->mode, acq->mode, acq->trylock != 0, gates, ng };
        bool dup = false;
        for (witness *x = e->witnesses; x && !dup; x = x->next)
            dup = same_witness(&x->w, &w);
        if (dup)
            continue;
        if (!shared_gates && !(shared_gates = gate_set_get(gates, gate_locks, ng))) {
            rt_note("out of memory recording lock order: an acquisition is not recorded");
            break;
        }
        witness *nw = rt_pool_alloc(sizeof *nw);
        if (!nw)
            break;
        w.gates = shared_gates->idx;
        nw->w = w;
        nw->next = e->witnesses;
        e->witnesses = nw;
        e->n_witnesses++;
        rt_line ln;
        rt_line_start(&ln, "E");
        rt_line_hex(&ln, h->lock->uid);
        rt_line_hex(&ln, acq->lock->uid);
        rt_line_u64(&ln, t->tid);
        rt_line_str(&ln, h->mode == RL_MODE_WRITE ? "w" : "r");
        rt_line_str(&ln, acq->mode == RL_MODE_WRITE ? "w" : "r");
        rt_line_u64(&ln, acq->trylock ? 1 : 0);
        rt_line_hex(&ln, h->stack ? h->stack : rt_stack_log_pc(h->pc));
        rt_line_hex(&ln, to_stack);
        rt_line_hex(&ln, shared_gates->uid);
        rt_line_end(&ln);
        if (acq->trylock)
            continue; /* a trylock never blocks: not part of the order graph */
        e->blocking_seen = 1;
        rl_lockgraph_result r = rl_lockgraph_insert_edge(eg.graph, e->from, e->to);
        if (r == RL_LOCKGRAPH_CYCLE)
            check_cycle_now(e);
    }
    rt_pool_free(gates, (n ? n : 1) * sizeof *gates); /* witnesses point at the shared copy */
    rt_pool_free(gate_locks, (n ? n : 1) * sizeof *gate_locks);
}
