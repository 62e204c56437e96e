/* lock_types: the five primitives (lock, recursive lock, semaphore, condition, event) and a misuse of each.
 *
 * Without options the program tours the five, each used correctly:
 *   lock            a mutex: two threads add to one total, one at a time
 *   recursive lock  a mutex that the thread holding it may lock again (a nested call), then must
 *                   unlock as many times as it locked
 *   semaphore       a counter of free slots: three workers share two slots
 *   condition       a mutex, a condition variable and a predicate: one thread waits (in a while loop)
 *                   until another has set `ready`
 *   event           a one-shot flag built from the two (set / wait / clear): runners wait for a
 *                   starting gun
 * With --misuse NAME it runs only the primitive that NAME misuses, with that mistake in it, and
 * racelab reports it:
 *   unlock-twice            lock      unlocked twice                              unlock-unlocked
 *   relock                  lock      locked again by its holder                  double-lock
 *   foreign-unlock          lock      unlocked by a thread that does not hold it  unlock-foreign
 *   exit-holding            lock      a thread ends still holding it              held-at-exit
 *   destroy-held            lock      destroyed while held                        destroy-locked
 *   recursive-extra-unlock  recursive unlocked once more than locked              unlock-unlocked
 *   forget-post             semaphore a slot taken and never given back           deadlock
 *   wait-without-lock       condition waited on without holding its mutex        cond-misuse
 *   peek-without-lock       event     its flag read without the event's lock      data-race
 * The plain lock is an error-checking mutex, so a relock or a bad unlock fails with an error code
 * instead of hanging or corrupting it; the program prints that code and carries on. The condition
 * misuse uses a timed wait (it cannot hang). forget-post really does wait for ever: racelab ends it,
 * without racelab the program HANGS (Ctrl-C).
 *
 * Run:
 *   build/labs/lock_types [--misuse NAME] [-t THREADS] [-n ROUNDS]
 *   racelab run -- build/labs/lock_types                              no findings
 *   racelab run -- build/labs/lock_types --misuse relock              double-lock
 *   build/labs/lock_types-tsan                                        ThreadSanitizer stays quiet
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab_options.h"
#include "racelab.h"

static long threads = 3;    /* threads in each part of the tour */
static long rounds = 1000;  /* lock: additions per thread */

static const char *misuse = ""; /* "" for the correct tour */

static int misusing(const char *name) { return strcmp(misuse, name) == 0; }

/* Prints what a call returned: "0 (ok)" or "EPERM (Operation not permitted)". */
static void show_rc(const char *what, int rc)
{
    const char *name = rc == 0 ? "0" : rc == EPERM ? "EPERM" : rc == EBUSY ? "EBUSY"
                     : rc == EDEADLK ? "EDEADLK" : rc == ETIMEDOUT ? "ETIMEDOUT" : "error";
    printf("  %s returned %s (%s)\n", what, name, rc == 0 ? "ok" : strerror(rc));
}

static pthread_t start(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    int rc = pthread_create(&t, NULL, fn, arg);
    if (rc != 0) {
        fprintf(stderr, "lock_types: pthread_create: %s\n", strerror(rc));
        exit(1);
    }
    return t;
}

/* ---- lock: an error-checking mutex ------------------------------------------------------------- */

static pthread_mutex_t lock;
static long total;                    /* guarded by lock */
static pthread_barrier_t handover;    /* foreign-unlock: orders the two threads' steps */

static void *add_rounds(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&lock);
        total++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    if (misusing("exit-holding"))
        return NULL;                      /* the bug: ends without unlocking */
    pthread_barrier_wait(&handover);      /* now the other thread tries to unlock it */
    pthread_barrier_wait(&handover);
    pthread_mutex_unlock(&lock);          /* the holder's own unlock: correct */
    return NULL;
}

static void *intruder(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&handover);      /* the holder has the lock */
    show_rc("unlock by a thread that does not hold it", pthread_mutex_unlock(&lock));
    pthread_barrier_wait(&handover);
    return NULL;
}

