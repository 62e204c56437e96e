/* interpose_mutex.c: pthread_mutex_* wrappers. Each: re-entry guard, pre-hook, real call, post-hook on
 * the return code, return that code with errno unchanged. A blocking lock first tries the real
 * trylock, so only a lock that would really block publishes "blocked on" state for the watchdog. */
#include <errno.h>

#include "rt.h"
#include "rt_sched.h"

/* Each wrapper's work is in an rt_mutex_*_at function that takes the program's call site (pc), so
 * that C11's mtx_* (interpose_c11.c) report the program's lines too. */
int rt_mutex_init_at(pthread_mutex_t *m, const pthread_mutexattr_t *attr, uintptr_t pc)
{
    rt_real_resolve();
    int rc = rt_real.mutex_init(m, attr);
    rt_thread *t = rt_enter();
    if (!t)
        return rc;
    if (rc == 0)
        rt_object_init(m, RT_KIND_MUTEX, 0, 0, pc);
    rt_leave(t);
    return rc;
}

RT_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    return rt_mutex_init_at(m, attr, RT_CALLER_PC);
}

int rt_mutex_destroy_at(pthread_mutex_t *m, uintptr_t pc)
{
    rt_real_resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return rt_real.mutex_destroy(m);
    rt_lock *l = rt_object_get(m, RT_KIND_MUTEX, pc);
    char holder[32];
    if (l && atomic_load_explicit(&l->owner, memory_order_relaxed))
        rt_report_misuse(t, "destroy-locked", l, pc, rt_holder_detail(l, holder), NULL);
    int rc = rt_real.mutex_destroy(m);
    if (rc == 0)
        rt_object_destroyed(l);
    rt_leave(t);
    return rc;
}

RT_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
    return rt_mutex_destroy_at(m, RT_CALLER_PC);
}

/* The real call that waits: for ever, or until abstime on clock. */
static int real_mutex_wait(pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock)
{
    if (!abstime)
        return rt_real.mutex_lock(m);
    if (clock == CLOCK_REALTIME)
        return rt_real.mutex_timedlock(m, abstime);
    return rt_real.mutex_clocklock ? rt_real.mutex_clocklock(m, clock, abstime) : ENOSYS;
}

/* A robust mutex (glibc: PTHREAD_MUTEX_ROBUST_NORMAL_NP in __kind). Its lock is never tried first:
 * glibc's trylock of one left not recoverable returns ENOTRECOVERABLE and yet leaves it taken, so the
 * program's own lock calls, which return ENOTRECOVERABLE without racelab, would then hang for ever. */
static inline bool mutex_is_robust(const pthread_mutex_t *m) { return (m->__data.__kind & 16) != 0; }

