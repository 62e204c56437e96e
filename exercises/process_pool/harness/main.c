/* main.c: the harness of the process_pool exercise. It owns main and the sizes (from the command
 * line): N numbers squared by pool_square() with WORKERS workers, each slow_square() keeping a CPU busy
 * for WORK_US microseconds. It checks every result and that no worker is left unreaped, and records,
 * in memory shared with the workers, when each process and thread was computing: from that it knows
 * how many computed at the same time and in how many processes. With -P it also times the squares done
 * one after another in main against the pool, six times, and keeps the best ratio: the speed-up; and
 * the most cores the workers kept busy at once (in any 2 ms window, from CPU-time samples), which a
 * busy machine disturbs far less. It publishes its measures in shared variables that the
 * grader reads from racelab's report: `wrong_results`, `unreaped`, `worker_processes`, `max_overlap`,
 * `speedup_x100`, `parallelism_x100`, `peak_cores_x100`.
 *
 *   ./program -n N -w WORKERS -u WORK_US [-P]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"
#include "racelab.h"

#define MAX_CALLS 100000
#define MAX_SAMPLES 400000
#define SAMPLE_NS 200000   /* a sample every 0.2 ms of CPU inside slow_square() */

struct call {
    long pid;       /* the process that computed it */
    long tid;       /* and the thread */
    long start_ns;
    long end_ns;
};

/* A thread's total CPU time at a moment: consecutive samples of one thread say how much CPU it got
 * between them. */
struct sample {
    long tid;
    long wall_ns;
    long cpu_ns;
};

static struct {
    long n_calls;   /* atomic */
    struct call calls[MAX_CALLS];
    long n_samples; /* atomic */
    struct sample samples[MAX_SAMPLES];
} *log_area;        /* shared with the workers (MAP_SHARED) */

static long work_us = 200;
static _Thread_local volatile long spin_sink; /* what slow_square() burns its CPU on (one per thread) */
static racelab_shared wrong_results = RACELAB_SHARED_INIT("wrong_results", -1);
static racelab_shared unreaped = RACELAB_SHARED_INIT("unreaped", -1);
static racelab_shared worker_processes = RACELAB_SHARED_INIT("worker_processes", -1);
static racelab_shared max_overlap = RACELAB_SHARED_INIT("max_overlap", -1);
static racelab_shared speedup_x100 = RACELAB_SHARED_INIT("speedup_x100", -1);
static racelab_shared parallelism_x100 = RACELAB_SHARED_INIT("parallelism_x100", -1);
static racelab_shared peak_cores = RACELAB_SHARED_INIT("peak_cores_x100", -1);

static long now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void sample(long tid)
{
    long i = __atomic_fetch_add(&log_area->n_samples, 1, __ATOMIC_RELAXED);
    if (i < MAX_SAMPLES)
        log_area->samples[i] = (struct sample){ tid, now_ns(CLOCK_MONOTONIC), now_ns(CLOCK_THREAD_CPUTIME_ID) };
}

long slow_square(long x)
{
    long tid = syscall(SYS_gettid);
    long start = now_ns(CLOCK_MONOTONIC), cpu_start = now_ns(CLOCK_THREAD_CPUTIME_ID), last = cpu_start;
    sample(tid);
    for (long cpu = cpu_start; cpu - cpu_start < work_us * 1000; cpu = now_ns(CLOCK_THREAD_CPUTIME_ID)) {
        for (int k = 0; k < 100; k++)
            spin_sink += k;
        if (cpu - last >= SAMPLE_NS) {
            sample(tid);
            last = cpu;
        }
    }
    sample(tid);
    long i = __atomic_fetch_add(&log_area->n_calls, 1, __ATOMIC_RELAXED);
    if (i < MAX_CALLS) {
        log_area->calls[i].pid = getpid();
        log_area->calls[i].tid = tid;
        log_area->calls[i].start_ns = start;
        log_area->calls[i].end_ns = now_ns(CLOCK_MONOTONIC);
    }
    return x * x;
}

/* Each thread's span of computing, from its first call's start to its last call's end; the most spans
 * that cover one moment; and how many processes other than main computed. */
