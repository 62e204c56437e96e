/* sched.c: schedule control. With `--schedule serial` or `pct` only one registered thread runs at a
 * time: it holds the token from one instrumentation point to the next, and at every point the token
 * goes to a thread chosen by a seeded generator (serial: uniformly among the threads ready to run;
 * pct: Probabilistic Concurrency Testing, Burckhardt et al., ASPLOS 2010: random distinct priorities,
 * the highest ready one runs, and at d-1 random steps the running thread drops below all others. The
 * paper gives the i-th dropped thread priority i, so a thread dropped later outranks one dropped
 * earlier and, with two threads, only the first change point tends to matter; here every change point
 * drops the running thread below everyone, so each one is a fresh chance to expose an interleaving).
 * Threads never block in the kernel on a mutex, rwlock, semaphore, join or barrier there: they wait in
 * the scheduler until the object changes, so the same seed gives the same interleaving (and the same
 * event hash). Condition waits and unknown blocking calls leave the schedule and rejoin it when they
 * return. If the running thread spends 100 ms without reaching a point while others are ready (it
 * spins on a plain variable, say), the watchdog hands the token on and the report says the schedule
 * fell back. Under pct a thread that is chosen RT_PCT_STREAK points in a row while others are ready
 * (it polls a flag under a mutex, say, waiting for one of them) drops below all of them, as at a change
 * point: pct never changes priorities after its first steps, so without this a polling loop would
 * keep the token for ever from the thread it waits for. The drop depends only on the steps, so the
 * same seed still gives the same run. `random` only perturbs timing (yields and short sleeps) at
 * points; `native` does nothing. */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>

#include "rt_sched.h"

enum { SS_NONE = 0, SS_RUNNING, SS_READY, SS_WAITING, SS_OUT, SS_ENDED };

/* pct: points in a row one thread may be chosen while others are ready before it drops below them */
#define RT_PCT_STREAK 1000

