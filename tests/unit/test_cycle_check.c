/* test_cycle_check.c: the deadlock verdict for a lock-order cycle (detector/cycle_check.h):
 *   - seeded random cycles against a brute force over every witness choice, checking the verdict
 *     and that the reported choice really satisfies the rules it claims to;
 *   - named scenarios: two-thread inversion, one thread in both orders, a common gate lock, a
 *     trylock, read-read rwlocks, a write link in a read cycle, five philosophers, a witness found
 *     only by backtracking, several reasons at once, the search limit.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <string.h>

#include "cycle_check.h"

#define R RL_MODE_READ
#define W RL_MODE_WRITE

/* A witness: thread, hold mode, want mode, trylock, no gates. */
#define WIT(t, h, w, try) { .thread = (t), .hold_mode = (h), .want_mode = (w), .trylock = (try) }
/* The same with a gate set given as a sorted array. */
#define WITG(t, h, w, try, arr) \
    { .thread = (t), .hold_mode = (h), .want_mode = (w), .trylock = (try), .gates = (arr), \
      .n_gates = sizeof(arr) / sizeof((arr)[0]) }
#define EDGE(arr) { .witnesses = (arr), .n_witnesses = sizeof(arr) / sizeof((arr)[0]) }

static rl_cycle_verdict check(const rl_cycle_edge *edges, size_t n, size_t max_steps, size_t *chosen,
                              rl_cycle_check_result *res)
{
    memset(res, 0, sizeof *res);
    res->chosen = chosen;
    rl_cycle_check(edges, n, max_steps, res);
    return res->verdict;
}

/* ---- scenarios --------------------------------------------------------------------------------- */

/* T1 takes A then B, T2 takes B then A. */
Test(cycle_check, two_thread_inversion)
{
    const rl_witness ab[] = { WIT(1, W, W, false) }, ba[] = { WIT(2, W, W, false) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2] = { 9, 9 };
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_DEADLOCK));
    cr_assert(eq(sz, chosen[0], 0));
    cr_assert(eq(sz, chosen[1], 0));
    cr_assert(not(res.gate_found));
}

Test(cycle_check, same_thread_both_orders)
{
    const rl_witness ab[] = { WIT(1, W, W, false) }, ba[] = { WIT(1, W, W, false) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_SINGLE_THREAD));
}

/* Both threads hold G around their A/B nesting: G serialises them. */
Test(cycle_check, common_gate_lock)
{
    static const uint32_t g1[] = { 3, 42 }, g2[] = { 7, 42, 50 };
    const rl_witness ab[] = { WITG(1, W, W, false, g1) }, ba[] = { WITG(2, W, W, false, g2) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_GATE_LOCK));
    cr_assert(res.gate_found);
    cr_assert(eq(u32, res.gate, 42));
}

Test(cycle_check, disjoint_gates_still_deadlock)
{
    static const uint32_t g1[] = { 3, 41 }, g2[] = { 7, 42, 50 };
    const rl_witness ab[] = { WITG(1, W, W, false, g1) }, ba[] = { WITG(2, W, W, false, g2) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_DEADLOCK));
}

Test(cycle_check, trylock_closes_it)
{
    const rl_witness ab[] = { WIT(1, W, W, false) }, ba[] = { WIT(2, W, W, true) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_TRYLOCK));
    cr_assert(eq(sz, chosen[1], 0));
}

/* Readers of two rwlocks in opposite orders never block each other. */
Test(cycle_check, read_read_rwlocks)
{
    const rl_witness ab[] = { WIT(1, R, R, false) }, ba[] = { WIT(2, R, R, false) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_READ_ONLY));
}

/* One read-read link is enough to rule the cycle out. */
Test(cycle_check, one_read_read_link)
{
    const rl_witness ab[] = { WIT(1, W, R, false) }, ba[] = { WIT(2, R, W, false) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    /* link 0: T1 wants B for read, T2 holds B for read: no wait. link 1: T2 wants A for write. */
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_READ_ONLY));
}

/* Read holds, but each thread wants the other lock for writing: that waits. */
Test(cycle_check, write_link_in_read_cycle)
{
    const rl_witness ab[] = { WIT(1, R, W, false) }, ba[] = { WIT(2, R, W, false) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_DEADLOCK));

    /* read wants, but write holds: a reader waits for a writer */
    const rl_witness ab2[] = { WIT(1, W, R, false) }, ba2[] = { WIT(2, W, R, false) };
    const rl_cycle_edge edges2[] = { EDGE(ab2), EDGE(ba2) };
    cr_assert(eq(int, check(edges2, 2, 0, chosen, &res), RL_CYCLE_DEADLOCK));
}