static int mutex_acquire(pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock, bool trylock,
                         uintptr_t pc)
{
    rt_thread *t = rt_enter();
    if (!t)
        return trylock ? rt_real.mutex_trylock(m) : real_mutex_wait(m, abstime, clock);
    rt_lock *l = rt_object_get(m, RT_KIND_MUTEX, pc);
    if (!l) {
        rt_leave(t);
        return trylock ? rt_real.mutex_trylock(m) : real_mutex_wait(m, abstime, clock);
    }
    rt_sched_point(t, trylock ? RT_OP_TRYLOCK : RT_OP_LOCK, l->index, 0);
    if (__builtin_expect(rt_confirm_sites != 0, 0) && !trylock)
        rt_confirm_point(t, pc);
    rt_acquire acq;
    rt_before_acquire(t, l, RL_MODE_WRITE, trylock ? RT_ACQ_TRY : abstime ? RT_ACQ_TIMED : RT_ACQ_BLOCKING, pc, &acq);
    bool robust = mutex_is_robust(m);
    int rc = robust && !trylock ? EBUSY : rt_real.mutex_trylock(m);
    if (rc == EBUSY && !trylock) {
        t->blocked_stack = acq.stack;
        rt_timeline(t, RT_TL_LOCK, l);
        bool mine = atomic_load_explicit(&l->owner, memory_order_relaxed) == t;
        if (rt_sched_token_mode() && !abstime && !l->pshared && !mine && !robust) {
            /* wait in the scheduler, not the kernel, so the interleaving stays reproducible */
            rt_block_begin(t, RT_BLOCK_LOCK, l, pc);
            while (rc == EBUSY) {
                rt_sched_wait_on(t, l);
                rc = rt_real.mutex_trylock(m);
            }
            rt_block_end(t);
        } else {
            rt_sched_leave(t);
            rt_block_begin(t, abstime || l->pshared ? (abstime ? RT_BLOCK_TIMED : RT_BLOCK_EXTERNAL) : RT_BLOCK_LOCK, l, pc);
            rc = real_mutex_wait(m, abstime, clock);
            rt_block_end(t);
            rt_sched_return(t);
        }
    }
    if (rc == 0 || rc == EOWNERDEAD) {
        rt_after_acquire(t, &acq);
        rt_hb_acquire(t, l);
        rt_timeline(t, RT_TL_ACQUIRED, l);
        if (rc == EOWNERDEAD)
            rt_note_owner_died(t, l);
    }
    rt_leave(t);
    return rc;
}

/* The fast path: a known mutex, not held by this thread, on top of a held chain already seen, with
 * no schedule, confirmation or timeline to serve. It does what the general path does in that case
 * (nothing is learned, so nothing is logged): no lock, no call but the real one. Two tiers:
 *   - the thread's memo (rt_thread.fast): the same mutex taken on the same chain before; one probe;
 *   - the shared tables: object table, then chain set, both lock-free; a hit fills the memo.
 * Everything else takes the general path (mutex_acquire). Re-entry needs no guard here: nothing
 * below calls back into a wrapper; a signal handler arriving inside the runtime finds in_runtime set
 * and takes the general path, which passes straight through. */
static inline size_t fast_slot(uintptr_t m, uint64_t prev, uint32_t mask)
{
    return (size_t)((m >> 3) ^ prev ^ (prev >> 17)) & mask;
}

/* A thread whose memo keeps missing on chains the shared tables know (more than 1 acquisition in 8,
 * over a window of 512 such misses) gets the larger memo; its entries start empty. */
static void fast_memo_maybe_grow(rt_thread *t)
{
    if (++t->fast_refills < 512)
        return;
    uint64_t window = t->acquisitions - t->fast_window_start;
    t->fast_refills = 0;
    t->fast_window_start = t->acquisitions;
    if (t->fast != t->fast_small || window > 8 * 512)
        return;
    rt_fast_entry *grown = rt_pages_alloc(RT_FAST_SLOTS_GROWN * sizeof *grown);
    if (!grown)
        return; /* keep the small one: slower, still right */
    t->fast = grown; /* pointer first, then mask (see rt_thread.fast) */
    atomic_signal_fence(memory_order_seq_cst);
    atomic_store_explicit(&t->fast_mask, RT_FAST_SLOTS_GROWN - 1, memory_order_relaxed);
}

/* The shared tables' answer for m on top of the thread's held chain, written to its memo entry; false:
 * take the general path. */
