/* watchdog.c: the thread that turns a real deadlock into a report instead of a hang.
 * Every tick it snapshots the registered threads (what each is blocked in, on what, and a progress
 * counter every wrapper bumps) and looks for
 *  - a cycle of threads each blocked, untimed, on a lock held by the next or joining the next
 *    (detector/waitsfor.c), including a thread waiting for a lock it holds itself; a thread in an
 *    untimed condition wait counts as waiting for the owner of its mutex, which it must take back
 *    before the wait can return, signalled or not; a thread in pthread_once / call_once as waiting
 *    for the thread running the initialiser; confirmed when the same threads are in the cycle
 *    on two consecutive ticks with no progress;
 *  - a global stall: every live thread blocked, untimed, in a lock, cond wait, semaphore wait of this
 *    process, join or barrier, no progress for RT_STALL_TICKS ticks, and no thread the runtime does
 *    not know about (the kernel's /proc/self/task count matches).
 * Timed waits and waits another process may end are never counted as blocked forever; nor is a stall
 * in which a thread waits on a semaphore while the program has a signal handler installed: sem_post is
 * async-signal-safe, and a handler posting a semaphore (on an alarm, a timer, a child's end, a ^C) is a
 * correct way to wake a waiter.
 * Then it logs a D block (each thread: what it waits for and where, what it holds), ends the program
 * with status 66, and so the run ends within a second of the deadlock forming. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt.h"
#include "rt_sched.h"
#include "waitsfor.h"

#define RT_TICK_MS 50
#define RT_STALL_TICKS 6

typedef struct snap {
    rt_thread *t;
    int blocked;
    void *obj;
    rt_lock *via;       /* waits for this lock's owner though blocked in no lock: a condition wait's
                         * mutex (it must take it back), a once call's record (owned while its
                         * initialiser runs) */
    uint64_t progress;
} snap;

static const char *block_name(int b)
{
    switch (b) {
    case RT_BLOCK_LOCK: return "lock";
    case RT_BLOCK_RDLOCK: return "rdlock";
    case RT_BLOCK_COND: return "cond-wait";
    case RT_BLOCK_SEM: return "sem-wait";
    case RT_BLOCK_JOIN: return "join";
    case RT_BLOCK_BARRIER: return "barrier";
    case RT_BLOCK_ONCE: return "once";
    default: return "none";
    }
}

static bool forever(int b) { return b >= RT_BLOCK_LOCK && b <= RT_BLOCK_ONCE; }

/* Whether the task (thread) named in /proc/self/task has ended: a zombie. The main thread stays one
 * after it calls pthread_exit, for as long as the process lives. */
static bool task_ended(int dir_fd, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "%s/stat", name);
    int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true; /* gone already */
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return true;
    buf[n] = 0;
    const char *close_paren = strrchr(buf, ')'); /* "tid (comm) S ...": comm may hold anything */
    return !close_paren || close_paren[1] != ' ' || close_paren[2] == 'Z' || close_paren[2] == 'X';
}

/* Threads of this process the kernel still runs (the watchdog included), or -1. */
static int count_tasks(void)
{
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[4096];
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            if (d->d_name[0] != '.' && !task_ended(fd, d->d_name))
                count++;
            off += d->d_reclen;
        }
    }
    close(fd);
    return count;
}

/* The program's last thread has ended with pthread_exit (main's included), leaving only the
 * watchdog: glibc ends the process with exit(0) when its last thread exits, and the watchdog, a
 * thread of its own, must not keep it alive. */
static bool only_watchdog_left(size_t alive)
{
    return alive == 0 && count_tasks() == 1;
}

static bool holds(const rt_thread *t, const rt_lock *l)
{
    uint32_t n = __atomic_load_n(&t->n_held, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n; i++)
        if (t->held[i].lock == l)
            return true;
    return false;
}

