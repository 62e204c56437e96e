/* rt.h: the runtime's internal contract, shared by the files of instrument/ and by no one else.
 *
 * Ground rules (see docs/rules.md, "The runtime's own locking"):
 *  - One internal mutex (rt_lock) guards every slow-path structure: the lock graph, the edge table,
 *    the stack table, the thread registry and the event log. It is a real pthread mutex called
 *    through the real_ functions, never through our own wrappers.
 *  - Nothing that can take a lock of the program, the loader or the allocator (backtrace(),
 *    dl_iterate_phdr(), malloc, stdio) is called while rt_lock is held. Stacks are captured before
 *    taking it; memory comes from the mmap pool (pool.c).
 *  - The fast path (a lock already known, a held-lock chain already seen) takes no lock and
 *    allocates nothing: one TLS read, one probe of the lock table, one probe of the chain set.
 *  - Wrappers return the real function's result unchanged and preserve errno.
 *  - At a limit (held-lock depth, memory) the runtime notes it in the log and keeps going.
 */
#ifndef RACELAB_RT_H
#define RACELAB_RT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cycle_check.h"
#include "vclock.h"
#include "rl_alloc.h"
#include "spin.h"

#define RT_TLS __attribute__((tls_model("initial-exec")))

static inline uint64_t rt_mix64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}

#define RT_EXPORT __attribute__((visibility("default")))
#define RT_CALLER_PC ((uintptr_t)__builtin_return_address(0))
#define RT_MAX_FRAMES 48