/* Per-process scheduler state. */
static struct {
    pthread_mutex_t m;
    pthread_cond_t cv;
    rt_thread *owner;          /* holds the token, or NULL */
    uint64_t rng;
    uint64_t step;
    uint64_t hash;
    uint64_t change_points[32];
    int n_change;
    uint32_t next_low;         /* pct: the last priority given at a change point (decreasing) */
    rt_thread *streak_owner;   /* pct: the thread chosen last, and how many times in a row it was */
    uint64_t streak;           /* chosen while another thread was ready */
    uint64_t fallbacks;
    uint64_t cond_seq;         /* tickets for condition waits: signal wakes the oldest waiter */
} sc = { .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static uint64_t next_rand(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

bool rt_sched_token_mode(void) { return rt.schedule == RT_SCHED_PCT || rt.schedule == RT_SCHED_SERIAL; }

void rt_sched_init(void)
{
    sc.rng = rt.seed ^ 0x5851f42d4c957f2dULL;
    sc.hash = 0xcbf29ce484222325ULL;
    if (rt.schedule == RT_SCHED_PCT) {
        int d = rt.pct_depth > 0 ? rt.pct_depth : 5;
        if (d > 33)
            d = 33;
        uint64_t k = rt.pct_steps ? rt.pct_steps : 200;
        sc.n_change = d - 1;
        for (int i = 0; i < sc.n_change; i++)
            sc.change_points[i] = 1 + next_rand(&sc.rng) % k;
        sc.next_low = 1u << 30; /* initial priorities are above 2^30 */
    }
}

/* Cancellation is off while a thread holds the scheduler's mutex: its condition waits are
 * cancellation points, and a thread cancelled there would leave the mutex locked for good. */
static RT_TLS __thread int sched_cancel_state;
static void lock_sched(void)
{
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    rt_real.mutex_lock(&sc.m);
    sched_cancel_state = old;
}
static void unlock_sched(void)
{
    int old = sched_cancel_state;
    rt_real.mutex_unlock(&sc.m);
    pthread_setcancelstate(old, NULL);
}
static void wait_sched(void) { rt_real.cond_wait(&sc.cv, &sc.m); }
/* Until choose_next picks t (or anything else changes sc.owner): t's own condition variable. */
static void wait_token(rt_thread *t) { rt_real.cond_wait(&t->sched_cv, &sc.m); }
static void wake_all(void) { rt_real.cond_broadcast(&sc.cv); }

/* The highest-priority ready thread other than skip (ties: the lower tid), or NULL. sc.m held. */
static rt_thread *highest_ready(const rt_thread *skip)
{
    rt_thread *best = NULL;
    for (rt_thread *t = rt.threads; t; t = t->next)
        if (t->sched_state == SS_READY && t != skip &&
            (!best || t->priority > best->priority || (t->priority == best->priority && t->tid < best->tid)))
            best = t;
    return best;
}

/* Give the token to a ready thread chosen by the policy (or to nobody), and wake that one thread only:
 * each waits for the token on its own condition variable, so a hand-over costs the same with 300
 * threads as with 3. sc.m held. */
static void choose_next(void)
{
    size_t ready = 0;
    for (rt_thread *t = rt.threads; t; t = t->next)
        ready += t->sched_state == SS_READY;
    rt_thread *pick = NULL;
    if (ready && rt.schedule == RT_SCHED_PCT) {
        pick = highest_ready(NULL);
        if (ready > 1 && pick == sc.streak_owner && ++sc.streak >= RT_PCT_STREAK) {
            /* it starves the others: it drops below them all, and the next in rank runs */
            pick->priority = --sc.next_low;
            sc.streak = 0;
            pick = highest_ready(pick);
        } else if (ready <= 1 || pick != sc.streak_owner) {
            sc.streak = 0;
        }
        sc.streak_owner = pick;
    } else if (ready) {
        /* uniformly, by rank in tid order, so that the choice depends only on the set of ready threads:
         * the registry is newest-first, that is, in decreasing tid order (tids are given out and
         * threads registered together, under rt.lock), so rank r from the lowest tid is the
         * (ready - 1 - r)-th ready thread met */
        size_t skip = ready - 1 - (size_t)(next_rand(&sc.rng) % ready);
        for (rt_thread *t = rt.threads; t && !pick; t = t->next)
            if (t->sched_state == SS_READY && skip-- == 0)
                pick = t;
    }
    sc.owner = pick;
    if (pick)
        rt_real.cond_signal(&pick->sched_cv);
    else /* nobody can run: every waiter looks again (rt_sched_wait_on retries its object when idle) */
        for (rt_thread *t = rt.threads; t; t = t->next)
            if (!t->inherited) /* (a forked child's copies of its parent's threads wait nowhere) */
                rt_real.cond_signal(&t->sched_cv);
    wake_all(); /* creators waiting for a registration; waiters that found nobody holding the token */
}

/* Wait until this thread holds the token. sc.m held. */
static void await_token(rt_thread *t)
{
    if (!sc.owner)
        choose_next();
    while (sc.owner != t)
        wait_token(t);
    t->sched_state = SS_RUNNING;
}

static void mix_event(rt_thread *t, rt_op op, uint32_t object, int64_t value)
{
    uint64_t h = sc.hash ^ ((uint64_t)t->tid << 40 | (uint64_t)op << 32 | object);
    h = rt_mix64(h) ^ (uint64_t)value;
    sc.hash = rt_mix64(h);
}

static void random_perturb(rt_thread *t)
{
    if (!t->rng)
        t->rng = rt.seed ^ rt_mix64(t->tid + 1);
    uint64_t r = next_rand(&t->rng);
    if (r % 4 == 0)
        sched_yield();
    if (r % 64 == 1) {
        struct timespec ts = { 0, (long)(r >> 40) % 100000 };
        syscall(SYS_nanosleep, &ts, NULL); /* not nanosleep(): no cancellation point inside a wrapper */
    }
}

/* Registers a thread that never went through our pthread_create (the main thread) as running. */
static void adopt(rt_thread *t)
{
    if (t->registered)
        return;
    t->registered = 1;
    t->priority = (1u << 30) + 1 + (uint32_t)(next_rand(&sc.rng) % (1u << 30));
    t->sched_state = SS_READY;
    await_token(t);
}

void rt_sched_point_slow(rt_thread *t, rt_op op, uint32_t object, int64_t value)
{
    if (rt.schedule == RT_SCHED_RANDOM) {
        random_perturb(t);
        return;
    }
    lock_sched();
    adopt(t);
    sc.step++;
    mix_event(t, op, object, value);
    if (rt.schedule == RT_SCHED_PCT)
        for (int i = 0; i < sc.n_change; i++)
            if (sc.change_points[i] == sc.step)
                t->priority = --sc.next_low; /* below every other thread, including earlier drops */
    t->sched_state = SS_READY;
    if (sc.owner == t || !sc.owner)
        choose_next();
    await_token(t);
    unlock_sched();
}

void rt_sched_leave(rt_thread *t)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    adopt(t);
    t->sched_state = SS_OUT;
    if (sc.owner == t || !sc.owner)
        choose_next();
    unlock_sched();
}

void rt_sched_return(rt_thread *t)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    t->sched_state = SS_READY;
    await_token(t);
    unlock_sched();
}

