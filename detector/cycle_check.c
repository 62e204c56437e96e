/* cycle_check.c: decide whether a lock-order cycle could really deadlock, and if not, why not.
 *
 * The rules are in cycle_check.h. The search picks edges in order 0, 1, ..., n-1 and, for each, the
 * first witness (in the caller's order) that is consistent with the witnesses already chosen:
 *   - rule 1 (threads): its thread differs from every chosen witness's thread;
 *   - rule 2 (gates):   its gate set is disjoint from every chosen witness's gate set (a merge of
 *                       two sorted arrays);
 *   - rule 3 (trylock): it is not a trylock;
 *   - rule 4 (links):   the link from edge i-1 into edge i blocks, and for the last edge also the
 *                       link from edge n-1 back into edge 0. Link i -> i+1 blocks iff
 *                       w[i].want_mode == WRITE || w[i+1].hold_mode == WRITE.
 * When no witness fits it backtracks. Each witness tried is one step; all searches for one call
 * share the max_steps budget. The backtracking state is result->chosen itself, so the search needs
 * no memory and no recursion.
 *
 * Verdict: the strict search first; if it fails, the same search with one rule switched off, in
 * the order threads, gates, trylock, links; the first that succeeds names the reason. A self-loop
 * (n == 1) is a double lock, reported elsewhere: it is always RL_CYCLE_SINGLE_THREAD.
 */
#include "cycle_check.h"

enum {
    CC_RULE_THREADS = 1u << 0,
    CC_RULE_GATES = 1u << 1,
    CC_RULE_TRYLOCK = 1u << 2,
    CC_RULE_LINKS = 1u << 3,
    CC_RULES_ALL = CC_RULE_THREADS | CC_RULE_GATES | CC_RULE_TRYLOCK | CC_RULE_LINKS,
};

typedef enum cc_outcome { CC_FOUND, CC_NONE, CC_LIMIT } cc_outcome;

#define CC_DEFAULT_STEPS 1000000u

/* Lowest lock id present in both sorted gate sets; false when they are disjoint. */
static bool cc_common_gate(const rl_witness *a, const rl_witness *b, uint32_t *gate)
{
    size_t i = 0, j = 0;
    while (i < a->n_gates && j < b->n_gates) {
        if (a->gates[i] < b->gates[j]) {
            i++;
        } else if (a->gates[i] > b->gates[j]) {
            j++;
        } else {
            if (gate)
                *gate = a->gates[i];
            return true;
        }
    }
    return false;
}

static inline bool cc_link_blocks(const rl_witness *waiter, const rl_witness *holder)
{
    return waiter->want_mode == RL_MODE_WRITE || holder->hold_mode == RL_MODE_WRITE;
}

static inline const rl_witness *cc_chosen(const rl_cycle_edge *edges, const size_t *chosen, size_t i)
{
    return &edges[i].witnesses[chosen[i]];
}

/* May witness w for edge i join the witnesses chosen for edges 0..i-1? */
static bool cc_fits(const rl_cycle_edge *edges, size_t n, const size_t *chosen, size_t i,
                    const rl_witness *w, unsigned rules)
{
    if ((rules & CC_RULE_TRYLOCK) && w->trylock)
        return false;
    if (rules & CC_RULE_LINKS) {
        if (i > 0 && !cc_link_blocks(cc_chosen(edges, chosen, i - 1), w))
            return false;
        if (i == n - 1 && !cc_link_blocks(w, i == 0 ? w : cc_chosen(edges, chosen, 0)))
            return false;
    }
    for (size_t k = 0; k < i; k++) {
        const rl_witness *o = cc_chosen(edges, chosen, k);
        if ((rules & CC_RULE_THREADS) && o->thread == w->thread)
            return false;
        if ((rules & CC_RULE_GATES) && cc_common_gate(o, w, NULL))
            return false;
    }
    return true;
}

