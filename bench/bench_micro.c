/* bench_micro: the per-operation microbenchmarks of bench/run (items 1-4 of RESULTS.md), one program
 * run twice, plainly and under `racelab run`, so that raw and racelab figures come from the same code.
 *
 *   bench_micro locks N       uncontended lock+unlock of one mutex; nested acquisition at depth 1, 2,
 *                             4, 8 (every order already known: one warm-up round first); two threads
 *                             contending on one lock and on two locks (taken nested, always A then B).
 *   bench_micro shared N      racelab_load / racelab_store / racelab_add, and the same as plain
 *                             atomics; then lock+unlock again, now that happens-before tracking is on
 *                             (racelab switches it on with the first shared variable).
 *   bench_micro callgrind N   N uncontended lock+unlock pairs inside bench_pairs() only, for
 *                             `valgrind --tool=callgrind --toggle-collect=bench_pairs` (instructions
 *                             per pair: the warm-up outside it is not counted).
 *
 * Every figure but pair_st is taken with a second, idle thread alive (blocked in read(2) on a pipe, so
 * racelab sees no waiting): glibc locks a default mutex without atomic instructions while a process has
 * a single thread, and racelab's watchdog thread means a program under racelab never has one. pair_st
 * is the same loop as pair before that thread starts: the single-threaded shortcut, for comparison.
 *
 * Each single-thread figure is the median over 5 batches of N operations (N pairs, N iterations), in
 * ns per operation, twice: NAME by the thread's CPU time (CLOCK_THREAD_CPUTIME_ID: time spent
 * descheduled by other load is left out) and NAME_wall by the wall clock (CLOCK_MONOTONIC). The
 * two-thread figures are wall clock only (waiting for the other thread is part of them). Printed as
 * "RESULT name value" lines that bench/run reads. Nothing here knows whether
 * racelab is present: the same calls go to libc or through the runtime.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "racelab.h"

#define BATCHES 5
#define MAX_DEPTH 8

static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t nest[MAX_DEPTH];
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER, lock_b = PTHREAD_MUTEX_INITIALIZER;
static volatile long guarded; /* touched inside the critical sections, so they are not empty */
static racelab_shared var = RACELAB_SHARED_INIT("bench_var", 0);
static volatile long atomic_var;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void *idle_thread(void *arg)
{
    char c;
    while (read(*(int *)arg, &c, 1) < 0) /* never written: blocks until the process ends */
        ;
    return NULL;
}

/* Makes the process multi-threaded (see the top of the file). */
static void start_idle_thread(void)
{
    static int fds[2];
    pthread_t t;
    if (pipe(fds) != 0 || pthread_create(&t, NULL, idle_thread, &fds[0]) != 0) {
        perror("bench_micro: idle thread");
        exit(1);
    }
    pthread_detach(t);
}

/* Not static, not inlined: callgrind's --toggle-collect names it. */
__attribute__((noinline)) void bench_pairs(long n)
{
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&one);
        pthread_mutex_unlock(&one);
    }
}

static long depth; /* nested(): locks taken per iteration */

static __attribute__((noinline)) void nested(long n)
{
    for (long i = 0; i < n; i++) {
        for (long d = 0; d < depth; d++)
            pthread_mutex_lock(&nest[d]);
        guarded++;
        for (long d = depth; d-- > 0;)
            pthread_mutex_unlock(&nest[d]);
    }
}

static __attribute__((noinline)) void shared_load(long n)
{
    long sum = 0;
    for (long i = 0; i < n; i++)
        sum += racelab_load(&var);
    guarded = sum;
}

static __attribute__((noinline)) void shared_store(long n)
{
    for (long i = 0; i < n; i++)
        racelab_store(&var, i);
}

static __attribute__((noinline)) void shared_add(long n)
{
    for (long i = 0; i < n; i++)
        racelab_add(&var, 1);
}

static __attribute__((noinline)) void atomic_load_op(long n)
{
    long sum = 0;
    for (long i = 0; i < n; i++)
        sum += __atomic_load_n(&atomic_var, __ATOMIC_SEQ_CST);
    guarded = sum;
}

static __attribute__((noinline)) void atomic_store_op(long n)
{
    for (long i = 0; i < n; i++)
        __atomic_store_n(&atomic_var, i, __ATOMIC_SEQ_CST);
}