void rt_sched_wait_on(rt_thread *t, const void *obj)
{
    lock_sched();
    adopt(t);
    t->sched_state = SS_WAITING;
    t->sched_wait_obj = obj;
    if (sc.owner == t || !sc.owner)
        choose_next();
    while (sc.owner != t) {
        if (sc.owner) {
            wait_token(t);
            continue;
        }
        /* Nobody can run: either a real deadlock (the watchdog will end it), or the object changed
         * without a notification (a condition wait released a mutex inside glibc). Look again soon. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (rt_real.cond_timedwait(&sc.cv, &sc.m, &ts) != 0 && !sc.owner) {
            t->sched_state = SS_READY;
            choose_next();
        }
    }
    t->sched_state = SS_RUNNING;
    t->sched_wait_obj = NULL;
    unlock_sched();
}

void rt_sched_cancel(rt_thread *target)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    atomic_store_explicit(&target->cancel_requested, 1, memory_order_release);
    if (target->sched_state == SS_WAITING)
        target->sched_state = SS_READY;
    if (!sc.owner)
        choose_next();
    wake_all();
    unlock_sched();
}

void rt_sched_notify_slow(const void *obj)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    for (rt_thread *t = rt.threads; t; t = t->next)
        if (t->sched_state == SS_WAITING && t->sched_wait_obj == obj)
            t->sched_state = SS_READY;
    if (!sc.owner)
        choose_next();
    unlock_sched();
}

void rt_sched_thread_started(rt_thread *t)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    t->registered = 1;
    t->priority = (1u << 30) + 1 + (uint32_t)(next_rand(&sc.rng) % (1u << 30));
    t->sched_state = SS_READY;
    wake_all(); /* the creator waits for registration */
    await_token(t);
    unlock_sched();
}

void rt_sched_after_fork_child(rt_thread *self)
{
    /* another thread may have held the scheduler's mutex at the fork, or been waiting on its condition
     * variables: they are made anew, not unlocked */
    sc.m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    sc.cv = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
    sc.streak_owner = NULL;
    sc.streak = 0;
    for (rt_thread *t = rt.threads; t; t = t->next)
        if (t != self)
            t->sched_state = SS_ENDED;
    sc.owner = NULL;
    if (self) {
        self->sched_cv = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
        if (rt_sched_token_mode() && self->registered && self->sched_state != SS_OUT) {
            self->sched_state = SS_RUNNING; /* it was running the program's fork(): it had the token */
            sc.owner = self;
        }
    }
}

void rt_sched_wait_registered(rt_thread *child)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    while (!child->registered && atomic_load(&child->alive))
        wait_sched();
    unlock_sched();
}