static bool fast_fill(rt_thread *t, pthread_mutex_t *m)
{
    rt_lock *l = rt_table_lookup((uintptr_t)m);
    if (!l || l->kind != RT_KIND_MUTEX || atomic_load_explicit(&l->destroyed, memory_order_relaxed) ||
        mutex_is_robust(m)) /* the fast path tries the lock first: never for these (mutex_is_robust) */
        return false;
    uint32_t n = t->n_held;
    uint64_t prev = n ? t->held[n - 1].chain_key : rt_chain_base(t);
    uint64_t key = rt_chain_step(prev, l, RL_MODE_WRITE, false), stack;
    if (!rt_chain_lookup(key, &stack))
        return false;
    /* written m last (and cleared first), so that a signal handler running on this thread in between
     * never takes a half-written entry for a whole one (the fences keep the compiler's order) */
    uint32_t mask = atomic_load_explicit(&t->fast_mask, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    rt_fast_entry *e = &t->fast[fast_slot((uintptr_t)m, prev, mask)];
    e->m = 0;
    atomic_signal_fence(memory_order_seq_cst);
    e->prev = prev;
    e->lock = l;
    e->key = key;
    e->stack = stack;
    atomic_signal_fence(memory_order_seq_cst);
    e->m = (uintptr_t)m;
    return true;
}

#define FAST_NO (-1)   /* take the general path */
#define FAST_MISS (-2) /* not in the memo: ask the shared tables, then try again */

/* The fast path's rare endings, out of line: happens-before tracking is on, or the owner died. */
static __attribute__((noinline)) int mutex_lock_fast_rare(rt_thread *t, rt_lock *l, int rc)
{
    rt_hb_acquire(t, l);
    if (rc == EOWNERDEAD)
        rt_note_owner_died(t, l);
    return rc;
}

#define RT_CONTENDED_RETRIES 4

static inline void rt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* The fast path's ending once it holds m: the held entry, written at the held count read before the
 * real call, with the re-entry guard up (the caller raised it: a handler arriving halfway would
 * otherwise write its own entry into the same slot, and the rest of ours would land on top of it);
 * then the guard comes down and the rare endings (clocks, a dead owner) are served out of line. */
static inline __attribute__((always_inline)) int fast_took(rt_thread *t, rt_lock *l, uint64_t key, uint64_t stack,
                                                           uint32_t n, uintptr_t pc, int rc)
{
    atomic_store_explicit(&l->owner, t, memory_order_relaxed);
    t->held[n] = (rt_held){ l, key, stack, pc, RL_MODE_WRITE, 0 };
    __atomic_store_n(&t->n_held, n + 1, __ATOMIC_RELEASE);
    t->acquisitions++;
    atomic_signal_fence(memory_order_seq_cst);
    t->in_runtime = 0;
    if (__builtin_expect(rt_hb_active() || rc != 0, 0))
        return mutex_lock_fast_rare(t, l, rc);
    return 0;
}

/* The fast path found the mutex taken by another thread: wait in the real lock with the watchdog told
 * (blocked state, as the general path publishes it), without looking up again what the memo gave. The
 * re-entry guard is up from here to the end, as in the general path: a signal handler arriving during
 * the wait passes straight through and leaves the held count as it found it. */
static __attribute__((noinline)) int mutex_lock_fast_contended(rt_thread *t, pthread_mutex_t *m, rt_lock *l,
                                                               uint64_t key, uint64_t stack, uint32_t n,
                                                               uintptr_t pc)
{
    t->in_runtime = 1;
    atomic_signal_fence(memory_order_seq_cst);
    rt_progress(t);
    /* a few short retries first: the holder is often about to let go, and a futex sleep and wake-up
     * costs microseconds (the general path's own work used to give the holder that time) */
    int rc = EBUSY;
    for (int retry = 0; retry < RT_CONTENDED_RETRIES && rc == EBUSY; retry++) {
        for (int i = 0; i < 32; i++)
            rt_cpu_relax();
        rc = rt_real.mutex_trylock(m);
    }
    if (rc == EBUSY) {
        t->blocked_stack = stack;
        rt_block_begin(t, l->pshared ? RT_BLOCK_EXTERNAL : RT_BLOCK_LOCK, l, pc);
        rc = rt_real.mutex_lock(m);
        rt_block_end(t);
    }
    if (rc != 0 && rc != EOWNERDEAD) {
        t->in_runtime = 0;
        return rc;
    }
    return fast_took(t, l, key, stack, n, pc, rc);
}

/* A signal handler may run anywhere in here and take and release locks of its own (balanced, as a
 * handler must): so the memo entry is copied and checked again after the copy (a handler may have
 * refilled it), and the new held entry is written only after the real trylock, at the held count
 * read before it (which the handler leaves as it found it), with the re-entry guard up. */
static inline __attribute__((always_inline)) int mutex_lock_fast(pthread_mutex_t *m, uintptr_t pc)
{
    rt_thread *t = rt_tls_self;
    if (__builtin_expect(!t || !rt.fast_ok || t->in_runtime, 0))
        return FAST_NO;
    uint32_t n = t->n_held;
    uint64_t prev = n ? t->held[n - 1].chain_key : t->chain_base;
    uint32_t mask = atomic_load_explicit(&t->fast_mask, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    const rt_fast_entry *e = &t->fast[fast_slot((uintptr_t)m, prev, mask)];
    if (__builtin_expect(e->m != (uintptr_t)m || e->prev != prev, 0))
        return FAST_MISS;
    atomic_signal_fence(memory_order_seq_cst);
    rt_lock *l = e->lock;
    uint64_t key = e->key, stack = e->stack;
    atomic_signal_fence(memory_order_seq_cst);
    if (__builtin_expect(e->m != (uintptr_t)m || e->prev != prev, 0)) /* a signal handler rewrote it */
        return FAST_NO;
    if (__builtin_expect(atomic_load_explicit(&l->destroyed, memory_order_relaxed) ||
                         atomic_load_explicit(&l->owner, memory_order_relaxed) == t || n == t->cap_held, 0))
        return FAST_NO;
    int rc = rt_real.mutex_trylock(m);
    if (__builtin_expect(rc != 0, 0) && rc != EOWNERDEAD) /* EOWNERDEAD: locked, its owner died */
        return rc == EBUSY ? mutex_lock_fast_contended(t, m, l, key, stack, n, pc) : rc;
    t->in_runtime = 1; /* while the held entry is written (fast_took) */
    atomic_signal_fence(memory_order_seq_cst);
    return fast_took(t, l, key, stack, n, pc, rc);
}

/* errno: the real functions report through their return value, and the runtime's slow paths
 * (stack capture, mmap, log writes) restore errno themselves. */
static __attribute__((noinline)) int mutex_lock_slow(pthread_mutex_t *m, uintptr_t pc, int why)
{
    if (why == FAST_MISS && fast_fill(rt_tls_self, m)) {
        fast_memo_maybe_grow(rt_tls_self);
        int rc = mutex_lock_fast(m, pc);
        if (rc >= 0)
            return rc;
    }
    rt_real_resolve();
    return mutex_acquire(m, NULL, CLOCK_REALTIME, false, pc);
}

/* Inlined in both callers (the fast path needs the call site anyway, for the held entry). */
static inline __attribute__((always_inline)) int mutex_lock_at(pthread_mutex_t *m, uintptr_t pc)
{
    int rc = mutex_lock_fast(m, pc);
    if (__builtin_expect(rc >= 0, 1))
        return rc;
    return mutex_lock_slow(m, pc, rc);
}

RT_EXPORT int pthread_mutex_lock(pthread_mutex_t *m) { return mutex_lock_at(m, RT_CALLER_PC); }

int rt_mutex_lock_at(pthread_mutex_t *m, uintptr_t pc) { return mutex_lock_at(m, pc); }

int rt_mutex_acquire_at(pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock, bool trylock,
                        uintptr_t pc)
{
    rt_real_resolve();
    int saved = errno;
    int rc = mutex_acquire(m, abstime, clock, trylock, pc);
    errno = saved;
    return rc;
}

RT_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    return rt_mutex_acquire_at(m, NULL, CLOCK_REALTIME, true, RT_CALLER_PC);
}

RT_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    return rt_mutex_acquire_at(m, abstime, CLOCK_REALTIME, false, RT_CALLER_PC);
}