static void tour_lock(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&lock, &attr);
    pthread_mutexattr_destroy(&attr);
    racelab_name_lock(&lock, "lock");
    printf("lock (error-checking mutex)%s%s\n", misuse[0] ? ", misuse " : "", misuse);

    if (misusing("unlock-twice")) {
        pthread_mutex_lock(&lock);
        show_rc("first unlock", pthread_mutex_unlock(&lock));
        show_rc("second unlock", pthread_mutex_unlock(&lock)); /* the bug */
    } else if (misusing("relock")) {
        pthread_mutex_lock(&lock);
        show_rc("lock by its holder", pthread_mutex_lock(&lock)); /* the bug */
        pthread_mutex_unlock(&lock);
    } else if (misusing("foreign-unlock") || misusing("exit-holding")) {
        pthread_barrier_init(&handover, NULL, 2);
        pthread_t h = start(holder, NULL);
        if (misusing("foreign-unlock")) {
            pthread_t i = start(intruder, NULL);
            pthread_join(i, NULL);
        }
        pthread_join(h, NULL);
        pthread_barrier_destroy(&handover);
        if (misusing("exit-holding")) {
            printf("  a thread ended holding the lock: nobody can ever unlock it now\n");
            return; /* destroying it would fail too */
        }
    } else if (misusing("destroy-held")) {
        pthread_mutex_lock(&lock);
        show_rc("destroy while held", pthread_mutex_destroy(&lock)); /* the bug */
        pthread_mutex_unlock(&lock);
    } else {
        pthread_t *t = calloc((size_t)threads, sizeof *t);
        if (!t) {
            perror("lock_types: calloc");
            exit(1);
        }
        for (long i = 0; i < threads; i++)
            t[i] = start(add_rounds, NULL);
        for (long i = 0; i < threads; i++)
            pthread_join(t[i], NULL);
        free(t);
        printf("  %ld threads added %ld each: total %ld, expected %ld\n", threads, rounds, total,
               threads * rounds);
    }
    pthread_mutex_destroy(&lock);
}

/* ---- recursive lock ---------------------------------------------------------------------------- */

static pthread_mutex_t recursive_lock;
static long balance = 100; /* guarded by recursive_lock */

static void deposit(long amount)
{
    pthread_mutex_lock(&recursive_lock); /* also called with the lock already held */
    balance += amount;
    pthread_mutex_unlock(&recursive_lock);
}

/* Pays a fee and a deposit as one step: holds the lock across both, and deposit() locks it again. */
static void deposit_with_fee(long amount, long fee)
{
    pthread_mutex_lock(&recursive_lock);
    balance -= fee;
    deposit(amount);
    pthread_mutex_unlock(&recursive_lock);
}

static void tour_recursive(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&recursive_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    racelab_name_lock(&recursive_lock, "recursive_lock");
    printf("recursive lock%s%s\n", misuse[0] ? ", misuse " : "", misuse);

    deposit_with_fee(50, 1); /* locked twice, unlocked twice */
    printf("  balance %ld after a deposit of 50 with a fee of 1 (nested locking)\n", balance);
    if (misusing("recursive-extra-unlock")) {
        pthread_mutex_lock(&recursive_lock);
        pthread_mutex_lock(&recursive_lock);
        show_rc("unlock 1 of 3", pthread_mutex_unlock(&recursive_lock));
        show_rc("unlock 2 of 3", pthread_mutex_unlock(&recursive_lock));
        show_rc("unlock 3 of 3", pthread_mutex_unlock(&recursive_lock)); /* the bug: one too many */
    }
    pthread_mutex_destroy(&recursive_lock);
}

/* ---- semaphore --------------------------------------------------------------------------------- */

static sem_t slots;                   /* free slots */
static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static long busy, most_busy;          /* workers inside a slot now, and the most at once */