void rt_sched_thread_ended(rt_thread *t)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    t->sched_state = SS_ENDED;
    for (rt_thread *w = rt.threads; w; w = w->next)
        if (w->sched_state == SS_WAITING && w->sched_wait_obj == t)
            w->sched_state = SS_READY;
    if (sc.owner == t || !sc.owner)
        choose_next();
    unlock_sched();
}

int rt_sched_barrier(rt_thread *t, rt_lock *b)
{
    lock_sched();
    adopt(t);
    if (++b->barrier_arrived >= b->barrier_count) {
        b->barrier_arrived = 0;
        b->barrier_round++;
        for (rt_thread *w = rt.threads; w; w = w->next)
            if (w->sched_state == SS_WAITING && w->sched_wait_obj == b)
                w->sched_state = SS_READY;
        unlock_sched();
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    uint64_t round = b->barrier_round;
    unlock_sched();
    while (b->barrier_round == round)
        rt_sched_wait_on(t, b);
    return 0;
}

void rt_sched_cond_wait(rt_thread *t, rt_lock *cond)
{
    lock_sched();
    adopt(t);
    if (rt_sched_cancel_pending(t)) { /* cancelled before it waited: the caller acts on it */
        unlock_sched();
        return;
    }
    t->cond_ticket = ++sc.cond_seq;
    t->sched_state = SS_WAITING;
    t->sched_wait_obj = cond;
    if (sc.owner == t || !sc.owner)
        choose_next();
    while (sc.owner != t)
        wait_token(t); /* a signal or a cancellation makes it ready; if none comes, the watchdog reports it */
    t->sched_state = SS_RUNNING;
    t->sched_wait_obj = NULL;
    unlock_sched();
}

void rt_sched_cond_signal(rt_lock *cond, bool broadcast)
{
    lock_sched();
    rt_thread *oldest = NULL;
    for (rt_thread *w = rt.threads; w; w = w->next) {
        if (w->sched_state != SS_WAITING || w->sched_wait_obj != cond)
            continue;
        if (broadcast)
            w->sched_state = SS_READY;
        else if (!oldest || w->cond_ticket < oldest->cond_ticket)
            oldest = w;
    }
    if (oldest)
        oldest->sched_state = SS_READY;
    if (!sc.owner)
        choose_next();
    unlock_sched();
}

uint64_t rt_sched_hash(void) { return sc.hash; }

void rt_sched_mix(rt_thread *t, rt_op op, uint32_t object, int64_t value)
{
    if (!rt_sched_token_mode())
        return;
    lock_sched();
    mix_event(t, op, object, value);
    unlock_sched();
}
uint64_t rt_sched_steps(void) { return sc.step; }

/* Watchdog: the token owner made no progress for a tick while others are ready: hand the token on. */
bool rt_sched_fallback_check(void)
{
    if (!rt_sched_token_mode())
        return false;
    bool fell_back = false;
    lock_sched();
    rt_thread *o = sc.owner;
    if (o) {
        /* the schedule's step, not the thread's progress counter: every wrapper bumps that, so a thread
         * polling one without a point of its own (sem_trywait did not have one) was never moved on */
        uint64_t p = sc.step;
        bool others_ready = false;
        for (rt_thread *t = rt.threads; t; t = t->next)
            others_ready |= t != o && t->sched_state == SS_READY;
        /* (a blocked state does not stop it: a thread that blocks in a wrapper gives the token away
         * first, so an owner still marked blocked is in a call racelab let through, from a signal
         * handler that interrupted that wrapper, say, and may never return) */
        if (p == o->sched_step_seen && others_ready && o->sched_state == SS_RUNNING) {
            o->sched_state = SS_OUT; /* it keeps running, unscheduled, until its next point */
            choose_next();
            sc.fallbacks++;
            fell_back = true;
        }
        o->sched_step_seen = p;
    }
    unlock_sched();
    return fell_back;
}

uint64_t rt_sched_fallbacks(void) { return sc.fallbacks; }
