/* runtime.c: the runtime's life cycle inside the program under test: initialisation (real functions,
 * event log, main thread, watchdog), fork handling (pthread_atfork: the child gets its own log and
 * watchdog, and only the forking thread survives), the end of the process (stats, exit record), and the
 * public racelab_name_lock(). */
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "rt.h"
#include "rt_sched.h"

rt_state rt = { .lock = PTHREAD_MUTEX_INITIALIZER, .log_fd = -1 };

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uintptr_t me = (uintptr_t)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (me >= lo && me < hi) {
            rt.self_lo = lo;
            rt.self_hi = hi;
            return 1;
        }
    }
    return 0;
}

static uint32_t new_incarnation(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint64_t x = rt_mix64(((uint64_t)getpid() << 20) ^ (uint64_t)tv.tv_sec * 1000003u ^ (uint64_t)tv.tv_usec);
    return (uint32_t)(x | 1);
}

static void thread_key_destructor(void *p)
{
    /* A thread that ended without returning through our trampoline (cancelled, or one we did not
     * create): do its end-of-thread bookkeeping. */
    rt_thread_end(p, 0);
}

static void log_exit_record(const char *how, int status)
{
    rt_line ln;
    rt_line_start(&ln, "X");
    rt_line_str(&ln, how);
    rt_line_i64(&ln, status);
    rt_line_end(&ln);
}

static const char *schedule_name(void)
{
    switch (rt.schedule) {
    case RT_SCHED_RANDOM: return "random";
    case RT_SCHED_PCT: return "pct";
    case RT_SCHED_SERIAL: return "serial";
    default: return "native";
    }
}

void rt_unobserved_call(void)
{
    atomic_fetch_add_explicit(&rt.unobserved, 1, memory_order_relaxed);
}

bool rt_enter_stale(rt_thread *t, uintptr_t frame)
{
    /* A handler runs below the frame it interrupted, on the thread's stack or an alternate one; a call
     * at or above the wrapper's frame, on the thread's own stack and not on an alternate signal stack,
     * can only come after the wrapper was left without returning. Threads without known stack bounds
     * (the main thread) are not checked. */
    /* A handler's frame lies below the interrupted code by at least the kernel's signal frame (over 1 KiB
     * on x86-64 and aarch64: the saved registers and FP state); a call after the jump comes from about
     * the depth of the left wrapper, give or take the wrappers' own internal calls. */
    enum { STALE_MARGIN = 1024 };
    if (!t->stack_hi || !t->enter_frame || frame + STALE_MARGIN < t->enter_frame || frame < t->stack_lo ||
        frame >= t->stack_hi)
        return false;
    stack_t alt;
    if (sigaltstack(NULL, &alt) != 0 || (alt.ss_flags & SS_ONSTACK))
        return false;
    t->in_runtime = 0;
    rt_block_end(t); /* whatever it was blocked in, it is not now */
    t->enter_frame = 0;
    atomic_fetch_add_explicit(&rt.longjmps, 1, memory_order_relaxed);
    rt_sched_return(t); /* it left the schedule for the blocking call: back in (token schedules) */
    return true;
}

/* rt.lock held: the note saying how many calls signal handlers made unobserved. */
static void log_unobserved(void)
{
    uint64_t n = atomic_load(&rt.unobserved);
    rt_line ln;
    if (n) {
        rt_line_start(&ln, "I");
        rt_line_u64(&ln, n);
        rt_line_str(&ln, n == 1 ? "pthread call" : "pthread calls");
        rt_line_str(&ln, "made by signal handlers while their thread was inside racelab's own bookkeeping or "
                         "a blocking call went straight to pthreads, unobserved (in the main thread, also every "
                         "call after a handler left a blocking call with longjmp)");
        rt_line_end(&ln);
    }
    uint64_t jumps = atomic_load(&rt.longjmps);
    if (!jumps)
        return;
    rt_line_start(&ln, "I");
    rt_line_u64(&ln, jumps);
    rt_line_str(&ln, jumps == 1 ? "time" : "times");
    rt_line_str(&ln, "a signal handler left a blocking pthread call with longjmp/siglongjmp: racelab took the "
                     "thread up again at its next call");
    rt_line_end(&ln);
}