Test(cycle_check, five_philosophers)
{
    const rl_witness w0[] = { WIT(10, W, W, false) }, w1[] = { WIT(11, W, W, false) },
                     w2[] = { WIT(12, W, W, false) }, w3[] = { WIT(13, W, W, false) },
                     w4[] = { WIT(14, W, W, false) };
    const rl_cycle_edge edges[] = { EDGE(w0), EDGE(w1), EDGE(w2), EDGE(w3), EDGE(w4) };
    size_t chosen[5] = { 7, 7, 7, 7, 7 };
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 5, 0, chosen, &res), RL_CYCLE_DEADLOCK));
    for (size_t i = 0; i < 5; i++)
        cr_assert(eq(sz, chosen[i], 0));

    /* philosopher 4 is philosopher 0's thread: only four threads for five edges */
    const rl_witness w4same[] = { WIT(10, W, W, false) };
    const rl_cycle_edge edges2[] = { EDGE(w0), EDGE(w1), EDGE(w2), EDGE(w3), EDGE(w4same) };
    cr_assert(eq(int, check(edges2, 5, 0, chosen, &res), RL_CYCLE_SINGLE_THREAD));
}

/* The first witnesses of edge 0 do not work; a later one does. */
Test(cycle_check, later_witness_found)
{
    static const uint32_t gate[] = { 99 };
    const rl_witness ab[] = {
        WIT(2, W, W, false),        /* same thread as the only witness of B -> A */
        WIT(3, W, W, true),         /* trylock */
        WITG(4, W, W, false, gate), /* shares a gate */
        WIT(5, R, R, false),        /* read link both ways */
        WIT(6, W, W, false),        /* fine */
    };
    const rl_witness ba[] = { WITG(2, R, R, false, gate) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_DEADLOCK));
    cr_assert(eq(sz, chosen[0], 4));
    cr_assert(eq(sz, chosen[1], 0));
}

/* Needs backtracking: the first fitting witness for edge 0 leaves nothing for edge 2. */
Test(cycle_check, backtracking)
{
    const rl_witness e0[] = { WIT(1, W, W, false), WIT(2, W, W, false) };
    const rl_witness e1[] = { WIT(3, W, W, false), WIT(1, W, W, false) };
    const rl_witness e2[] = { WIT(1, W, W, false), WIT(3, W, W, false) };
    const rl_cycle_edge edges[] = { EDGE(e0), EDGE(e1), EDGE(e2) };
    size_t chosen[3];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 3, 0, chosen, &res), RL_CYCLE_DEADLOCK));
    /* (T1, T3, -) fails at edge 2, so edge 0 must take T2: (T2, T3, T1) */
    cr_assert(eq(sz, chosen[0], 1));
    cr_assert(eq(sz, chosen[1], 0));
    cr_assert(eq(sz, chosen[2], 0));
}

/* Same thread and a trylock: relaxing either alone is not enough. */
Test(cycle_check, multiple_reasons)
{
    const rl_witness ab[] = { WIT(1, W, W, false) }, ba[] = { WIT(1, W, W, true) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2] = { 5, 5 };
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_MULTIPLE));
    cr_assert(eq(sz, chosen[0], 0));
    cr_assert(eq(sz, chosen[1], 0));
}

/* Two single relaxations would work; the earlier rule in the order (gates before trylock) wins. */
Test(cycle_check, relaxation_order)
{
    static const uint32_t gate[] = { 8 };
    const rl_witness ab[] = { WITG(1, W, W, false, gate), WIT(1, W, W, true) };
    const rl_witness ba[] = { WITG(2, W, W, false, gate) };
    const rl_cycle_edge edges[] = { EDGE(ab), EDGE(ba) };
    size_t chosen[2];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 2, 0, chosen, &res), RL_CYCLE_GATE_LOCK));
    cr_assert(eq(sz, chosen[0], 0));
    cr_assert(eq(u32, res.gate, 8));
}

