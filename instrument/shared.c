/* shared.c: the shared-variable API of racelab.h (racelab_load / racelab_store / racelab_add).
 * Each access, under the variable's own spin lock (spin.h): the memory access itself, the
 * happens-before race check (detector/race.c, FastTrack), Eraser's lockset check when --lockset is on
 * (detector/lockset.c), and the exact lost-update accounting (detector/lostupdate.c). Findings are
 * logged after the variable's lock is released: R (data race, once per variable and pair of call
 * sites), K (lock discipline violated), Q/QE (the interleaving of the first lost update), and U
 * (totals, at exit). Lock order: a variable's lock may be held while taking rt.lock (through the
 * locked pool allocator), never the other way round.
 * Cost: the common access (FastTrack's same-epoch case, no finding) makes no call; the rare cases (a
 * finding, the first access, a schedule) are out of line.
 *
 * Biased ownership. Most variables are used by one thread for a long time, and the spin lock's
 * atomic exchange was most of an access's cost. So a variable starts *biased* to the thread that
 * made it: that thread enters by a plain store to owner_busy and a re-read of bias, with no atomic
 * read-modify-write; everyone else takes the spin lock. The first access by another thread revokes
 * the bias for good (under the spin lock): it clears bias, then membarrier(2) makes every running
 * thread of the process execute a full memory barrier, so either the owner's owner_busy store is
 * visible by then (the revoker waits for it to drop), or the owner's re-read of bias comes after
 * that barrier and sees the revocation (the owner backs off to the spin lock). This is the
 * asymmetric Dekker handshake of biased locking: the rare side pays (a few microseconds, once per
 * variable), the common side pays nothing. Without membarrier (an old kernel, a sandbox that
 * refuses it) variables are never biased. The owner's signal handlers pass straight through (its
 * re-entry guard is up), as with the spin lock. */
#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lockset.h"
#include "lostupdate.h"
#include "race.h"
#include "rt.h"
#include "rt_sched.h"
#include "spin.h"

#include "../include/racelab.h"

/* Laid out for accesses from several threads, where every line an access writes moves between their
 * caches: the first line holds everything an access touches outside the detectors' states, and the
 * record is cache-line aligned (race.h and lostupdate.h order their fields alike). */
typedef struct rt_var {
    _Alignas(64) _Atomic uint32_t bias; /* 1 + tid of the thread it is biased to; 0: shared, use the lock */
    _Atomic uint32_t owner_busy; /* the bias owner is inside an access (written by the owner only) */
    rt_spin lock;              /* guards what follows, once the bias is revoked (or never given) */
    uint64_t accesses;         /* all accesses */
    uint64_t locked_accesses;  /* accesses made while holding at least one lock */
    uint64_t thread_mask;      /* threads that accessed it (tid % 64): how many shared it */
    rt_lock *obj;              /* its record in the object table (uid, index) */
    racelab_shared *user;
    _Alignas(64) rl_race_state race;
    _Alignas(64) rl_lostupdate lu;
    rl_lockset_state lockset;
    struct rt_var *next;       /* rt.vars */
} rt_var;

/* ---- biased ownership ---------------------------------------------------------------------------- */

/* Whether membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) works in this process: 0 not asked yet, 1 yes
 * (registered), -1 no (variables are then never biased). Per process; the fork child asks again. */
static _Atomic int membarrier_state;

static int membarrier_register(void)
{
    long rc = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
    return rc == 0 ? 1 : -1;
}

static bool bias_available(void)
{
    int st = atomic_load_explicit(&membarrier_state, memory_order_acquire);
    if (st == 0) {
        int saved = errno;
        st = membarrier_register();
        errno = saved;
        atomic_store_explicit(&membarrier_state, st, memory_order_release);
    }
    return st > 0;
}

/* Every running thread of the process executes a full memory barrier before this returns. */
static void barrier_all_threads(void)
{
    int saved = errno;
    long rc = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    if (rc != 0 && membarrier_register() > 0) /* registration lost (it should not be): once more */
        rc = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    if (rc != 0) {
        /* cannot happen once registered; should it, a millisecond drains any store buffer in practice */
        struct timespec ts = { 0, 1000000 };
        syscall(SYS_nanosleep, &ts, NULL);
    }
    errno = saved;
}