static __attribute__((noinline)) void atomic_add_op(long n)
{
    for (long i = 0; i < n; i++)
        __atomic_add_fetch(&atomic_var, 1, __ATOMIC_SEQ_CST);
}

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* fn(n) BATCHES times after a small warm-up run; the medians, in ns per operation, of the thread's CPU
 * time (time it was descheduled left out: stable on a loaded machine) and of the wall clock. */
typedef struct timing {
    double cpu, wall;
} timing;

static timing measure(void (*fn)(long), long n)
{
    double cpu[BATCHES], wall[BATCHES];
    fn(n / 100 + 1);
    for (int b = 0; b < BATCHES; b++) {
        double w0 = now_ns(), c0 = cpu_ns();
        fn(n);
        cpu[b] = (cpu_ns() - c0) / (double)n;
        wall[b] = (now_ns() - w0) / (double)n;
    }
    return (timing){ median(cpu, BATCHES), median(wall, BATCHES) };
}

/* ---- two threads ---- */
static pthread_barrier_t start_line;
static long contend_iterations;
static int contend_two; /* 0: one lock; 1: lock_a then lock_b */

static void *contender(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line);
    for (long i = 0; i < contend_iterations; i++) {
        pthread_mutex_lock(&lock_a);
        if (contend_two)
            pthread_mutex_lock(&lock_b);
        guarded++;
        if (contend_two)
            pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
    }
    return NULL;
}

/* Wall time of two threads doing n iterations each, per iteration of either thread (ns). */
static double contend_once(long n, int two)
{
    pthread_t th[2];
    contend_iterations = n;
    contend_two = two;
    pthread_barrier_init(&start_line, NULL, 3);
    for (int i = 0; i < 2; i++)
        if (pthread_create(&th[i], NULL, contender, NULL) != 0) {
            fprintf(stderr, "bench_micro: pthread_create failed\n");
            exit(1);
        }
    double t0 = now_ns();
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    double dt = now_ns() - t0;
    pthread_barrier_destroy(&start_line);
    return dt / (2.0 * (double)n);
}

static double contend(long n, int two)
{
    double per_op[BATCHES];
    contend_once(n / 100 + 1, two);
    for (int b = 0; b < BATCHES; b++)
        per_op[b] = contend_once(n, two);
    return median(per_op, BATCHES);
}

static void result(const char *name, double v)
{
    printf("RESULT %s %.3f\n", name, v);
}

/* name: thread CPU time per operation; name_wall: wall clock. */
static void result_timing(const char *name, timing t)
{
    char wall[64];
    snprintf(wall, sizeof wall, "%s_wall", name);
    result(name, t.cpu);
    result(wall, t.wall);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_micro locks|shared|callgrind N\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return usage();
    long n = strtol(argv[2], NULL, 10);
    if (n <= 0)
        return usage();
    if (strcmp(argv[1], "callgrind") == 0) {
        start_idle_thread();
        for (int i = 0; i < 1000; i++) { /* the first acquisition learns the lock: not counted */
            pthread_mutex_lock(&one);
            pthread_mutex_unlock(&one);
        }
        bench_pairs(n);
        return 0;
    }
    if (strcmp(argv[1], "locks") == 0) {
        result_timing("pair_st", measure(bench_pairs, n));
        start_idle_thread();
        result_timing("pair", measure(bench_pairs, n));
        for (int d = 0; d < MAX_DEPTH; d++)
            pthread_mutex_init(&nest[d], NULL);
        for (depth = 1; depth <= MAX_DEPTH; depth *= 2) {
            char name[32];
            snprintf(name, sizeof name, "nested%ld", depth);
            result_timing(name, measure(nested, n / depth));
        }
        result("contend1", contend(n / 4, 0));
        result("contend2", contend(n / 4, 1));
        return 0;
    }
    if (strcmp(argv[1], "shared") == 0) {
        start_idle_thread();
        result_timing("atomic_load", measure(atomic_load_op, n));
        result_timing("atomic_store", measure(atomic_store_op, n));
        result_timing("atomic_add", measure(atomic_add_op, n));
        racelab_store(&var, 0); /* an assignment: the variable starts here */
        result_timing("shared_load", measure(shared_load, n));
        result_timing("shared_store", measure(shared_store, n));
        result_timing("shared_add", measure(shared_add, n));
        result_timing("pair_hb", measure(bench_pairs, n));
        return 0;
    }
    return usage();
}