Test(cycle_check, self_loop_and_degenerate)
{
    const rl_witness aa[] = { WIT(1, W, W, false) };
    const rl_cycle_edge one[] = { EDGE(aa) };
    size_t chosen[2] = { 3, 3 };
    rl_cycle_check_result res;
    cr_assert(eq(int, check(one, 1, 0, chosen, &res), RL_CYCLE_SINGLE_THREAD));
    cr_assert(eq(sz, chosen[0], 0));

    const rl_cycle_edge empty[] = { EDGE(aa), { .witnesses = NULL, .n_witnesses = 0 } };
    cr_assert(eq(int, check(empty, 2, 0, chosen, &res), RL_CYCLE_MULTIPLE));
    cr_assert(eq(int, check(NULL, 0, 0, NULL, &res), RL_CYCLE_MULTIPLE));
}

/* Six edges, witnesses from only five threads: a pigeonhole search that takes many steps. */
Test(cycle_check, search_limit)
{
    const rl_witness w[] = { WIT(1, W, W, false), WIT(2, W, W, false), WIT(3, W, W, false),
                             WIT(4, W, W, false), WIT(5, W, W, false) };
    const rl_cycle_edge edges[] = { EDGE(w), EDGE(w), EDGE(w), EDGE(w), EDGE(w), EDGE(w) };
    size_t chosen[6];
    rl_cycle_check_result res;
    cr_assert(eq(int, check(edges, 6, 100, chosen, &res), RL_CYCLE_SEARCH_LIMIT));
    for (size_t i = 0; i < 6; i++)
        cr_assert(eq(sz, chosen[i], 0));
    /* with the default budget the search completes */
    cr_assert(eq(int, check(edges, 6, 0, chosen, &res), RL_CYCLE_SINGLE_THREAD));
}

Test(cycle_check, verdict_names)
{
    cr_assert(eq(str, (char *)rl_cycle_verdict_name(RL_CYCLE_DEADLOCK), "potential-deadlock"));
    cr_assert(eq(str, (char *)rl_cycle_verdict_name(RL_CYCLE_SINGLE_THREAD), "single-thread"));
    cr_assert(eq(str, (char *)rl_cycle_verdict_name(RL_CYCLE_GATE_LOCK), "gate-lock"));
    cr_assert(eq(str, (char *)rl_cycle_verdict_name(RL_CYCLE_TRYLOCK), "trylock"));
    cr_assert(eq(str, (char *)rl_cycle_verdict_name(RL_CYCLE_READ_ONLY), "read-only"));
    cr_assert(eq(str, (char *)rl_cycle_verdict_name(RL_CYCLE_MULTIPLE), "multiple"));
    cr_assert(eq(str, (char *)rl_cycle_verdict_name(RL_CYCLE_SEARCH_LIMIT), "search-limit"));
    cr_assert(eq(str, (char *)rl_cycle_verdict_name((rl_cycle_verdict)99), "unknown"));
}

/* ---- model: brute force over every choice ------------------------------------------------------- */

enum { RULE_THREADS = 1, RULE_GATES = 2, RULE_TRYLOCK = 4, RULE_LINKS = 8, RULES_ALL = 15 };

static bool gates_meet(const rl_witness *a, const rl_witness *b)
{
    for (size_t i = 0; i < a->n_gates; i++)
        for (size_t j = 0; j < b->n_gates; j++)
            if (a->gates[i] == b->gates[j])
                return true;
    return false;
}

/* Does this choice satisfy the rules in `rules`? Written straight from the header. */
static bool choice_ok(const rl_cycle_edge *edges, size_t n, const size_t *c, unsigned rules)
{
    for (size_t i = 0; i < n; i++) {
        const rl_witness *wi = &edges[i].witnesses[c[i]];
        const rl_witness *next = &edges[(i + 1) % n].witnesses[c[(i + 1) % n]];
        if ((rules & RULE_TRYLOCK) && wi->trylock)
            return false;
        if ((rules & RULE_LINKS) && !(wi->want_mode == RL_MODE_WRITE || next->hold_mode == RL_MODE_WRITE))
            return false;
        for (size_t j = i + 1; j < n; j++) {
            const rl_witness *wj = &edges[j].witnesses[c[j]];
            if ((rules & RULE_THREADS) && wi->thread == wj->thread)
                return false;
            if ((rules & RULE_GATES) && gates_meet(wi, wj))
                return false;
        }
    }
    return true;
}

static bool any_choice(const rl_cycle_edge *edges, size_t n, unsigned rules)
{
    size_t c[8] = { 0 };
    for (;;) {
        if (choice_ok(edges, n, c, rules))
            return true;
        size_t i = 0;
        while (i < n && ++c[i] == edges[i].n_witnesses)
            c[i++] = 0;
        if (i == n)
            return false;
    }
}