/* Revoke the bias (the spin lock held): from now on every thread, the old owner too, takes the lock. */
static __attribute__((noinline)) void bias_revoke(rt_var *var)
{
    atomic_store_explicit(&var->bias, 0, memory_order_seq_cst);
    barrier_all_threads();
    for (unsigned round = 0; atomic_load_explicit(&var->owner_busy, memory_order_acquire); round++) {
        if (round < 64) {
            sched_yield();
        } else {
            struct timespec ts = { 0, 10000 };
            syscall(SYS_nanosleep, &ts, NULL); /* not nanosleep(): no cancellation point in the runtime */
        }
    }
}

/* Enter the variable's critical section; returns whether as its bias owner (leave with var_leave). */
static inline __attribute__((always_inline)) bool var_enter(rt_var *var, const rt_thread *t)
{
    uint32_t me = t->tid + 1, bias = atomic_load_explicit(&var->bias, memory_order_relaxed);
    if (__builtin_expect(bias == me, 1)) {
        atomic_store_explicit(&var->owner_busy, 1, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst); /* the revoker's membarrier orders the CPU */
        if (__builtin_expect(atomic_load_explicit(&var->bias, memory_order_relaxed) == me, 1))
            return true;
        atomic_store_explicit(&var->owner_busy, 0, memory_order_release); /* revoked meanwhile */
    }
    rt_spin_lock(&var->lock);
    if (__builtin_expect(atomic_load_explicit(&var->bias, memory_order_relaxed) != 0, 0))
        bias_revoke(var);
    return false;
}

static inline __attribute__((always_inline)) void var_leave(rt_var *var, bool owner)
{
    if (owner)
        atomic_store_explicit(&var->owner_busy, 0, memory_order_release);
    else
        rt_spin_unlock(&var->lock);
}

/* Fork child: only the forking thread is left. Locks and busy flags held by threads that no longer
 * exist are dropped (the forking thread, outside the runtime, holds none); biases to them stay and are
 * revoked at the next access as usual, once membarrier is registered again for this process. */
void rt_vars_after_fork_child(bool forking_thread_inside)
{
    atomic_store_explicit(&membarrier_state, 0, memory_order_relaxed);
    bool barrier = bias_available();
    for (rt_var *var = rt.vars; var; var = var->next) {
        if (!barrier)
            atomic_store_explicit(&var->bias, 0, memory_order_relaxed); /* one thread: nothing to revoke */
        if (!forking_thread_inside) {
            atomic_store_explicit(&var->owner_busy, 0, memory_order_relaxed);
            atomic_store_explicit(&var->lock, 0, memory_order_relaxed);
        }
    }
}

/* ---- records -------------------------------------------------------------------------------------- */

/* The variable's record, made at its first access (by t, which it is biased to). */
static __attribute__((noinline)) rt_var *var_make(racelab_shared *v, uintptr_t pc, const rt_thread *t)
{
    bool bias = bias_available();
    rt_lock *l = rt_object_get(v, RT_KIND_VAR, pc);
    if (!l)
        return NULL;
    rt_real.mutex_lock(&rt.lock);
    if (!l->var) {
        char *raw = rt_pool_alloc(sizeof(rt_var) + 63); /* never freed */
        rt_var *var = raw ? (rt_var *)(((uintptr_t)raw + 63) & ~(uintptr_t)63) : NULL;
        if (var) {
            var->obj = l;
            var->user = v;
            atomic_store_explicit(&var->bias, bias ? t->tid + 1 : 0, memory_order_relaxed);
            rl_lostupdate_init(&var->lu, v->value);
            var->next = rt.vars;
            rt.vars = var;
            rt_line ln;
            rt_line_start(&ln, "V");
            rt_line_hex(&ln, l->uid);
            rt_line_i64(&ln, v->value);
            rt_line_str(&ln, v->name && v->name[0] ? v->name : "(unnamed)");
            rt_line_end(&ln);
            __atomic_store_n(&l->var, var, __ATOMIC_RELEASE);
        }
    }
    rt_real.mutex_unlock(&rt.lock);
    if (l->var)
        rt_hb_enable();
    return l->var;
}