void rt_stats_log(void)
{
    log_unobserved();
    uint64_t acq = atomic_load(&rt.ended_acquisitions);
    uint64_t threads = 0;
    for (rt_thread *t = rt.threads; t; t = t->next) {
        if (t->inherited)
            continue; /* a forked child counts its own threads; its parent counted these */
        threads++;
        if (atomic_load(&t->alive))
            acq += t->acquisitions;
    }
    rt_line ln;
    rt_line_start(&ln, "C");
    rt_line_u64(&ln, threads);
    rt_line_u64(&ln, rt.n_locks - rt.fork_base_locks);
    rt_line_u64(&ln, rt.edges - rt.fork_base_edges);
    rt_line_u64(&ln, acq);
    rt_line_u64(&ln, (uint64_t)atomic_load(&rt.max_live_threads));
    rt_line_end(&ln);
    rt_line_start(&ln, "H");
    rt_line_str(&ln, schedule_name());
    rt_line_u64(&ln, rt.seed);
    rt_line_hex(&ln, rt_sched_hash());
    rt_line_u64(&ln, rt_sched_steps());
    rt_line_u64(&ln, rt_sched_fallbacks());
    rt_line_end(&ln);
    rt_vars_log_totals();
}

void rt_end_process_for_deadlock(void)
{
    rt_real.mutex_lock(&rt.lock);
    rt_timeline_flush_all("deadlock");
    rt_stats_log();
    log_exit_record("deadlock", 66);
    rt_real.mutex_unlock(&rt.lock);
    _exit(66);
}

/* rt.lock is held across the fork (our prepare handler runs last, our parent/child handlers first,
 * so the program's own atfork handlers run outside it, observed); the re-entry guard is up meanwhile,
 * so that a signal handler running in between does not wait for rt.lock. */
static RT_TLS __thread int fork_saved_in_runtime;

static void on_fork_prepare(void)
{
    rt_thread *t = rt_tls_self;
    if (t) {
        fork_saved_in_runtime = t->in_runtime;
        t->in_runtime = 1;
    }
    rt_real.mutex_lock(&rt.lock);
}

static void on_fork_parent(void)
{
    rt_real.mutex_unlock(&rt.lock);
    if (rt_tls_self)
        rt_tls_self->in_runtime = fork_saved_in_runtime;
}

static void on_fork_child(void)
{
    /* Only this thread exists now; the internal lock it holds is reinitialised, not unlocked. */
    rt_real.mutex_init(&rt.lock, NULL);
    atomic_store(&rt.unobserved, 0);
    rt_thread *self = rt_self();
    rt.incarnation = new_incarnation();
    rt.next_stack = rt.next_gates = 0;
    /* the child's statistics count what happens in it: the parent's report has the rest */
    rt.fork_base_locks = rt.n_locks;
    rt.fork_base_edges = rt.edges;
    atomic_store(&rt.ended_acquisitions, 0);
    if (self)
        self->acquisitions = 0;
    int parents_log = rt.log_fd;
    rt.log_fd = -1; /* first: the close() wrapper keeps the log's descriptor open */
    if (parents_log >= 0)
        close(parents_log);
    rt_log_open();
    rt_log_process_header();
    rt_thread_after_fork_child(self);
    rt_vars_after_fork_child(self && fork_saved_in_runtime);
    rt_sched_after_fork_child(self);
    if (self) {
        rt_line ln;
        rt_line_start(&ln, "T");
        rt_line_u64(&ln, self->tid);
        rt_line_i64(&ln, -2); /* -2: the thread that forked this process */
        rt_line_hex(&ln, 0);
        rt_line_end(&ln);
        self->in_runtime = fork_saved_in_runtime;
    }
    rt_watchdog_start();
}

/* RACELAB_OPTIONS: the runtime reads the ones it uses and ignores the CLI's (options.c: no malloc). */
_Static_assert((int)RT_OPTIONS_NATIVE == (int)RT_SCHED_NATIVE && (int)RT_OPTIONS_RANDOM == (int)RT_SCHED_RANDOM &&
                   (int)RT_OPTIONS_PCT == (int)RT_SCHED_PCT && (int)RT_OPTIONS_SERIAL == (int)RT_SCHED_SERIAL,
               "options.h and rt_sched.h number the schedules alike");