/* Backtracking over witness choices. On CC_FOUND chosen[] holds the choice. */
static cc_outcome cc_search(const rl_cycle_edge *edges, size_t n, unsigned rules, size_t *budget,
                            size_t *chosen)
{
    size_t i = 0;
    chosen[0] = 0;
    for (;;) {
        if (chosen[i] >= edges[i].n_witnesses) {
            if (i == 0)
                return CC_NONE;
            i--;
            chosen[i]++;
            continue;
        }
        if (*budget == 0)
            return CC_LIMIT;
        (*budget)--;
        if (!cc_fits(edges, n, chosen, i, &edges[i].witnesses[chosen[i]], rules)) {
            chosen[i]++;
            continue;
        }
        if (++i == n)
            return CC_FOUND;
        chosen[i] = 0;
    }
}

static void cc_zero(size_t *chosen, size_t n)
{
    for (size_t i = 0; i < n; i++)
        chosen[i] = 0;
}

void rl_cycle_check(const rl_cycle_edge *edges, size_t n_edges, size_t max_steps,
                    rl_cycle_check_result *result)
{
    result->gate = 0;
    result->gate_found = false;
    if (n_edges == 1) {
        result->verdict = RL_CYCLE_SINGLE_THREAD;
        result->chosen[0] = 0;
        return;
    }
    bool any_empty = n_edges == 0;
    for (size_t i = 0; i < n_edges; i++)
        any_empty |= edges[i].n_witnesses == 0;
    if (any_empty) { /* no choice at all, whatever is relaxed */
        result->verdict = RL_CYCLE_MULTIPLE;
        cc_zero(result->chosen, n_edges);
        return;
    }

    size_t budget = max_steps ? max_steps : CC_DEFAULT_STEPS;
    static const struct {
        unsigned rule;
        rl_cycle_verdict verdict;
    } relax[] = {
        { 0, RL_CYCLE_DEADLOCK },
        { CC_RULE_THREADS, RL_CYCLE_SINGLE_THREAD },
        { CC_RULE_GATES, RL_CYCLE_GATE_LOCK },
        { CC_RULE_TRYLOCK, RL_CYCLE_TRYLOCK },
        { CC_RULE_LINKS, RL_CYCLE_READ_ONLY },
    };
    for (size_t r = 0; r < sizeof relax / sizeof relax[0]; r++) {
        cc_outcome out = cc_search(edges, n_edges, CC_RULES_ALL & ~relax[r].rule, &budget,
                                   result->chosen);
        if (out == CC_LIMIT) {
            result->verdict = RL_CYCLE_SEARCH_LIMIT;
            cc_zero(result->chosen, n_edges);
            return;
        }
        if (out == CC_FOUND) {
            result->verdict = relax[r].verdict;
            if (relax[r].verdict == RL_CYCLE_GATE_LOCK) {
                for (size_t i = 0; i < n_edges && !result->gate_found; i++)
                    for (size_t k = i + 1; k < n_edges && !result->gate_found; k++)
                        result->gate_found = cc_common_gate(cc_chosen(edges, result->chosen, i),
                                                            cc_chosen(edges, result->chosen, k),
                                                            &result->gate);
            }
            return;
        }
    }
    result->verdict = RL_CYCLE_MULTIPLE;
    cc_zero(result->chosen, n_edges);
}

const char *rl_cycle_verdict_name(rl_cycle_verdict v)
{
    switch (v) {
    case RL_CYCLE_DEADLOCK: return "potential-deadlock";
    case RL_CYCLE_SINGLE_THREAD: return "single-thread";
    case RL_CYCLE_GATE_LOCK: return "gate-lock";
    case RL_CYCLE_TRYLOCK: return "trylock";
    case RL_CYCLE_READ_ONLY: return "read-only";
    case RL_CYCLE_MULTIPLE: return "multiple";
    case RL_CYCLE_SEARCH_LIMIT: return "search-limit";
    }
    return "unknown";
}