static inline rt_var *var_get(racelab_shared *v, uintptr_t pc, const rt_thread *t)
{
    rt_lock *l = rt_table_lookup((uintptr_t)v);
    if (__builtin_expect(l && l->kind == RT_KIND_VAR && !atomic_load_explicit(&l->destroyed, memory_order_acquire), 1)) {
        rt_var *var = __atomic_load_n(&l->var, __ATOMIC_ACQUIRE);
        if (__builtin_expect(var != NULL, 1))
            return var;
    }
    return var_make(v, pc, t);
}

static void log_held(rt_line *ln, const rl_access_info *a)
{
    uint32_t n = a->n_held < RL_ACCESS_MAX_HELD ? a->n_held : RL_ACCESS_MAX_HELD;
    rt_line_u64(ln, n);
    for (uint32_t i = 0; i < n; i++)
        rt_line_hex(ln, rt_uid(a->held[i] + 1));
}

static void report_race(rt_var *var, const rl_race_report *rep)
{
    rt_stack st;
    rt_stack_capture(&st);
    /* once per variable and pair of call sites, whichever of the two came first: the key is symmetric
     * in the two sites, and read-write and write-read are one pair of a read and a write */
    uint64_t sites = rt_mix64(rep->earlier.pc) + rt_mix64(rep->now.pc);
    uint64_t key = rt_mix64(var->obj->uid ^ sites * 3 ^ (rep->kind == RL_RACE_WRITE_WRITE));
    rt_real.mutex_lock(&rt.lock);
    if (rt_seen_once(key)) {
        uint64_t now_stack = rt_stack_log(&st);
        uint64_t earlier_stack = rt_stack_log_pc(rep->earlier.pc);
        rt_line ln;
        rt_line_start(&ln, "R");
        rt_line_hex(&ln, var->obj->uid);
        rt_line_str(&ln, rl_race_kind_name(rep->kind));
        rt_line_u64(&ln, rep->now.tid);
        rt_line_str(&ln, rep->now.is_write ? "w" : "r");
        rt_line_i64(&ln, rep->now.value);
        rt_line_hex(&ln, now_stack);
        rt_line_u64(&ln, rep->earlier.tid);
        rt_line_str(&ln, rep->earlier.is_write ? "w" : "r");
        rt_line_i64(&ln, rep->earlier.value);
        rt_line_hex(&ln, earlier_stack);
        log_held(&ln, &rep->now);
        log_held(&ln, &rep->earlier);
        rt_line_u64(&ln, rep->now.held_read); /* which of them were held for reading */
        rt_line_u64(&ln, rep->earlier.held_read);
        rt_line_end(&ln);
    }
    rt_real.mutex_unlock(&rt.lock);
}

static void report_lockset(rt_var *var, const rl_access_info *now)
{
    rt_stack st;
    rt_stack_capture(&st);
    rt_real.mutex_lock(&rt.lock);
    rt_line ln;
    rt_line_start(&ln, "K");
    rt_line_hex(&ln, var->obj->uid);
    rt_line_u64(&ln, now->tid);
    rt_line_str(&ln, now->is_write ? "w" : "r");
    rt_line_hex(&ln, rt_stack_log(&st));
    rt_line_end(&ln);
    rt_real.mutex_unlock(&rt.lock);
}

/* The interleaving of the first lost update (copied out under the variable's lock), called from the
 * stale store itself: Q carries that store's full stack, each QE the one-frame stack of its access. */
