/* race.c: FastTrack's per-variable shadow state (see race.h for the rule and the contract).
 *
 * The rules, as named in the paper, with C the accessing thread t's clock and E(t) = C[t]@t:
 *   READ SAME EPOCH      R == E(t) (or R shared and R[t] == C[t])   nothing to do
 *   (every other read)   W <= C, else write-read race
 *   READ EXCLUSIVE       R an epoch, R <= C                          R := E(t)
 *   READ SHARE           R an epoch, not R <= C                      R := {R.tid: R.clock, t: C[t]}
 *   READ SHARED          R a vector clock                            R[t] := C[t]
 *   WRITE SAME EPOCH     W == E(t)                                   nothing to do
 *   (every other write)  W <= C, else write-write race; then R <= C, else read-write race
 *   WRITE EXCLUSIVE / WRITE SHARED                                   W := E(t), R := none
 * (The paper keeps an epoch R on WRITE EXCLUSIVE; emptying it changes nothing before the first
 * race, since R happened before this write, and it keeps the reported reads recent.)
 *
 * Memory is needed only by READ SHARE and READ SHARED (a thread id beyond the read clock). It is
 * reserved before the state changes; on failure the read is recorded as an epoch (READ SHARE) or not
 * at all (READ SHARED), which can only hide races, never invent one. Only the allocator passed in is
 * used: no libc allocation, no stdio, no abort.
 */
#include "race.h"

#include <string.h>

void rl_race_state_init(rl_race_state *s)
{
    memset(s, 0, sizeof *s);
}

void rl_race_state_free(rl_race_state *s, const rl_allocator *a)
{
    rl_vclock_free(&s->read_vc, a);
    if (s->read_infos)
        a->free(a->ctx, s->read_infos, (size_t)s->read_infos_cap * sizeof *s->read_infos);
    rl_race_state_init(s);
}

/* Room in read_infos for thread ids up to `tid`. */
static bool reserve_read_infos(rl_race_state *s, uint32_t tid, const rl_allocator *a)
{
    if (tid < s->read_infos_cap)
        return true;
    size_t cap = s->read_infos_cap;
    void *fresh = rl_array_grow(a, s->read_infos, sizeof *s->read_infos, &cap, (size_t)tid + 1);
    if (!fresh || cap > UINT32_MAX) { /* cap > UINT32_MAX: unreachable for tid < UINT32_MAX */
        if (fresh && fresh != s->read_infos)
            a->free(a->ctx, fresh, cap * sizeof *s->read_infos);
        return false;
    }
    s->read_infos = fresh;
    s->read_infos_cap = (uint32_t)cap;
    return true;
}

/* READ SHARED: R[t] := clock. False (nothing changed in R) when out of memory. */
static bool shared_record(rl_race_state *s, uint32_t tid, uint32_t clock, const rl_access_info *info,
                          const rl_allocator *a)
{
    if (!reserve_read_infos(s, tid, a) || !rl_vclock_set(&s->read_vc, tid, clock, a))
        return false;
    s->read_infos[tid] = *info;
    return true;
}

/* READ SHARE: R becomes the vector clock of the old epoch R and t's read. False (nothing changed in
 * R) when out of memory. */
static bool share(rl_race_state *s, uint32_t tid, uint32_t clock, const rl_access_info *info,
                  const rl_allocator *a)
{
    rl_epoch old = s->read;
    uint32_t high = old.tid > tid ? old.tid : tid;
    /* Setting the higher id first grows the clock once; the second set then cannot fail. */
    if (!reserve_read_infos(s, high, a) || !rl_vclock_set(&s->read_vc, high, 1, a))
        return false;
    s->read_vc.c[old.tid] = old.clock;
    s->read_vc.c[tid] = clock;
    s->read_infos[old.tid] = s->read_info;
    s->read_infos[tid] = *info;
    s->read_shared = true;
    s->read = (rl_epoch){ 0, 0 };
    memset(&s->read_info, 0, sizeof s->read_info);
    return true;
}

/* dst := src with is_write set, field by field: only the held ids in use are copied (a report reads
 * no further), and each field is read as it was written (no wide copy of a struct just built). */
static inline void set_info(rl_access_info *dst, const rl_access_info *src, bool is_write)
{
    dst->tid = src->tid;
    dst->is_write = is_write;
    dst->pc = src->pc;
    dst->value = src->value;
    uint32_t n = src->n_held;
    dst->n_held = n;
    dst->held_read = src->held_read;
    if (n > RL_ACCESS_MAX_HELD)
        n = RL_ACCESS_MAX_HELD;
    for (uint32_t i = 0; i < n; i++)
        dst->held[i] = src->held[i];
}

/* The race found (kind != RL_RACE_NONE): the report. */
static void fill_race(rl_race_report *out, rl_race_kind kind, const rl_access_info *earlier,
                      const rl_access_info *now, bool is_write, bool nomem)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->earlier = *earlier;
    set_info(&out->now, now, is_write);
    out->nomem = nomem;
}

/* The whole rule for a read; *nomem: the read could not be recorded in full. The report is filled
 * only for a race. */