static void parse_options(void)
{
    const char *text = getenv("RACELAB_OPTIONS");
    if (!text)
        return;
    rt_options o = { .quiet = rt.quiet, .timeline = rt.timeline, .lockset = rt.lockset, .schedule = rt.schedule,
                     .seed = rt.seed, .pct_depth = rt.pct_depth, .pct_steps = rt.pct_steps };
    rt_options_parse(text, strlen(text), &o);
    rt.quiet = o.quiet;
    rt.timeline = o.timeline;
    rt.lockset = o.lockset;
    rt.schedule = o.schedule;
    rt.seed = o.seed;
    rt.pct_depth = o.pct_depth;
    rt.pct_steps = o.pct_steps;
}

__attribute__((constructor(101))) static void rt_init(void)
{
    rt_real_resolve();
    rt.seed = 1; /* the documented default */
    parse_options();
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    rt.start_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    dl_iterate_phdr(find_self, (void *)(uintptr_t)&rt_init);
    void *warm[4];
    backtrace(warm, 4); /* loads the unwinder now, not inside a wrapper */
    rt.incarnation = new_incarnation();
    rt_sched_init();
    rt_confirm_init();
    pthread_key_create(&rt.thread_key, thread_key_destructor);
    rt_log_open();
    rt_log_process_header();
    atomic_store_explicit(&rt.ready, 1, memory_order_release);
    rt.fast_ok = rt.schedule == 0 && rt_confirm_sites == 0 && !rt.timeline;
    rt_thread *main_thread = rt_self(); /* T0 */
    (void)main_thread;
    atomic_store(&rt.live_threads, 1);
    atomic_store(&rt.max_live_threads, 1);
    pthread_atfork(on_fork_prepare, on_fork_parent, on_fork_child);
    rt_watchdog_start();
}

/* exit() called by a signal handler that interrupted this thread inside the runtime: rt.lock may be
 * held by the very code the handler interrupted, and then no one will ever release it. Waits up to
 * 100 ms for it to be free (another thread's hold is short). */
static bool rt_lock_free_soon(void)
{
    for (int i = 0; i < 100; i++) {
        if (rt_real.mutex_trylock(&rt.lock) == 0) {
            rt_real.mutex_unlock(&rt.lock);
            return true;
        }
        struct timespec ms = { 0, 1000 * 1000 };
        nanosleep(&ms, NULL);
    }
    return false;
}

__attribute__((destructor)) static void rt_fini(void)
{
    if (!atomic_load(&rt.ready))
        return;
    rt_thread *t = rt_self();
    if (t && t->in_runtime && !rt_lock_free_soon()) {
        /* the last records (thread end, stats, exit) are lost; the report says the log ended early */
        rt_say("the program exited from a signal handler while racelab's bookkeeping was under way; "
               "its last records are missing from the report");
        return;
    }
    if (t && t->tid == 0 && !t->ended) /* the main thread ends with the process */
        rt_thread_end(t, 0);
    /* a signal handler (a timer still running) must not come back in while rt.lock is held */
    if (t)
        t->in_runtime = 1;
    rt_real.mutex_lock(&rt.lock);
    rt_timeline_flush_all("exit");
    rt_stats_log();
    log_exit_record("exit", -1); /* the status is known to the parent */
    rt_real.mutex_unlock(&rt.lock);
}

RT_EXPORT void racelab_name_lock_impl(const void *lock, const char *name)
{
    if (!lock || !name)
        return;
    const char *c = name;
    while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
        c++;
    if (!*c) /* a blank name names nothing: the lock keeps the name racelab gives it */
        return;
    rt_thread *t = rt_enter();
    if (!t)
        return;
    /* Keyed by address: the name applies to whatever object lives there (named before first use). */
    rt_real.mutex_lock(&rt.lock);
    rt_line ln;
    rt_line_start(&ln, "N");
    rt_line_hex(&ln, (uint64_t)(uintptr_t)lock);
    rt_line_str(&ln, name);
    rt_line_end(&ln);
    rt_real.mutex_unlock(&rt.lock);
    rt_leave(t);
}