static void report_trace(rt_var *var, const rl_lu_trace *tr)
{
    rt_stack st;
    rt_stack_capture(&st);
    rt_real.mutex_lock(&rt.lock);
    rt_line ln;
    rt_line_start(&ln, "Q");
    rt_line_hex(&ln, var->obj->uid);
    rt_line_u64(&ln, tr->tid);
    rt_line_u64(&ln, tr->skipped);
    rt_line_hex(&ln, rt_stack_log(&st));
    rt_line_end(&ln);
    for (uint32_t i = 0; i < tr->n; i++) {
        const rl_lu_event *e = &tr->ev[i];
        rt_line_start(&ln, "QE");
        rt_line_hex(&ln, var->obj->uid);
        rt_line_u64(&ln, i);
        rt_line_i64(&ln, e->tid == RL_LU_NO_TID ? -1 : (int64_t)e->tid);
        rt_line_str(&ln, rl_lu_op_name(e->op));
        rt_line_i64(&ln, e->value);
        rt_line_u64(&ln, e->version);
        rt_line_u64(&ln, e->stale ? 1 : 0);
        rt_line_i64(&ln, e->stale && e->overwrote_tid != RL_LU_NO_TID ? (int64_t)e->overwrote_tid : -1);
        rt_line_hex(&ln, rt_stack_log_pc(e->pc));
        rt_line_end(&ln);
    }
    rt_real.mutex_unlock(&rt.lock);
}

void rt_vars_log_totals(void)
{
    for (rt_var *var = rt.vars; var; var = var->next) {
        rl_lu_stats s = rl_lostupdate_stats(&var->lu);
        rt_line ln;
        rt_line_start(&ln, "U");
        rt_line_hex(&ln, var->obj->uid);
        rt_line_i64(&ln, var->user->value); /* actual, as in memory now */
        rt_line_i64(&ln, s.expected);
        rt_line_i64(&ln, s.lost_value);
        rt_line_u64(&ln, s.lost_writes);
        rt_line_u64(&ln, s.stale_stores);
        rt_line_u64(&ln, s.version);
        rt_line_u64(&ln, s.outside_writes);
        rt_line_u64(&ln, s.nomem ? 1 : 0);
        rt_line_i64(&ln, s.lost_since_assignment);
        rt_line_u64(&ln, s.lost_updates);
        rt_line_u64(&ln, var->accesses);
        rt_line_u64(&ln, var->locked_accesses);
        rt_line_u64(&ln, (uint64_t)__builtin_popcountll(var->thread_mask));
        rt_line_end(&ln);
    }
}

typedef enum { ACC_LOAD, ACC_STORE, ACC_ADD } acc_kind;

/* Eraser, under the variable's lock: atomic adds need no lock; deeper holds than 256 are not checked
 * (it needs the full set). True: the violation to report. */
static __attribute__((noinline)) bool lockset_check(rt_var *var, rt_thread *t, bool is_write)
{
    if (t->n_held > 256)
        return false;
    uint32_t held[256];
    uint32_t n = t->n_held;
    for (uint32_t i = 0; i < n; i++)
        held[i] = t->held[i].lock->index;
    for (uint32_t i = 1; i < n; i++) /* insertion sort: held sets are short */
        for (uint32_t j = i; j > 0 && held[j - 1] > held[j]; j--) {
            uint32_t x = held[j];
            held[j] = held[j - 1];
            held[j - 1] = x;
        }
    return rl_lockset_on_access(&var->lockset, t->tid, is_write, held, n, &rt_locked_pool_allocator) ==
           RL_LOCKSET_VIOLATION;
}

/* What an access found, logged after the variable's lock is released. */
static __attribute__((noinline, cold)) void report_findings(rt_var *var, rl_race_kind race, const rl_race_report *rep,
                                                            bool lockset_violation, const rl_access_info *now,
                                                            const rl_lu_trace *trace)
{
    if (race != RL_RACE_NONE)
        report_race(var, rep);
    if (lockset_violation)
        report_lockset(var, now);
    if (trace)
        report_trace(var, trace);
}

/* The access without racelab's bookkeeping: outside a wrapper's reach (before init, or re-entered
 * from a signal handler) or when the variable's record cannot be made. */