/* in_cycle: the thread is in a waits-for cycle, where a condition wait stands for taking its mutex
 * back (logged as "cond-retake" on the mutex; in a stall, as "cond-wait" on the condition variable). */
static void log_thread_state(const snap *s, bool in_cycle)
{
    rt_thread *t = s->t;
    rt_line ln;
    rt_line_start(&ln, "DW");
    rt_line_u64(&ln, t->tid);
    bool retake = in_cycle && s->blocked == RT_BLOCK_COND && s->via;
    rt_line_str(&ln, retake ? "cond-retake" : block_name(s->blocked));
    uint64_t obj_uid = 0;
    int64_t target = -1;
    if (retake)
        obj_uid = s->via->uid;
    else if (s->blocked == RT_BLOCK_JOIN)
        target = s->obj ? (int64_t)((rt_thread *)s->obj)->tid : -1;
    else if (s->obj)
        obj_uid = ((rt_lock *)s->obj)->uid;
    rt_line_hex(&ln, obj_uid);
    rt_line_i64(&ln, target);
    rt_line_hex(&ln, rt_stack_log_pc(atomic_load(&t->blocked_pc)));
    bool lock_wait = s->blocked == RT_BLOCK_LOCK || s->blocked == RT_BLOCK_RDLOCK;
    rt_line_hex(&ln, lock_wait ? t->blocked_stack : 0);
    /* a condition wait in a stall: the mutex it must take back when woken (the report names it, and a
     * holder that has ended) */
    rt_line_hex(&ln, !retake && s->blocked == RT_BLOCK_COND && s->via ? s->via->uid : 0);
    rt_line_end(&ln);
    for (uint32_t i = 0; i < t->n_held; i++) {
        const rt_held *h = &t->held[i];
        rt_line_start(&ln, "DH");
        rt_line_u64(&ln, t->tid);
        rt_line_hex(&ln, h->lock->uid);
        rt_line_str(&ln, h->mode == RL_MODE_WRITE ? "w" : "r");
        rt_line_hex(&ln, rt_stack_log_pc(h->pc));
        rt_line_hex(&ln, h->stack);
        rt_line_end(&ln);
    }
}

static void report_and_end(const char *what, const snap *snaps, const uint32_t *members, size_t n)
{
    rt_real.mutex_lock(&rt.lock);
    rt_line ln;
    rt_line_start(&ln, "D");
    rt_line_str(&ln, what);
    rt_line_end(&ln);
    for (size_t i = 0; i < n; i++)
        log_thread_state(&snaps[members[i]], strcmp(what, "cycle") == 0);
    rt_line_start(&ln, "DE");
    rt_line_end(&ln);
    rt_real.mutex_unlock(&rt.lock);
    rt_say(strcmp(what, "cycle") != 0 ? "deadlock: every thread is blocked and nothing can wake them; ending the program (see the report)"
           : n == 1 ? "deadlock: a thread waits for itself; ending the program (see the report)"
                    : "deadlock: threads are waiting for each other in a cycle; ending the program (see the report)");
    rt_end_process_for_deadlock();
}

/* Previous tick: the confirmed-candidate cycle and progress per thread. */
typedef struct history {
    uint64_t cycle_sig;
    int stall_ticks;
    uint64_t stall_sig;
    uint64_t handler_sig;  /* the stall signature a signal handler was last looked for */
    bool handler_found;    /* ... and whether one was installed then */
} history;

/* Whether a signal handler of the program's could still run: one is installed for a signal that a
 * timer, a child, another process or the terminal can send (the fault signals, which only a running
 * thread raises, do not count). */
static bool handler_installed(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
            sig == SIGILL || sig == SIGTRAP || sig == SIGSYS)
            continue;
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && (sa.sa_flags & SA_SIGINFO ? sa.sa_sigaction != NULL
                                                                         : sa.sa_handler != SIG_DFL &&
                                                                               sa.sa_handler != SIG_IGN))
            return true;
    }
    return false;
}