/* ---- real functions (real.c) ---- */
typedef struct rt_real_fns {
    int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
    int (*mutex_destroy)(pthread_mutex_t *);
    int (*mutex_lock)(pthread_mutex_t *);
    int (*mutex_trylock)(pthread_mutex_t *);
    int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
    int (*mutex_unlock)(pthread_mutex_t *);
    int (*rwlock_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
    int (*rwlock_destroy)(pthread_rwlock_t *);
    int (*rwlock_rdlock)(pthread_rwlock_t *);
    int (*rwlock_wrlock)(pthread_rwlock_t *);
    int (*rwlock_tryrdlock)(pthread_rwlock_t *);
    int (*rwlock_trywrlock)(pthread_rwlock_t *);
    int (*rwlock_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
    int (*rwlock_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
    int (*rwlock_unlock)(pthread_rwlock_t *);
    /* glibc 2.30+ clock variants (NULL if the C library has none: then no program can call them) */
    int (*mutex_clocklock)(pthread_mutex_t *, clockid_t, const struct timespec *);
    int (*rwlock_clockrdlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
    int (*rwlock_clockwrlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
    int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
    int (*sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
    int (*c11_create)(pthread_t *, int (*)(void *), void *); /* thrd_create (glibc 2.28+) */
    void (*c11_call_once)(void *, void (*)(void));             /* call_once (glibc 2.28+) */
    int (*once)(pthread_once_t *, void (*)(void));
    int (*tryjoin)(pthread_t, void **);
    int (*timedjoin)(pthread_t, void **, const struct timespec *);
    int (*clockjoin)(pthread_t, void **, clockid_t, const struct timespec *);
    int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
    int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
    int (*cond_signal)(pthread_cond_t *);
    int (*cond_broadcast)(pthread_cond_t *);
    int (*cond_destroy)(pthread_cond_t *);
    int (*sem_init)(sem_t *, int, unsigned);
    int (*sem_destroy)(sem_t *);
    int (*sem_wait)(sem_t *);
    int (*sem_trywait)(sem_t *);
    int (*sem_timedwait)(sem_t *, const struct timespec *);
    int (*sem_post)(sem_t *);
    int (*barrier_wait)(pthread_barrier_t *);
    int (*barrier_init)(pthread_barrier_t *, const pthread_barrierattr_t *, unsigned);
    int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    int (*join)(pthread_t, void **);
    void (*exit)(void *) __attribute__((noreturn));
    int (*cancel)(pthread_t);
    pid_t (*fork)(void);
} rt_real_fns;

extern rt_real_fns rt_real;
void rt_real_resolve_slow(void);
/* idempotent; safe to call from any wrapper before init */
static inline void rt_real_resolve(void)
{
    if (__builtin_expect(rt_real.fork == NULL, 0))
        rt_real_resolve_slow();
}

/* ---- objects the program synchronises on ---- */
typedef enum rt_kind { RT_KIND_MUTEX = 1, RT_KIND_RWLOCK, RT_KIND_COND, RT_KIND_SEM, RT_KIND_THREAD, RT_KIND_BARRIER, RT_KIND_VAR, RT_KIND_SPIN, RT_KIND_ONCE } rt_kind;
typedef enum rt_mutex_type { RT_MTYPE_NORMAL = 0, RT_MTYPE_RECURSIVE, RT_MTYPE_ERRORCHECK, RT_MTYPE_ADAPTIVE } rt_mutex_type;

struct rt_thread;

typedef struct rt_lock {
    uint64_t uid;                        /* id in the event log (incarnation << 32 | index) */
    uint32_t index;                      /* dense per-process id: the lock graph's node */
    uint8_t kind;                        /* rt_kind */
    uint8_t mtype;                       /* rt_mutex_type (mutexes) */
    uint8_t pshared;                     /* process-shared: waits on it may end from outside */
    _Atomic uint8_t destroyed;           /* destroyed: the next use at this address is a new object */
    uintptr_t addr;
    _Atomic(struct rt_thread *) owner;   /* exclusive holder, or NULL */
    _Atomic int32_t readers;             /* rwlock: number of read holds */
    int32_t recursion;                   /* extra holds of a recursive mutex; owner only */
    union { /* what only one kind has (a record's kind never changes): keeps a record in 128 bytes */
        struct {
            _Atomic(struct rt_lock *) cond_mutex; /* cond: the mutex its current waiters use */
            _Atomic int32_t cond_waiters;        /* cond: threads waiting now */
        };
        struct rt_thread *thread;            /* RT_KIND_THREAD: the thread this handle names */
        struct {
            uint32_t barrier_count;              /* RT_KIND_BARRIER: threads per round */
            uint32_t barrier_arrived;            /* token schedules: arrivals in this round (scheduler mutex) */
            uint64_t barrier_round;
            _Atomic uint64_t barrier_arrivals;   /* arrivals since init (round = arrivals / count) */
            struct rt_barrier_clocks *barrier_clocks; /* happens-before per round (hb.c) */
        };
        struct rt_var *var;                  /* RT_KIND_VAR: the shared variable's state (shared.c) */
        rl_vclock *read_vc;                  /* RT_KIND_RWLOCK: the clock its read unlocks carry (hb.c) */
    };
    rt_spin vc_busy;                     /* guards vc (several threads may release into it) */
    rl_vclock vc;                        /* happens-before: the clock its releases carry */
    _Atomic uint32_t vc_cover;           /* 1 + tid of a thread whose clock covers vc (vc <= it), or 0 */
    struct rt_lock *next_on_stack;       /* made on its thread's stack: the thread's next such (thread.c) */
} rt_lock;

/* ---- threads ---- */
typedef enum rt_block {
    RT_BLOCK_NONE = 0,
    RT_BLOCK_LOCK,      /* untimed mutex lock / rwlock wrlock */
    RT_BLOCK_RDLOCK,    /* untimed rwlock rdlock */
    RT_BLOCK_COND,      /* untimed cond wait */
    RT_BLOCK_SEM,       /* untimed sem wait on a semaphore of this process */
    RT_BLOCK_JOIN,      /* join */
    RT_BLOCK_BARRIER,   /* barrier wait */
    RT_BLOCK_ONCE,      /* pthread_once / call_once, while another thread may run the initialiser */
    RT_BLOCK_TIMED,     /* any timed wait: never counted as blocked forever */
    RT_BLOCK_EXTERNAL,  /* a wait another process may end (process-shared, unknown semaphore) */
} rt_block;

typedef struct rt_held {
    rt_lock *lock;
    uint64_t chain_key; /* hash of the held chain ending with this entry */
    uint64_t stack;     /* uid of the stack of this acquisition (when the chain was first seen) */
    uintptr_t pc;       /* the caller's pc, for this very acquisition */
    uint8_t mode;       /* RL_MODE_READ / RL_MODE_WRITE */
    uint8_t trylock;
} rt_held;

/* A thread's memo of uncontended mutex acquisitions it has made before (interpose_mutex.c's fast
 * path): taking mutex `m` on top of the held chain `prev` made chain `key` with stack `stack`. Both
 * key and stack are facts that never change (the chain set only grows, objects are never freed), so
 * an entry stays right for as long as its lock is not destroyed, which the fast path checks. */
typedef struct rt_fast_entry {
    uintptr_t m;
    uint64_t prev;
    rt_lock *lock;
    uint64_t key;
    uint64_t stack;
} rt_fast_entry;
#define RT_FAST_SLOTS 32        /* per thread at first (inline); a power of two */
#define RT_FAST_SLOTS_GROWN 1024 /* a thread that keeps missing gets this many (40 KiB, mmap'd) */

#define RT_INLINE_HELD 16
#define RT_HELD_LIMIT (1u << 20) /* deeper holds are counted, not tracked (noted in the report) */

typedef struct rt_thread {
    uint32_t tid;                  /* T<tid> in reports; 0 is the main thread */
    int32_t parent_tid;            /* creator, -1 if unknown */
    uint64_t create_stack;         /* uid of the creation stack, 0 if none */
    rt_held *held;                 /* held-lock stack, bottom first */
    uint32_t n_held, cap_held;
    uint32_t untracked;            /* holds beyond RT_HELD_LIMIT, not tracked */
    uint64_t chain_base;           /* chain key of the empty held stack (from tid), 0 until used */
    rt_held inline_held[RT_INLINE_HELD];
    int in_runtime;                /* re-entry guard */
    uint64_t acquisitions;         /* successful acquisitions, flushed at thread end */
    _Atomic int blocked;           /* rt_block */
    _Atomic(void *) blocked_obj;   /* rt_lock * or, for joins, rt_thread * */
    _Atomic uintptr_t blocked_pc;
    uint64_t blocked_stack;        /* full stack of this acquisition when known (its chain's), or 0 */
    _Atomic(rt_lock *) blocked_mutex; /* RT_BLOCK_COND: the mutex the wait must take back, or NULL */
    struct timespec blocked_deadline; /* a timed condition wait: when it gives up waiting for a signal */
    clockid_t blocked_clock;          /* ... on this clock; then it takes its mutex back, untimed */
    _Atomic uint64_t progress;     /* bumped at every wrapper entry and exit */
    _Atomic int alive;
    int ended;                     /* thread-end bookkeeping done */
    int inherited;                 /* a forked child's record of a parent thread: not counted in it */
    /* schedule control (sched.c; guarded by the scheduler's mutex) */
    int sched_state;               /* rt_sched_state */
    const void *sched_wait_obj;    /* SS_WAITING: what it waits on */
    pthread_cond_t sched_cv;       /* token schedules: it waits here for the token (zeroed = initialised) */
    uint32_t priority;             /* pct */
    int registered;                /* has entered the schedule */
    uint64_t rng;                  /* random schedule: per-thread generator */
    uint64_t sched_step_seen;      /* watchdog: the schedule's step at its last look, for the fallback */
    uint64_t cond_ticket;          /* token schedules: order of arrival in a condition wait */
    rl_vclock vc;                  /* happens-before clock (hb.c); written by this thread only */
    int confirm_paused;            /* confirm.c: has paused at a cycle site */
    void (*once_init)(void);       /* interpose_once.c: the initialiser pthread_once is about to run */
    rt_lock *once_obj;             /* ... and its control's record */
    struct rt_timeline *timeline;  /* timeline.c: recent lock events, or NULL */
    struct rt_thread *next;        /* registry list */
    uintptr_t stack_lo, stack_hi;  /* its stack (threads started through pthread_create; else 0, 0) */
    uintptr_t enter_frame;         /* the frame of the wrapper that last entered the runtime (rt_enter) */
    rt_lock *stack_locks;          /* records made for objects on that stack: retired when it ends */
    /* the fast path's memo, indexed by fast_slot() in interpose_mutex.c: fast_small, or once the
     * thread has missed often, a larger mmap'd one. Written pointer first, then mask; read mask first:
     * a signal handler between the two never indexes past the end. */
    rt_fast_entry *fast;
    _Atomic uint32_t fast_mask;
    uint32_t fast_refills;            /* memo misses the shared tables answered, this window */
    uint64_t fast_window_start;       /* acquisitions when this window began */
    rt_fast_entry fast_small[RT_FAST_SLOTS];
    _Atomic int cancel_requested;  /* token schedules: pthread_cancel was called on it (sched.c) */
    /* eventlog.c: the lines of one new chain, gathered under rt.lock and written after it (mmap'd
     * on first use, RT_LOG_BATCH bytes; unmapped when the thread ends) */
    char *log_batch;
    size_t log_batch_len;
    int log_batching;
} rt_thread;
#define RT_LOG_BATCH 16384

/* ---- process-wide state (runtime.c) ---- */
typedef struct rt_state {
    pthread_mutex_t lock;           /* rt_lock: the one internal mutex */
    _Atomic int ready;              /* init finished */
    int fast_ok;                    /* ready, and no schedule, confirmation or timeline: the mutex fast
                                     * path may run (one flag for it to test) */
    int log_fd;                     /* event log, -1 if none */
    char log_dir[4096];             /* $RACELAB_LOG_DIR as the process started with it ("" if none): a
                                     * forked child opens its own log there even if the program has
                                     * cleared its environment since */
    uint32_t incarnation;           /* high half of uids: differs per process image */
    uint32_t next_index;            /* next lock index */
    uint32_t n_locks;               /* mutexes and rwlocks seen (generations count separately) */
    uint32_t next_stack;            /* next stack uid index */
    uint32_t next_gates;            /* next gate-set uid index */
    uint32_t next_tid;
    rt_thread *threads;             /* registry */
    struct rt_var *vars;            /* shared variables, newest first (rt.lock) */
    _Atomic uint64_t ended_acquisitions;
    _Atomic int live_threads;       /* threads running their start routine (and main) now */
    _Atomic int max_live_threads;   /* the most at once: did the work really run concurrently? */
    uint64_t edges;                 /* distinct lock-order edges */
    uint64_t fork_base_edges;       /* a forked child: edges and locks it inherited, which its parent's */
    uint32_t fork_base_locks;       /* statistics already count */
    uintptr_t self_lo, self_hi;     /* our own code's address range, to drop our frames */
    unsigned long long modules_seen; /* dl_iterate_phdr adds count already logged */
    int watchdog_ms;                /* tick of the watchdog */
    pthread_t watchdog;
    int quiet;
    int schedule;                   /* rt_schedule (sched.h) */
    uint64_t seed;
    int pct_depth;                  /* d: d-1 priority change points */
    uint64_t pct_steps;             /* change points are drawn from steps [1, pct_steps] */
    _Atomic int hb_on;              /* happens-before tracking: on from the first shared variable */
    int lockset;                    /* also run Eraser's lockset algorithm on shared variables */
    int timeline;                   /* record per-thread lock events for the report's timeline */
    uint64_t start_ns;              /* CLOCK_MONOTONIC at init: timeline time zero */
    pthread_key_t thread_key;       /* its destructor ends threads that exit by unwinding */
    _Atomic uint64_t unobserved;    /* pthread calls re-entering a busy wrapper (signal handlers) */
    _Atomic uint64_t longjmps;      /* wrappers left by a signal handler's longjmp (rt_enter_stale) */
} rt_state;

extern rt_state rt;

/* ---- pool.c: mmap-backed memory (all runtime memory) ---- */
void *rt_pool_alloc(size_t size);          /* zeroed; caller holds rt.lock or is single-threaded */
void rt_pool_free(void *p, size_t size);
extern const rl_allocator rt_pool_allocator;
void *rt_pages_alloc(size_t size);         /* lock-free mmap, zeroed */
void rt_pages_free(void *p, size_t size);

/* ---- lock_table.c: address -> object, lock-free lookup ---- */
typedef struct rt_table_slot {
    _Atomic uintptr_t key;
    _Atomic(rt_lock *) value;
} rt_table_slot;
typedef struct rt_table {
    size_t mask;  /* slots - 1 */
    size_t used;  /* slots with a key; rt.lock */
    rt_table_slot slots[];
} rt_table;
extern _Atomic(rt_table *) rt_current_table;
/* Fibonacci hashing: one multiply; the high bits are the well-mixed ones. */
static inline size_t rt_addr_hash(uintptr_t a) { return (size_t)(((uint64_t)a * 0x9e3779b97f4a7c15ULL) >> 24); }
static inline rt_lock *rt_table_lookup(uintptr_t addr) /* no lock */
{
    rt_table *t = atomic_load_explicit(&rt_current_table, memory_order_acquire);
    if (!t)
        return NULL;
    for (size_t i = rt_addr_hash(addr) & t->mask;; i = (i + 1) & t->mask) {
        uintptr_t k = atomic_load_explicit(&t->slots[i].key, memory_order_acquire);
        if (k == addr)
            return atomic_load_explicit(&t->slots[i].value, memory_order_acquire);
        if (k == 0)
            return NULL;
    }
}
void rt_table_publish(uintptr_t addr, rt_lock *obj);  /* rt.lock held */

/* ---- chain_set.c: held-chain key -> stack uid, lock-free lookup ---- */
typedef struct rt_chain_slot {
    _Atomic uint64_t key;
    _Atomic uint64_t stack;
} rt_chain_slot;
typedef struct rt_chain_table {
    size_t mask;
    size_t used;
    rt_chain_slot slots[];
} rt_chain_table;
extern _Atomic(rt_chain_table *) rt_chain_current;
static inline bool rt_chain_lookup(uint64_t key, uint64_t *stack) /* no lock */
{
    rt_chain_table *t = atomic_load_explicit(&rt_chain_current, memory_order_acquire);
    if (!t)
        return false;
    for (size_t i = (size_t)key & t->mask;; i = (i + 1) & t->mask) {
        uint64_t k = atomic_load_explicit(&t->slots[i].key, memory_order_acquire);
        if (k == key) {
            *stack = atomic_load_explicit(&t->slots[i].stack, memory_order_relaxed);
            return true;
        }
        if (k == 0)
            return false;
    }
}
void rt_chain_insert(uint64_t key, uint64_t stack);   /* rt.lock held */

/* ---- objects.c ---- */
/* The object at addr of the given kind, created (with its init stack) if unknown or destroyed. */
rt_lock *rt_object_get_slow(const void *addr, rt_kind kind, uintptr_t pc);
static inline rt_lock *rt_object_get(const void *addr, rt_kind kind, uintptr_t pc)
{
    rt_lock *l = rt_table_lookup((uintptr_t)addr);
    if (__builtin_expect(l && l->kind == kind && !atomic_load_explicit(&l->destroyed, memory_order_acquire), 1))
        return l;
    return rt_object_get_slow(addr, kind, pc);
}
/* A new object at addr from an init call (a new generation). pshared/mtype as given. */
rt_lock *rt_object_init(const void *addr, rt_kind kind, int mtype, int pshared, uintptr_t pc);
void rt_object_destroyed(rt_lock *l);

/* ---- thread.c ---- */
extern RT_TLS __thread rt_thread *rt_tls_self;
rt_thread *rt_self_slow(void);            /* registers a thread we did not create */
/* NULL while not initialised; registers unknown threads */
static inline rt_thread *rt_self(void)
{
    rt_thread *t = rt_tls_self;
    return __builtin_expect(t != NULL, 1) ? t : rt_self_slow();
}
void rt_thread_set_self(rt_thread *t);
rt_thread *rt_thread_new(int32_t parent_tid, uint64_t create_stack); /* registers; rt.lock NOT held */
void rt_thread_end(rt_thread *t, uintptr_t pc);  /* held-at-exit check, stats flush */
void rt_thread_after_fork_child(rt_thread *self);
/* Only the thread itself writes its progress counter: a plain load and store, no locked RMW. */
static inline void rt_progress(rt_thread *t)
{
    atomic_store_explicit(&t->progress, atomic_load_explicit(&t->progress, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}
/* Enter/leave a wrapper: returns the thread or NULL if the wrapper should pass straight through.
 * A call made while this thread is already inside a wrapper can only come from a signal handler that
 * interrupted it (the runtime itself calls the real functions): it passes straight through, counted
 * as unobserved (docs/runtime-locking.md). */
void rt_unobserved_call(void);
/* t->in_runtime was set on entry: false for a signal handler's call made inside the runtime (it goes
 * straight through, counted); true when no wrapper is running at all any more, because a signal
 * handler left one with longjmp/siglongjmp (the call was made from a frame at or above the wrapper's:
 * runtime.c), after which the thread's state is put right and the call is observed. */
bool rt_enter_stale(rt_thread *t, uintptr_t frame);
static inline rt_thread *rt_enter(void)
{
    if (!atomic_load_explicit(&rt.ready, memory_order_acquire))
        return NULL;
    rt_thread *t = rt_self();
    if (!t)
        return NULL;
    if (__builtin_expect(t->in_runtime, 0) && !rt_enter_stale(t, (uintptr_t)__builtin_frame_address(0))) {
        rt_unobserved_call();
        return NULL;
    }
    t->in_runtime = 1;
    t->enter_frame = (uintptr_t)__builtin_frame_address(0);
    rt_progress(t);
    return t;
}
static inline void rt_leave(rt_thread *t)
{
    t->in_runtime = 0;
    t->enter_frame = 0; /* in_runtime set without it (the fast path) is never taken for stale */
}
static inline void rt_block_begin(rt_thread *t, rt_block what, void *obj, uintptr_t pc)
{
    atomic_store_explicit(&t->blocked_obj, obj, memory_order_relaxed);
    atomic_store_explicit(&t->blocked_pc, pc, memory_order_relaxed);
    atomic_store_explicit(&t->blocked, what, memory_order_release);
}
static inline void rt_block_end(rt_thread *t)
{
    atomic_store_explicit(&t->blocked, RT_BLOCK_NONE, memory_order_release);
    rt_progress(t);
}

/* A cleanup handler (pthread_cleanup_push) for a wrapper blocked in a real call that is a
 * cancellation point (sem_wait, join): cancelled there, the thread leaves the wrapper by unwinding,
 * so this ends its blocked state and the re-entry guard; its own cleanup handlers run observed. */
void rt_wait_cancelled(void *thread);

/* ---- held.c: acquisition and release bookkeeping (the core) ---- */
/* Chain keys (lockdep's chain hash): one multiply and a shift per step; chains are few, and a
 * collision costs at most a missed edge witness. */
static inline uint64_t rt_chain_step(uint64_t prev, const rt_lock *l, int mode, bool trylock)
{
    uint64_t x = (prev ^ ((uint64_t)l->index << 2 | (uint64_t)mode << 1 | (trylock ? 1u : 0u))) * 0x9e3779b97f4a7c15ULL;
    return (x ^ (x >> 29)) | 1;
}
static inline uint64_t rt_chain_base(rt_thread *t)
{
    if (__builtin_expect(!t->chain_base, 0))
        t->chain_base = rt_mix64(0xa0761d6478bd642fULL + t->tid) | 1;
    return t->chain_base;
}
typedef struct rt_acquire {
    rt_lock *lock;
    uint8_t mode, trylock, reentry; /* reentry: recursive relock by its owner, no new entry */
    uint64_t chain_key, stack;
    uintptr_t pc;
} rt_acquire;
/* Before the real call: misuse checks (double-lock), lock-order edges for a new chain. */
/* How an acquisition waits: for ever, not at all (trylock), or until a deadline (timed). Only a wait for
 * ever can close a deadlock: the other two give up, so their lock-order edges are marked "trylock" (as
 * ThreadSanitizer marks timed locks) and a cycle they close is not reported; a timed relock of a held
 * mutex is still a double lock. */
enum { RT_ACQ_BLOCKING = 0, RT_ACQ_TRY = 1, RT_ACQ_TIMED = 2 };
void rt_before_acquire(rt_thread *t, rt_lock *l, int mode, int how, uintptr_t pc, rt_acquire *acq);
/* After a successful real call. */
void rt_after_acquire(rt_thread *t, const rt_acquire *acq);
/* Before the real unlock: updates the held state and reports misuse. Returns true when it released a
 * read hold (an rwlock's read side). *foreign tells the caller to clear the owner if the real unlock
 * succeeds. */
bool rt_before_release(rt_thread *t, rt_lock *l, uintptr_t pc, bool *foreign);
void rt_after_release(rt_thread *t, rt_lock *l, bool foreign, int rc);
rt_held *rt_held_find(rt_thread *t, const rt_lock *l);
void rt_held_remove(rt_thread *t, rt_held *h);
void rt_held_push(rt_thread *t, const rt_held *h);

/* ---- stack.c ---- */
typedef struct rt_stack {
    uintptr_t pcs[RT_MAX_FRAMES];
    int n;
} rt_stack;
void rt_stack_capture(rt_stack *s);         /* no lock held; drops our own frames */
uint64_t rt_stack_log(const rt_stack *s);   /* rt.lock held: uid (deduplicated), S line if new */
uint64_t rt_stack_log_pc(uintptr_t pc);     /* rt.lock held: a one-frame stack */
bool rt_stack_starts_at(uint64_t uid, uintptr_t pc); /* rt.lock held */
void rt_modules_log_if_changed(void);       /* no lock held */

/* ---- eventlog.c: one record per line; a line, or a batch of lines, is one write(2) ---- */
typedef struct rt_line {
    char buf[4096];
    size_t len;
} rt_line;
void rt_line_start(rt_line *ln, const char *tag);
void rt_line_str(rt_line *ln, const char *s);
void rt_line_u64(rt_line *ln, uint64_t v);
void rt_line_i64(rt_line *ln, int64_t v);
void rt_line_hex(rt_line *ln, uint64_t v);
void rt_line_end(rt_line *ln);               /* writes it (if there is a log), or adds it to the batch */
void rt_log_batch_begin(struct rt_thread *t); /* rt.lock held: t's lines are gathered, not written... */
void rt_log_batch_end(struct rt_thread *t);   /* ...until here (rt.lock still held: gathering stops)... */
void rt_log_batch_flush(struct rt_thread *t); /* ...and this writes them at once, rt.lock released */
void rt_log_batch_free(struct rt_thread *t);  /* thread end: flushes and unmaps its batch buffer */
size_t rt_line_room(const rt_line *ln);
void rt_log_open(void);                      /* opens $RACELAB_LOG_DIR/racelab.<pid>.log */
void rt_log_process_header(void);
void rt_say(const char *msg);                /* one line to stderr, unless quiet */

/* ---- the wrappers' work by call site (interpose_*.c), shared with C11's <threads.h> (interpose_c11.c),
 * whose functions glibc implements with internal calls that no preload can see ---- */
int rt_mutex_init_at(pthread_mutex_t *m, const pthread_mutexattr_t *attr, uintptr_t pc);
int rt_mutex_destroy_at(pthread_mutex_t *m, uintptr_t pc);
int rt_mutex_lock_at(pthread_mutex_t *m, uintptr_t pc);
/* trylock (trylock true), or a lock with a deadline (abstime on clock); errno unchanged */
int rt_mutex_acquire_at(pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock, bool trylock,
                        uintptr_t pc);
int rt_mutex_unlock_at(pthread_mutex_t *m, uintptr_t pc);
/* abstime NULL: no deadline; else on clock */
int rt_cond_wait_at(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime, clockid_t clock,
                    uintptr_t pc);
int rt_cond_signal_at(pthread_cond_t *c, bool broadcast, uintptr_t pc);
int rt_thread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *), void *arg, bool c11);
typedef enum rt_join_how { RT_JOIN_WAIT, RT_JOIN_TRY, RT_JOIN_TIMED } rt_join_how; /* timed: abstime on clock */
int rt_thread_join_at(pthread_t th, void **ret, rt_join_how how, const struct timespec *abstime, clockid_t clock,
                      uintptr_t pc);
void rt_thread_exit_at(void *ret, uintptr_t pc) __attribute__((noreturn));

/* ---- findings.c ---- */
void rt_report_misuse(rt_thread *t, const char *kind, rt_lock *l, uintptr_t pc, const char *detail,
                      rt_lock *other);
/* The same, with the stack already logged (e.g. where a lock still held at exit was taken). */
void rt_report_misuse_at(rt_thread *t, const char *kind, rt_lock *l, uintptr_t pc, const char *detail,
                         rt_lock *other, uint64_t known_stack);
/* Who holds l now, as a misuse record's detail: "held-by-T<tid>", "held-for-reading" (rwlock readers),
 * or NULL when nobody does. buf: at least 32 bytes. */
const char *rt_holder_detail(const rt_lock *l, char *buf);
void rt_note(const char *text);              /* I line, rt.lock held */
/* A lock of a robust mutex returned EOWNERDEAD: the note saying so (takes rt.lock). */
void rt_note_owner_died(rt_thread *t, const rt_lock *l) __attribute__((cold, noinline));
bool rt_seen_once(uint64_t key);             /* rt.lock held: true the first time key is seen */

/* ---- edges.c ---- */
/* rt.lock held: record the lock-order edges of a new chain. gates are held exclusively. */
void rt_edges_record(rt_thread *t, const rt_acquire *acq, uint64_t to_stack);
size_t rt_edges_count(void);

/* ---- hb.c: happens-before clocks (only once a shared variable exists) ---- */
extern const rl_allocator rt_locked_pool_allocator; /* takes rt.lock: never call with it held */
void rt_hb_enable(void);
void rt_hb_own_entry_slow(rt_thread *t);
/* a thread's own clock entry starts at 1 */
static inline void rt_hb_own_entry(rt_thread *t)
{
    if (__builtin_expect(t->tid >= t->vc.n || t->vc.c[t->tid] == 0, 0))
        rt_hb_own_entry_slow(t);
}
void rt_hb_release_slow(rt_thread *t, rt_lock *obj);
void rt_hb_acquire_slow(rt_thread *t, rt_lock *obj);
/* Barriers: arrivals release into their round's clock, departures acquire it (hb.c). arrive returns
 * the round, for depart. */
uint64_t rt_hb_barrier_arrive(rt_thread *t, rt_lock *barrier);
void rt_hb_barrier_depart(rt_thread *t, rt_lock *barrier, uint64_t round);
/* Rwlocks: a read unlock releases into the read clock, which only write locks acquire (readers do not
 * order each other); write unlocks use the lock's own clock (rt_hb_release), which every lock acquires. */
void rt_hb_read_release(rt_thread *t, rt_lock *rw);
void rt_hb_acquire_reads(rt_thread *t, rt_lock *rw);
void rt_hb_create(rt_thread *parent, rt_thread *child);
void rt_hb_join(rt_thread *t, rt_thread *child);
static inline bool rt_hb_active(void) { return atomic_load_explicit(&rt.hb_on, memory_order_relaxed) != 0; }
static inline void rt_hb_release(rt_thread *t, rt_lock *obj)
{
    if (obj && rt_hb_active())
        rt_hb_release_slow(t, obj);
}
/* Nothing to join when t's clock already covers obj's (hb.c). */
static inline void rt_hb_acquire(rt_thread *t, rt_lock *obj)
{
    if (obj && rt_hb_active() && atomic_load_explicit(&obj->vc_cover, memory_order_acquire) != t->tid + 1)
        rt_hb_acquire_slow(t, obj);
}

/* ---- shared.c: the shared-variable API of racelab.h ---- */
void rt_vars_log_totals(void);               /* rt.lock held: U lines, at exit */
void rt_vars_after_fork_child(bool forking_thread_inside); /* fork child, rt.lock held */

/* ---- confirm.c: pausing at a reported cycle's sites (racelab confirm) ---- */
extern int rt_confirm_sites;                 /* 0: confirmation is off (the common case) */
void rt_confirm_init(void);
void rt_confirm_point(rt_thread *t, uintptr_t pc);

/* ---- timeline.c ---- */
enum { RT_TL_LOCK = 1, RT_TL_ACQUIRED, RT_TL_UNLOCK, RT_TL_WAIT, RT_TL_WAKE };
void rt_timeline_record(rt_thread *t, int op, const rt_lock *l);
void rt_timeline_flush(rt_thread *t);        /* rt.lock held */
void rt_timeline_flush_all(const char *mark); /* rt.lock held */
static inline void rt_timeline(rt_thread *t, int op, const rt_lock *l)
{
    if (__builtin_expect(rt.timeline, 0))
        rt_timeline_record(t, op, l);
}

/* ---- watchdog.c ---- */
void rt_watchdog_start(void);

/* ---- runtime.c ---- */
void rt_stats_log(void); /* rt.lock held */
void rt_end_process_for_deadlock(void) __attribute__((noreturn));

static inline uint64_t rt_uid(uint32_t index) { return ((uint64_t)rt.incarnation << 32) | index; }


#endif