RT_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
    return rt_mutex_acquire_at(m, abstime, clock, false, RT_CALLER_PC);
}

static __attribute__((noinline)) int mutex_unlock_general(pthread_mutex_t *m, uintptr_t pc);

/* The unlock fast path's ending when happens-before tracking is on: the release clock before the real
 * unlock, with the re-entry guard up (it may take rt.lock to grow the lock's clock). Out of line and
 * tail-called, so the fast path without it saves no registers. */
static __attribute__((noinline)) int mutex_unlock_fast_hb(rt_thread *t, rt_lock *l, pthread_mutex_t *m)
{
    t->in_runtime = 1;
    atomic_signal_fence(memory_order_seq_cst);
    rt_hb_release_slow(t, l);
    atomic_signal_fence(memory_order_seq_cst);
    t->in_runtime = 0;
    atomic_store_explicit(&l->owner, NULL, memory_order_relaxed);
    t->n_held--;
    return rt_real.mutex_unlock(m);
}

/* The unlock fast path applies: releasing the most recent lock, held once, with nothing else to serve.
 * Returns that lock, or NULL: the general path serves it. */
static inline __attribute__((always_inline)) rt_lock *mutex_unlock_fast_lock(rt_thread *ft, pthread_mutex_t *m)
{
    if (__builtin_expect(ft && rt.fast_ok && !ft->in_runtime && ft->n_held > 0, 1)) {
        rt_lock *l = ft->held[ft->n_held - 1].lock;
        if (__builtin_expect(l->addr == (uintptr_t)m && l->kind == RT_KIND_MUTEX && l->recursion == 0 &&
                             atomic_load_explicit(&l->owner, memory_order_relaxed) == ft &&
                             !atomic_load_explicit(&l->destroyed, memory_order_relaxed), 1))
            return l;
    }
    return NULL;
}