static long overlap(long *processes, long *busy_ns)
{
    long n = log_area->n_calls < MAX_CALLS ? log_area->n_calls : MAX_CALLS;
    long tids[256], first[256], last[256], pids[256], k = 0, n_pids = 0;
    *busy_ns = 0;
    for (long i = 0; i < n; i++) {
        struct call *c = &log_area->calls[i];
        *busy_ns += c->end_ns - c->start_ns;
        long j = 0;
        while (j < k && tids[j] != c->tid)
            j++;
        if (j == k && k < 256)
            tids[k] = c->tid, first[k] = c->start_ns, last[k] = c->end_ns, k++;
        else if (j < k) {
            first[j] = c->start_ns < first[j] ? c->start_ns : first[j];
            last[j] = c->end_ns > last[j] ? c->end_ns : last[j];
        }
        long p = 0;
        while (p < n_pids && pids[p] != c->pid)
            p++;
        if (p == n_pids && n_pids < 256 && c->pid != getpid())
            pids[n_pids++] = c->pid;
    }
    long most = 0;
    for (long a = 0; a < k; a++) {
        long at_once = 0;
        for (long b = 0; b < k; b++)
            at_once += first[b] <= first[a] && first[a] < last[b];
        most = at_once > most ? at_once : most;
    }
    *processes = n_pids;
    return most;
}

/* The most cores the threads that ran slow_square() kept busy at once: the CPU each got between two
 * of its samples is spread over the wall time between them and summed in windows of 2 ms; the busiest
 * window's CPU over its length. One thread (or process) at a time can never pass 1.00, whatever else
 * the machine runs; workers that really run in parallel pass it whenever two of them hold the two
 * cores at the same moment, which happens even on a busy machine. */
static long peak_cores_x100(void)
{
    long n = log_area->n_samples < MAX_SAMPLES ? log_area->n_samples : MAX_SAMPLES;
    if (n < 2)
        return 0;
    long lo = log_area->samples[0].wall_ns, hi = lo;
    for (long i = 1; i < n; i++) {
        lo = log_area->samples[i].wall_ns < lo ? log_area->samples[i].wall_ns : lo;
        hi = log_area->samples[i].wall_ns > hi ? log_area->samples[i].wall_ns : hi;
    }
    const long window = 2000000;
    long n_windows = (hi - lo) / window + 1;
    if (n_windows > 1000000)
        return 0;
    double *busy = calloc((size_t)n_windows, sizeof *busy);
    long *prev = malloc((size_t)n * sizeof *prev); /* the index of the same thread's previous sample */
    for (long i = 0; i < n; i++) {
        prev[i] = -1;
        for (long j = i - 1; j >= 0 && j >= i - 4096; j--)
            if (log_area->samples[j].tid == log_area->samples[i].tid) {
                prev[i] = j;
                break;
            }
    }
    for (long i = 0; i < n; i++) {
        if (prev[i] < 0)
            continue;
        struct sample *a = &log_area->samples[prev[i]], *b = &log_area->samples[i];
        double span = (double)(b->wall_ns - a->wall_ns), cpu = (double)(b->cpu_ns - a->cpu_ns);
        if (span <= 0 || cpu <= 0)
            continue;
        double rate = cpu / span > 1 ? 1 : cpu / span;
        for (long w = (a->wall_ns - lo) / window; w <= (b->wall_ns - lo) / window && w < n_windows; w++) {
            long from = lo + w * window, to = from + window;
            from = a->wall_ns > from ? a->wall_ns : from;
            to = b->wall_ns < to ? b->wall_ns : to;
            if (to > from)
                busy[w] += rate * (double)(to - from);
        }
    }
    double most = 0;
    for (long w = 0; w + 1 < n_windows; w++) /* the last window is partial */
        most = busy[w] / window > most ? busy[w] / window : most;
    free(busy);
    free(prev);
    return (long)(most * 100);
}