static __attribute__((noinline)) long access_plain(racelab_shared *v, acc_kind kind, long arg, rt_thread *t)
{
    long r = kind == ACC_LOAD ? v->value : kind == ACC_ADD ? __atomic_add_fetch(&v->value, arg, __ATOMIC_SEQ_CST) : (v->value = arg);
    if (t)
        rt_leave(t);
    return r;
}

static inline __attribute__((always_inline)) long access_var(racelab_shared *v, acc_kind kind, long arg, uintptr_t pc)
{
    rt_thread *t = rt_enter();
    rt_var *var = t ? var_get(v, pc, t) : NULL;
    if (__builtin_expect(!var, 0))
        return access_plain(v, kind, arg, t);
    rt_op op = kind == ACC_LOAD ? RT_OP_LOAD : kind == ACC_STORE ? RT_OP_STORE : RT_OP_ADD;
    rt_sched_point(t, op, var->obj->index, 0);
    rt_hb_own_entry(t);
    rl_access_info now;
    now.tid = t->tid;
    now.is_write = kind != ACC_LOAD;
    now.pc = pc;
    uint32_t n_held = t->n_held;
    now.n_held = n_held;
    now.held_read = 0;
    for (uint32_t i = 0; i < n_held && i < RL_ACCESS_MAX_HELD; i++) {
        now.held[i] = t->held[i].lock->index;
        now.held_read |= (uint8_t)((t->held[i].mode == RL_MODE_READ) << i);
    }
    rl_race_report rep;
    rl_lu_store_result lost;
    lost.first_stale = false;
    rl_lu_trace trace;
    bool lockset_violation = false;
    const rl_allocator *a = &rt_locked_pool_allocator;

    bool owner = var_enter(var, t);
    var->accesses++;
    var->locked_accesses += n_held > 0;
    var->thread_mask |= 1ull << (t->tid % 64);
    long result;
    rl_race_kind race;
    if (kind == ACC_LOAD) {
        result = v->value;
        now.value = result;
        race = rl_race_read(&var->race, &t->vc, &now, &rep, a);
        rl_lostupdate_on_load(&var->lu, t->tid, result, pc, a);
    } else if (kind == ACC_STORE) {
        v->value = arg;
        result = arg;
        now.value = arg;
        race = rl_race_write(&var->race, &t->vc, &now, &rep);
        rl_lostupdate_on_store(&var->lu, t->tid, arg, pc, &lost);
        if (__builtin_expect(lost.first_stale, 0))
            trace = *rl_lostupdate_trace(&var->lu);
    } else {
        long before = v->value;
        v->value = before + arg; /* atomic: under the variable's lock */
        result = before + arg;
        now.value = result;
        /* an atomic read-modify-write: a write for the race check, but atomics do not race with each
         * other; a plain access against it still does */
        race = RL_RACE_NONE;
        rl_race_write(&var->race, &t->vc, &now, NULL);
        rl_lostupdate_on_add(&var->lu, t->tid, arg, before, pc);
    }
    if (__builtin_expect(rt.lockset, 0) && kind != ACC_ADD)
        lockset_violation = lockset_check(var, t, kind != ACC_LOAD);
    var_leave(var, owner);

    if (__builtin_expect(rt.schedule != RT_SCHED_NATIVE, 0))
        rt_sched_mix(t, op, var->obj->index, result);
    if (__builtin_expect(race != RL_RACE_NONE || lockset_violation || lost.first_stale, 0))
        report_findings(var, race, &rep, lockset_violation, &now, lost.first_stale ? &trace : NULL);
    rt_leave(t);
    return result;
}

RT_EXPORT long racelab_load_impl(racelab_shared *v) { return access_var(v, ACC_LOAD, 0, RT_CALLER_PC); }
RT_EXPORT void racelab_store_impl(racelab_shared *v, long value) { access_var(v, ACC_STORE, value, RT_CALLER_PC); }
RT_EXPORT long racelab_add_impl(racelab_shared *v, long delta) { return access_var(v, ACC_ADD, delta, RT_CALLER_PC); }