static inline __attribute__((always_inline)) int mutex_unlock_fast(rt_thread *ft, rt_lock *l, pthread_mutex_t *m)
{
    if (__builtin_expect(rt_hb_active(), 0))
        return mutex_unlock_fast_hb(ft, l, m);
    atomic_store_explicit(&l->owner, NULL, memory_order_relaxed);
    ft->n_held--;
    return rt_real.mutex_unlock(m);
}

/* The call site is taken only on the general path (taking it first would cost the fast path a frame). */
RT_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    rt_thread *ft = rt_tls_self;
    rt_lock *l = mutex_unlock_fast_lock(ft, m);
    if (__builtin_expect(l != NULL, 1))
        return mutex_unlock_fast(ft, l, m);
    return mutex_unlock_general(m, RT_CALLER_PC);
}

int rt_mutex_unlock_at(pthread_mutex_t *m, uintptr_t pc)
{
    rt_thread *ft = rt_tls_self;
    rt_lock *l = mutex_unlock_fast_lock(ft, m);
    if (__builtin_expect(l != NULL, 1))
        return mutex_unlock_fast(ft, l, m);
    return mutex_unlock_general(m, pc);
}

static int mutex_unlock_general(pthread_mutex_t *m, uintptr_t pc)
{
    rt_real_resolve();
    rt_thread *t = rt_enter();
    if (!t)
        return rt_real.mutex_unlock(m);
    rt_lock *l = rt_object_get(m, RT_KIND_MUTEX, pc);
    bool foreign = false;
    if (l) {
        rt_sched_point(t, RT_OP_UNLOCK, l->index, 0);
        rt_before_release(t, l, pc, &foreign);
        rt_hb_release(t, l);
        rt_timeline(t, RT_TL_UNLOCK, l);
    }
    int rc = rt_real.mutex_unlock(m);
    if (l) {
        rt_after_release(t, l, foreign, rc);
        rt_sched_notify(l);
    }
    rt_leave(t);
    return rc;
}