/* A stall that a signal handler could end: some thread waits on a semaphore and a handler is installed.
 * Looked up once per stall signature (no thread has moved since, so none has installed a handler). */
static bool handler_may_post(history *hist, const snap *snaps, size_t n)
{
    bool sem_wait = false;
    for (size_t k = 0; k < n; k++)
        sem_wait |= snaps[k].blocked == RT_BLOCK_SEM;
    if (!sem_wait)
        return false;
    if (hist->handler_sig != hist->stall_sig) {
        hist->handler_sig = hist->stall_sig;
        hist->handler_found = handler_installed();
    }
    return hist->handler_found;
}

/* A timed condition wait whose deadline passed over 100 ms ago: it no longer waits for a signal but to
 * take its mutex back, and that wait has no deadline (glibc retakes the mutex before returning
 * ETIMEDOUT). So it counts as an untimed condition wait for the cycle and stall checks. */
static bool timed_wait_now_retakes(const rt_thread *t, const void *obj)
{
    const rt_lock *cond = obj;
    if (!cond || cond->kind != RT_KIND_COND || !atomic_load(&t->blocked_mutex))
        return false;
    struct timespec now;
    if (clock_gettime(t->blocked_clock, &now) != 0)
        return false;
    int64_t late_ns = (int64_t)(now.tv_sec - t->blocked_deadline.tv_sec) * 1000000000 +
                      (now.tv_nsec - t->blocked_deadline.tv_nsec);
    return late_ns > 100 * 1000 * 1000;
}