static void *slot_worker(void *arg)
{
    long me = (long)arg;
    while (sem_wait(&slots) != 0)
        ; /* interrupted by a signal: wait again */
    pthread_mutex_lock(&busy_lock);
    if (++busy > most_busy)
        most_busy = busy;
    pthread_mutex_unlock(&busy_lock);
    sched_yield(); /* the work */
    pthread_mutex_lock(&busy_lock);
    busy--;
    pthread_mutex_unlock(&busy_lock);
    if (misusing("forget-post") && me == 0)
        return NULL; /* the bug: the slot is never given back */
    sem_post(&slots);
    return NULL;
}

static void tour_semaphore(void)
{
    /* forget-post: one slot, so the lost one is missed at once */
    long n_slots = threads > 1 && !misusing("forget-post") ? threads - 1 : 1;
    sem_init(&slots, 0, (unsigned)n_slots);
    racelab_name_lock(&slots, "slots");
    printf("semaphore%s%s\n", misuse[0] ? ", misuse " : "", misuse);
    if (misusing("forget-post")) {
        printf("  worker 0 takes the only slot and never gives it back; worker 1 waits for it\n");
        pthread_t first = start(slot_worker, (void *)0L);
        pthread_join(first, NULL);
        pthread_t second = start(slot_worker, (void *)1L);
        pthread_join(second, NULL); /* never returns */
    } else {
        pthread_t *t = calloc((size_t)threads, sizeof *t);
        if (!t) {
            perror("lock_types: calloc");
            exit(1);
        }
        for (long i = 0; i < threads; i++)
            t[i] = start(slot_worker, (void *)i);
        for (long i = 0; i < threads; i++)
            pthread_join(t[i], NULL);
        free(t);
        printf("  %ld workers shared %ld slots: at most %ld at once\n", threads, n_slots, most_busy);
    }
    sem_destroy(&slots);
}

/* ---- condition --------------------------------------------------------------------------------- */

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_changed = PTHREAD_COND_INITIALIZER;
static int ready; /* the predicate; guarded by ready_lock */

static void *make_ready(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ready_lock);
    ready = 1;
    pthread_cond_signal(&ready_changed);
    pthread_mutex_unlock(&ready_lock);
    return NULL;
}

static void tour_condition(void)
{
    racelab_name_lock(&ready_lock, "ready_lock");
    racelab_name_lock(&ready_changed, "ready_changed");
    printf("condition%s%s\n", misuse[0] ? ", misuse " : "", misuse);
    if (misusing("wait-without-lock")) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 50 * 1000 * 1000;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        /* the bug: ready_lock is not held. The timeout makes sure the wait ends. */
        show_rc("timed wait without the mutex",
                pthread_cond_timedwait(&ready_changed, &ready_lock, &deadline));
        pthread_mutex_unlock(&ready_lock); /* glibc returns from the wait with the mutex locked */
        return;
    }
    pthread_t t = start(make_ready, NULL);
    pthread_mutex_lock(&ready_lock);
    while (!ready) /* while, not if: wake-ups can be spurious or stale */
        pthread_cond_wait(&ready_changed, &ready_lock);
    pthread_mutex_unlock(&ready_lock);
    pthread_join(t, NULL);
    printf("  waited until ready was set\n");
}

/* ---- event: set / wait / clear ----------------------------------------------------------------- */

struct event {
    pthread_mutex_t lock;  /* guards flag */
    pthread_cond_t cond;   /* broadcast when flag becomes 1 */
    racelab_shared flag;   /* 1 once set, until cleared */
};

static struct event gun = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                           RACELAB_SHARED_INIT("gun.flag", 0)};