static inline rl_race_kind on_read(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                                   rl_race_report *out, const rl_allocator *a, bool *nomem)
{
    uint32_t t = now->tid, ct = rl_vclock_get(thread_vc, t);
    *nomem = false;

    /* READ SAME EPOCH */
    if (!s->read_shared) {
        if (s->read.tid == t && s->read.clock == ct) {
            set_info(&s->read_info, now, false); /* the latest read, for reports */
            return RL_RACE_NONE;
        }
    } else if (rl_vclock_get(&s->read_vc, t) == ct) {
        return RL_RACE_NONE;
    }

    rl_race_kind kind = RL_RACE_NONE;
    if (!rl_epoch_leq(s->write, thread_vc))
        kind = RL_RACE_WRITE_READ;
    /* The updates below never touch write_info, so the report can be filled last. */

    rl_access_info info;
    if (s->read_shared) {
        set_info(&info, now, false);
        *nomem = !shared_record(s, t, ct, &info, a);         /* READ SHARED */
    } else {
        bool ordered = rl_epoch_leq(s->read, thread_vc);
        if (!ordered)
            set_info(&info, now, false);
        if (ordered || !share(s, t, ct, &info, a)) {        /* READ EXCLUSIVE (or SHARE failed) */
            *nomem = !ordered;
            s->read = (rl_epoch){ t, ct };
            set_info(&s->read_info, now, false);
        }
    }
    if (__builtin_expect(kind != RL_RACE_NONE, 0))
        fill_race(out, kind, &s->write_info, now, false, *nomem);
    return kind;
}

/* The whole rule for a write (never allocates). The report is filled only for a race. */
static inline rl_race_kind on_write(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                                    rl_race_report *out)
{
    uint32_t t = now->tid, ct = rl_vclock_get(thread_vc, t);

    /* WRITE SAME EPOCH (the description follows the latest write, so reports show the value and
     * place a racing access really met) */
    if (s->write.tid == t && s->write.clock == ct) {
        set_info(&s->write_info, now, true);
        return RL_RACE_NONE;
    }

    rl_race_kind kind = RL_RACE_NONE;
    const rl_access_info *earlier = NULL;
    if (!rl_epoch_leq(s->write, thread_vc)) {
        kind = RL_RACE_WRITE_WRITE;
        earlier = &s->write_info;
    } else if (!s->read_shared) {
        if (!rl_epoch_leq(s->read, thread_vc)) {
            kind = RL_RACE_READ_WRITE;
            earlier = &s->read_info;
        }
    } else {
        for (uint32_t u = 0; u < s->read_vc.n; u++)
            if (s->read_vc.c[u] > rl_vclock_get(thread_vc, u)) {
                kind = RL_RACE_READ_WRITE;
                earlier = &s->read_infos[u];
                break;
            }
    }
    if (__builtin_expect(kind != RL_RACE_NONE, 0))
        fill_race(out, kind, earlier, now, true, false);

    /* WRITE EXCLUSIVE / WRITE SHARED */
    s->write = (rl_epoch){ t, ct };
    set_info(&s->write_info, now, true);
    if (s->read_shared) {
        if (s->read_vc.n)
            memset(s->read_vc.c, 0, (size_t)s->read_vc.n * sizeof *s->read_vc.c);
        s->read_vc.n = 0;
        s->read_shared = false;
    }
    s->read = (rl_epoch){ 0, 0 }; /* (read_info is left as it was: nothing reads it while R is none) */
    return kind;
}

/* No race: the report of the access alone. */
static void fill_none(rl_race_report *out, const rl_access_info *now, bool is_write, bool nomem)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    out->now = *now;
    out->now.is_write = is_write;
    out->nomem = nomem;
}

rl_race_kind rl_race_on_read(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                             rl_race_report *out, const rl_allocator *a)
{
    bool nomem;
    rl_race_kind kind = on_read(s, thread_vc, now, out, a, &nomem);
    if (kind == RL_RACE_NONE)
        fill_none(out, now, false, nomem);
    return kind;
}

rl_race_kind rl_race_on_write(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                              rl_race_report *out, const rl_allocator *a)
{
    (void)a; /* a write never allocates */
    rl_race_kind kind = on_write(s, thread_vc, now, out);
    if (kind == RL_RACE_NONE)
        fill_none(out, now, true, false);
    return kind;
}

rl_race_kind rl_race_read(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                          rl_race_report *out, const rl_allocator *a)
{
    bool nomem;
    return on_read(s, thread_vc, now, out, a, &nomem);
}

rl_race_kind rl_race_write(rl_race_state *s, const rl_vclock *thread_vc, const rl_access_info *now,
                           rl_race_report *out)
{
    return on_write(s, thread_vc, now, out);
}

const char *rl_race_kind_name(rl_race_kind kind)
{
    switch (kind) {
    case RL_RACE_NONE: return "none";
    case RL_RACE_WRITE_WRITE: return "write-write";
    case RL_RACE_READ_WRITE: return "read-write";
    case RL_RACE_WRITE_READ: return "write-read";
    }
    return "unknown";
}

bool rl_race_state_check(const rl_race_state *s)
{
    if (!rl_vclock_check(&s->read_vc))
        return false;
    if ((s->read_infos == NULL) != (s->read_infos_cap == 0))
        return false;
    if (s->write.clock && (s->write_info.tid != s->write.tid || !s->write_info.is_write))
        return false;
    if (!s->read_shared) {
        for (uint32_t u = 0; u < s->read_vc.n; u++)
            if (s->read_vc.c[u])
                return false;
        if (s->read.clock && (s->read_info.tid != s->read.tid || s->read_info.is_write))
            return false;
        return true;
    }
    if (s->read.clock || s->read_infos_cap < s->read_vc.n)
        return false;
    for (uint32_t u = 0; u < s->read_vc.n; u++)
        if (s->read_vc.c[u] && (s->read_infos[u].tid != u || s->read_infos[u].is_write))
            return false;
    return true;
}
