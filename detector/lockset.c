/* lockset.c: Eraser's per-variable state machine and candidate lockset (see lockset.h for the rule).
 *
 * C(v) is a sorted array, set once when the variable leaves exclusive (a copy of the locks held
 * then, allocated with exactly that many entries) and afterwards only intersected in place by a
 * merge of two sorted lists, so it never needs more memory. Only the allocator passed in is used:
 * no libc allocation, no stdio, no abort.
 */
#include "lockset.h"

#include <string.h>

void rl_lockset_init(rl_lockset_state *s)
{
    memset(s, 0, sizeof *s);
}

void rl_lockset_free(rl_lockset_state *s, const rl_allocator *a)
{
    if (s->cand)
        a->free(a->ctx, s->cand, (size_t)s->cap_cand * sizeof *s->cand);
    rl_lockset_init(s);
}

/* C(v) := held. False (C(v) unchanged) when out of memory. */
static bool cand_set(rl_lockset_state *s, const uint32_t *held, uint32_t n_held, const rl_allocator *a)
{
    if (n_held > s->cap_cand) {
        uint32_t *fresh = a->alloc(a->ctx, (size_t)n_held * sizeof *fresh);
        if (!fresh)
            return false;
        if (s->cand)
            a->free(a->ctx, s->cand, (size_t)s->cap_cand * sizeof *s->cand);
        s->cand = fresh;
        s->cap_cand = n_held;
    }
    if (n_held)
        memcpy(s->cand, held, (size_t)n_held * sizeof *held);
    s->n_cand = n_held;
    return true;
}

/* C(v) := C(v) intersect held (both ascending). */
static void cand_intersect(rl_lockset_state *s, const uint32_t *held, uint32_t n_held)
{
    uint32_t i = 0, j = 0, out = 0;
    while (i < s->n_cand && j < n_held) {
        if (s->cand[i] < held[j])
            i++;
        else if (s->cand[i] > held[j])
            j++;
        else {
            s->cand[out++] = s->cand[i];
            i++;
            j++;
        }
    }
    s->n_cand = out;
}

rl_lockset_result rl_lockset_on_access(rl_lockset_state *s, uint32_t tid, bool is_write,
                                       const uint32_t *held_sorted, uint32_t n_held,
                                       const rl_allocator *a)
{
    switch (s->phase) {
    case RL_LOCKSET_VIRGIN:
        s->phase = RL_LOCKSET_EXCLUSIVE;
        s->owner = tid;
        return RL_LOCKSET_OK;
    case RL_LOCKSET_EXCLUSIVE:
        if (tid == s->owner)
            return RL_LOCKSET_OK;
        s->phase = is_write ? RL_LOCKSET_SHARED_MODIFIED : RL_LOCKSET_SHARED;
        if (!cand_set(s, held_sorted, n_held, a)) {
            s->untracked = true;
            return RL_LOCKSET_NOMEM;
        }
        break;
    case RL_LOCKSET_SHARED:
        if (is_write)
            s->phase = RL_LOCKSET_SHARED_MODIFIED;
        if (!s->untracked)
            cand_intersect(s, held_sorted, n_held);
        break;
    case RL_LOCKSET_SHARED_MODIFIED:
        if (!s->untracked)
            cand_intersect(s, held_sorted, n_held);
        break;
    }
    if (s->phase == RL_LOCKSET_SHARED_MODIFIED && s->n_cand == 0 && !s->reported && !s->untracked) {
        s->reported = true;
        return RL_LOCKSET_VIOLATION;
    }
    return RL_LOCKSET_OK;
}

const char *rl_lockset_state_name(const rl_lockset_state *s)
{
    switch (s->phase) {
    case RL_LOCKSET_VIRGIN: return "virgin";
    case RL_LOCKSET_EXCLUSIVE: return "exclusive";
    case RL_LOCKSET_SHARED: return "shared";
    case RL_LOCKSET_SHARED_MODIFIED: return "shared-modified";
    }
    return "unknown";
}

rl_lockset_phase rl_lockset_phase_of(const rl_lockset_state *s)
{
    return s->phase;
}

const uint32_t *rl_lockset_candidates(const rl_lockset_state *s, uint32_t *n)
{
    *n = s->n_cand;
    return s->n_cand ? s->cand : NULL;
}

bool rl_lockset_state_check(const rl_lockset_state *s)
{
    if (s->phase > RL_LOCKSET_SHARED_MODIFIED)
        return false;
    if (s->n_cand > s->cap_cand || (s->cand == NULL) != (s->cap_cand == 0))
        return false;
    for (uint32_t i = 1; i < s->n_cand; i++)
        if (s->cand[i - 1] >= s->cand[i])
            return false;
    if ((s->phase == RL_LOCKSET_VIRGIN || s->phase == RL_LOCKSET_EXCLUSIVE) && s->n_cand)
        return false;
    if (s->untracked && (s->n_cand || s->reported))
        return false;
    if (s->reported && (s->phase != RL_LOCKSET_SHARED_MODIFIED || s->n_cand))
        return false;
    return true;
}