/* Returns the number of registered threads alive at the look. */
static size_t tick(history *hist)
{
    rt_real.mutex_lock(&rt.lock);
    size_t n = 0;
    for (rt_thread *t = rt.threads; t; t = t->next)
        if (atomic_load(&t->alive))
            n++;
    snap *snaps = rt_pool_alloc((n ? n : 1) * sizeof *snaps);
    rl_edge_pair *edges = NULL;
    size_t n_edges = 0, cap_edges = 0;
    size_t i = 0;
    bool all_blocked = n > 0;
    uint64_t sig = 0;
    for (rt_thread *t = rt.threads; t && snaps && i < n; t = t->next) {
        if (!atomic_load(&t->alive))
            continue;
        snaps[i].t = t;
        snaps[i].blocked = atomic_load_explicit(&t->blocked, memory_order_acquire);
        snaps[i].obj = atomic_load(&t->blocked_obj);
        if (snaps[i].blocked == RT_BLOCK_TIMED && timed_wait_now_retakes(t, snaps[i].obj))
            snaps[i].blocked = RT_BLOCK_COND; /* past its deadline: waits, untimed, for its mutex */
        snaps[i].via = snaps[i].blocked == RT_BLOCK_COND   ? atomic_load(&t->blocked_mutex)
                       : snaps[i].blocked == RT_BLOCK_ONCE ? snaps[i].obj
                                                           : NULL;
        snaps[i].progress = atomic_load(&t->progress);
        if (!forever(snaps[i].blocked))
            all_blocked = false;
        sig = rt_mix64(sig ^ (uint64_t)(uintptr_t)t ^ snaps[i].progress * 31 ^ (uint64_t)snaps[i].blocked);
        i++;
    }
    n = i;
    /* waits-for edges among threads blocked on locks, joins, condition waits and once calls */
    for (size_t a = 0; snaps && a < n; a++) {
        int b = snaps[a].blocked;
        if (b != RT_BLOCK_LOCK && b != RT_BLOCK_RDLOCK && b != RT_BLOCK_JOIN && !snaps[a].via)
            continue;
        for (size_t c = 0; c < n; c++) {
            if (!forever(snaps[c].blocked))
                continue; /* a running thread is in no cycle; and its held stack may be moving */
            bool waits;
            if (b == RT_BLOCK_JOIN)
                waits = snaps[c].t == snaps[a].obj;
            else if (snaps[a].via)
                waits = c != a && atomic_load(&snaps[a].via->owner) == snaps[c].t;
            else {
                rt_lock *l = snaps[a].obj;
                rt_thread *owner = atomic_load(&l->owner);
                waits = owner == snaps[c].t ||
                        (l->kind == RT_KIND_RWLOCK && (b == RT_BLOCK_LOCK || owner) && holds(snaps[c].t, l));
                if (b == RT_BLOCK_RDLOCK && !owner)
                    waits = false; /* readers only wait for a writer */
            }
            if (!waits)
                continue;
            rl_edge_pair *grown = rl_array_grow(&rt_pool_allocator, edges, sizeof *edges, &cap_edges, n_edges + 1);
            if (!grown)
                break;
            edges = grown;
            edges[n_edges].from = (uint32_t)a;
            edges[n_edges].to = (uint32_t)c;
            n_edges++;
        }
    }
    uint32_t *cycle = rt_pool_alloc((n ? n : 1) * sizeof *cycle);
    size_t len = (snaps && cycle) ? rl_waitsfor_find_cycle(&rt_pool_allocator, n, edges, n_edges, cycle) : 0;
    rt_real.mutex_unlock(&rt.lock);

    uint64_t cycle_sig = 0;
    for (size_t k = 0; k < len; k++)
        cycle_sig = rt_mix64(cycle_sig ^ (uint64_t)(uintptr_t)snaps[cycle[k]].t ^ snaps[cycle[k]].progress);
    bool report_cycle = len && cycle_sig == hist->cycle_sig;
    hist->cycle_sig = len ? cycle_sig : 0;

    bool report_stall = false;
    if (!len && all_blocked) {
        if (sig == hist->stall_sig)
            hist->stall_ticks++;
        else
            hist->stall_ticks = 0;
        hist->stall_sig = sig;
        if (hist->stall_ticks >= RT_STALL_TICKS && count_tasks() == (int)n + 1 && !handler_may_post(hist, snaps, n))
            report_stall = true;
    } else {
        hist->stall_ticks = 0;
        hist->stall_sig = 0;
    }
    if (report_cycle) {
        report_and_end("cycle", snaps, cycle, len);
    } else if (report_stall) {
        for (size_t k = 0; k < n; k++)
            cycle[k] = (uint32_t)k;
        report_and_end("stall", snaps, cycle, n);
    }
    rt_real.mutex_lock(&rt.lock);
    rt_pool_free(cycle, (n ? n : 1) * sizeof *cycle);
    rt_pool_free(edges, cap_edges * sizeof *edges);
    rt_pool_free(snaps, (n ? n : 1) * sizeof *snaps);
    rt_real.mutex_unlock(&rt.lock);
    return n;
}

static void *watchdog_main(void *arg)
{
    (void)arg;
    history hist = { 0 };
    for (;;) {
        struct timespec ts = { 0, RT_TICK_MS * 1000000L };
        nanosleep(&ts, NULL);
        if (rt_sched_fallback_check() && rt_sched_fallbacks() == 1) {
            rt_real.mutex_lock(&rt.lock);
            rt_note("schedule fell back: a thread went 100 ms without reaching a pthread call or shared "
                    "access while others waited (it spins on a plain variable, sleeps, or waits in a call "
                    "racelab does not see); from there the run is not exactly reproducible");
            rt_real.mutex_unlock(&rt.lock);
        }
        size_t alive = tick(&hist);
        if (only_watchdog_left(alive))
            exit(0);
    }
    return NULL;
}

/* The watchdog runs with every signal blocked (it inherits the mask it is created with): a handler of
 * the program must never run on it, where it would find no runtime record for the thread, or find
 * rt.lock held by the very thread it interrupted. */
void rt_watchdog_start(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rt_real.create(&rt.watchdog, &attr, watchdog_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
}