static rl_cycle_verdict model_verdict(const rl_cycle_edge *edges, size_t n)
{
    if (any_choice(edges, n, RULES_ALL))
        return RL_CYCLE_DEADLOCK;
    static const unsigned relax[] = { RULE_THREADS, RULE_GATES, RULE_TRYLOCK, RULE_LINKS };
    static const rl_cycle_verdict verdicts[] = { RL_CYCLE_SINGLE_THREAD, RL_CYCLE_GATE_LOCK,
                                                 RL_CYCLE_TRYLOCK, RL_CYCLE_READ_ONLY };
    for (size_t r = 0; r < 4; r++)
        if (any_choice(edges, n, RULES_ALL & ~relax[r]))
            return verdicts[r];
    return RL_CYCLE_MULTIPLE;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Test(cycle_check_model, random_cycles_vs_brute_force)
{
    static const uint32_t gate_pool[] = { 100, 101, 102 };
    uint64_t rng = 7;
    size_t seen[RL_CYCLE_SEARCH_LIMIT + 1] = { 0 };
    for (int round = 0; round < 20000; round++) {
        size_t n = 2 + rng_next(&rng) % 4;
        rl_witness wit[6][4];
        uint32_t gates[6][4][3];
        rl_cycle_edge edges[6];
        for (size_t i = 0; i < n; i++) {
            size_t k = 1 + rng_next(&rng) % 3;
            for (size_t j = 0; j < k; j++) {
                rl_witness *w = &wit[i][j];
                w->thread = (uint32_t)(rng_next(&rng) % (n + 1));
                w->hold_mode = rng_next(&rng) % 3 ? RL_MODE_WRITE : RL_MODE_READ;
                w->want_mode = rng_next(&rng) % 3 ? RL_MODE_WRITE : RL_MODE_READ;
                w->trylock = rng_next(&rng) % 8 == 0;
                w->n_gates = 0;
                for (size_t g = 0; g < 3; g++) /* ascending by construction */
                    if (rng_next(&rng) % 6 == 0)
                        gates[i][j][w->n_gates++] = gate_pool[g];
                w->gates = gates[i][j];
            }
            edges[i] = (rl_cycle_edge){ wit[i], k };
        }
        size_t chosen[6];
        rl_cycle_check_result res;
        rl_cycle_verdict got = check(edges, n, 0, chosen, &res);
        rl_cycle_verdict want = model_verdict(edges, n);
        cr_assert(eq(int, got, want), "round %d", round);
        seen[got]++;
        unsigned claimed = got == RL_CYCLE_DEADLOCK        ? RULES_ALL
                           : got == RL_CYCLE_SINGLE_THREAD ? RULES_ALL & ~RULE_THREADS
                           : got == RL_CYCLE_GATE_LOCK     ? RULES_ALL & ~RULE_GATES
                           : got == RL_CYCLE_TRYLOCK       ? RULES_ALL & ~RULE_TRYLOCK
                           : got == RL_CYCLE_READ_ONLY     ? RULES_ALL & ~RULE_LINKS
                                                           : 0;
        if (claimed) {
            for (size_t i = 0; i < n; i++)
                cr_assert(lt(sz, chosen[i], edges[i].n_witnesses));
            cr_assert(choice_ok(edges, n, chosen, claimed), "round %d: chosen witnesses break a rule", round);
        }
        if (got == RL_CYCLE_GATE_LOCK) {
            cr_assert(res.gate_found);
            bool shared = false;
            for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                    const rl_witness *a = &edges[i].witnesses[chosen[i]], *b = &edges[j].witnesses[chosen[j]];
                    bool in_a = false, in_b = false;
                    for (size_t g = 0; g < a->n_gates; g++)
                        in_a |= a->gates[g] == res.gate;
                    for (size_t g = 0; g < b->n_gates; g++)
                        in_b |= b->gates[g] == res.gate;
                    shared |= in_a && in_b;
                }
            cr_assert(shared, "round %d: reported gate %u is not shared", round, res.gate);
        } else {
            cr_assert(not(res.gate_found));
        }
    }
    for (int v = RL_CYCLE_DEADLOCK; v <= RL_CYCLE_MULTIPLE; v++)
        cr_assert(gt(sz, seen[v], 20), "verdict %d too rare in the random run", v);
}