static long number(const char *text, long min, long max)
{
    char *end;
    long v = strtol(text ? text : "", &end, 10);
    if (!text || !*text || *end || v < min || v > max) {
        fprintf(stderr, "harness: expected a number from %ld to %ld, not '%s'\n", min, max, text ? text : "");
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long n = 40, workers = 4;
    bool perf = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = number(argv[++i], 0, 50000);
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            workers = number(argv[++i], 1, 64);
        else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc)
            work_us = number(argv[++i], 0, 1000000);
        else if (strcmp(argv[i], "-P") == 0)
            perf = true;
        else {
            fprintf(stderr, "usage: %s [-n N] [-w WORKERS] [-u WORK_US] [-P]\n", argv[0]);
            return 2;
        }
    }
    log_area = mmap(NULL, sizeof *log_area, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (log_area == MAP_FAILED) {
        perror("harness: mmap");
        return 1;
    }
    long *in = calloc((size_t)n + 1, sizeof *in), *out = calloc((size_t)n + 1, sizeof *out);
    for (long i = 0; i < n; i++) {
        in[i] = 1 + (i * 7919) % 1000;
        out[i] = -1;
    }
    /* With -P: the same squares one after another in main, then the pool, six times over; the best
     * ratio is the speed-up (short pairs, so that a burst of other work on the machine disturbs both
     * halves of a pair alike, and the least disturbed pair counts). */
    long best_x100 = -1, seq_ns = 0, par_ns = 0, busy_ns = 0, processes = 0, most = 0, peak_x100 = 0;
    int rc = 0;
    for (int rep = 0; rep < (perf ? 6 : 1); rep++) {
        long s_ns = 0;
        if (perf) {
            long t0 = now_ns(CLOCK_MONOTONIC);
            for (long i = 0; i < n; i++)
                (void)slow_square(in[i]);
            s_ns = now_ns(CLOCK_MONOTONIC) - t0;
        }
        log_area->n_calls = 0;
        log_area->n_samples = 0;
        for (long i = 0; i < n; i++)
            out[i] = -1;
        long t0 = now_ns(CLOCK_MONOTONIC);
        rc |= pool_square(in, out, (size_t)n, (int)workers);
        long p_ns = now_ns(CLOCK_MONOTONIC) - t0;
        long b_ns, procs;
        long m = overlap(&procs, &b_ns);
        long peak = peak_cores_x100();
        peak_x100 = peak > peak_x100 ? peak : peak_x100;
        if (perf && p_ns > 0 && s_ns * 100 / p_ns > best_x100)
            best_x100 = s_ns * 100 / p_ns, seq_ns = s_ns, par_ns = p_ns, busy_ns = b_ns;
        processes = procs > processes ? procs : processes;
        most = m > most ? m : most;
    }
    long wrong = 0;
    for (long i = 0; i < n; i++)
        wrong += out[i] != in[i] * in[i];
    if (rc != 0)
        fprintf(stderr, "harness: pool_square() returned %d\n", rc);
    if (wrong)
        fprintf(stderr, "harness: %ld of %ld results are wrong or missing\n", wrong, n);
    long left = 0;
    while (waitpid(-1, NULL, WNOHANG) > 0) /* a worker that pool_square() did not wait for */
        left++;
    if (left)
        fprintf(stderr, "harness: %ld workers had ended but were never waited for (zombies)\n", left);
    racelab_store(&wrong_results, wrong + (rc != 0));
    racelab_store(&unreaped, left);
    racelab_store(&worker_processes, processes);
    racelab_store(&max_overlap, most);
    if (perf && par_ns > 0) {
        racelab_store(&speedup_x100, best_x100);
        racelab_store(&parallelism_x100, busy_ns * 100 / par_ns);
        racelab_store(&peak_cores, peak_x100);
        fprintf(stderr, "harness: one after another %.1f ms, with %ld workers %.1f ms: speed-up %.2f (best of 6); "
                        "at most %.2f cores busy at once\n", seq_ns / 1e6, workers, par_ns / 1e6, best_x100 / 100.0,
                peak_x100 / 100.0);
    }
    free(in);
    free(out);
    return wrong || rc || left ? 1 : 0;
}