static void event_set(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    racelab_store(&e->flag, 1);
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

static void event_wait(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    while (!racelab_load(&e->flag))
        pthread_cond_wait(&e->cond, &e->lock);
    pthread_mutex_unlock(&e->lock);
}

static void event_clear(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    racelab_store(&e->flag, 0);
    pthread_mutex_unlock(&e->lock);
}

static void *runner(void *arg)
{
    (void)arg;
    if (misusing("peek-without-lock")) {
        while (!racelab_load(&gun.flag)) /* the bug: reads the flag without gun.lock */
            sched_yield();
        return NULL;
    }
    event_wait(&gun);
    return NULL;
}

static void tour_event(void)
{
    racelab_name_lock(&gun.lock, "gun.lock");
    racelab_name_lock(&gun.cond, "gun.cond");
    printf("event%s%s\n", misuse[0] ? ", misuse " : "", misuse);
    long n = misuse[0] ? 1 : threads;
    pthread_t *t = calloc((size_t)n, sizeof *t);
    if (!t) {
        perror("lock_types: calloc");
        exit(1);
    }
    for (long i = 0; i < n; i++)
        t[i] = start(runner, NULL);
    event_set(&gun);
    for (long i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    free(t);
    event_clear(&gun);
    printf("  %ld runner%s started when the gun was set; the gun is cleared for the next race\n", n,
           n == 1 ? "" : "s");
}

/* ---- main -------------------------------------------------------------------------------------- */

struct misuse_entry {
    const char *name;
    void (*tour)(void);
};

static const struct misuse_entry misuses[] = {
    {"unlock-twice", tour_lock},       {"relock", tour_lock},
    {"foreign-unlock", tour_lock},     {"exit-holding", tour_lock},
    {"destroy-held", tour_lock},       {"recursive-extra-unlock", tour_recursive},
    {"forget-post", tour_semaphore},   {"wait-without-lock", tour_condition},
    {"peek-without-lock", tour_event},
};

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [--misuse NAME] [-t THREADS] [-n ROUNDS]\n"
            "Tours five primitives (lock, recursive lock, semaphore, condition, event), each used\n"
            "correctly; with --misuse, runs only the primitive misused that way.\n"
            "  --misuse unlock-twice            lock: unlocked twice\n"
            "  --misuse relock                  lock: locked again by the thread holding it\n"
            "  --misuse foreign-unlock          lock: unlocked by a thread that does not hold it\n"
            "  --misuse exit-holding            lock: a thread ends still holding it\n"
            "  --misuse destroy-held            lock: destroyed while held\n"
            "  --misuse recursive-extra-unlock  recursive lock: one unlock too many\n"
            "  --misuse forget-post             semaphore: a slot never given back; the next worker\n"
            "                                   waits for ever. Without racelab the program HANGS\n"
            "                                   (Ctrl-C to stop it); racelab reports it and ends it\n"
            "  --misuse wait-without-lock       condition: waited on without its mutex (a timed wait)\n"
            "  --misuse peek-without-lock       event: its flag read without the event's lock\n"
            "  -t, --threads N                  threads in each part of the tour (default 3)\n"
            "  -n, --rounds N                   lock: additions per thread (default 1000)\n"
            "  -h, --help                       show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"misuse", required_argument, NULL, 'u'},
        {"threads", required_argument, NULL, 't'},
        {"rounds", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const size_t n_misuses = sizeof misuses / sizeof misuses[0];
    void (*only)(void) = NULL;
    const struct lab_options cli = {"lock_types", "t:n:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'u': {
            size_t i = 0;
            while (i < n_misuses && strcmp(optarg, misuses[i].name) != 0)
                i++;
            if (i == n_misuses) {
                fprintf(stderr, "lock_types: no misuse called '%s' (see --help)\n", optarg);
                return 2;
            }
            misuse = misuses[i].name;
            only = misuses[i].tour;
            break;
        }
        case 't': threads = lab_count_option(&cli, optarg, "THREADS", 1, 1000); break;
        case 'n': rounds = lab_count_option(&cli, optarg, "ROUNDS", 0, 100000000); break;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* show each line at once, even if the program never ends */

    if (only) {
        only();
        return 0;
    }
    tour_lock();
    tour_recursive();
    tour_semaphore();
    tour_condition();
    tour_event();
    return 0;
}
