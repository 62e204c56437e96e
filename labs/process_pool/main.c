/* process_pool: squares by a pool of processes and by a pool of threads, for waiting and for CPU work.
 *
 * The program squares the numbers 1..N three ways and times each: sequentially, with a pool of worker
 * processes (fork; each worker sends its results back through its own pipe) and with a pool of worker
 * threads (each writes its results into its own elements of one array). Worker w of W takes the
 * numbers w+1, w+1+W, w+1+2W, ... (dealt out like cards), so the two pools share the work alike.
 * Every result is checked against n*n.
 *
 * It does this twice:
 *   - sleep-bound: before each square the worker waits --ms (nanosleep), as it would for a disk or a
 *     network. Waiting needs no CPU, so both pools overlap the waits and the speed-up follows the
 *     number of workers, whatever the number of cores. Threads are the cheaper way to wait (no fork,
 *     no pipes).
 *   - CPU-bound: before each square the worker burns --work rounds of arithmetic. Now every worker
 *     needs a core for itself: with more workers than cores they take turns, so the speed-up stops at
 *     the core count (at most min(workers, cores)).
 * In C, threads run on all the cores just as processes do. Python is different: its global
 * interpreter lock lets one thread run Python code at a time, so Python uses processes for CPU work
 * (giant_lock simulates that lock).
 *
 * The timings depend on the machine and on what else it is doing, so each way runs --repeat times and
 * the fastest run is reported (the one least disturbed). The program prints the core count and the
 * kind of build with them: fork and threads cost more in a ThreadSanitizer build.
 *
 * Run:
 *   build/labs/process_pool [--count N] [--workers W] [--ms MS] [--work ROUNDS] [--repeat RUNS]
 *                           [--mode both|sleep|cpu]
 *   racelab run -- build/labs/process_pool        0 findings (the worker processes are checked too)
 * Next: giant_lock, threads that must share one big lock to compute.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_options.h"

#if defined(__SANITIZE_THREAD__)
#define LAB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LAB_TSAN 1
#endif
#endif
#if defined(LAB_TSAN)
#define BUILD_TYPE "ThreadSanitizer build (its checks make threads and fork slower)"
#elif defined(__OPTIMIZE__)
#define BUILD_TYPE "optimised build"
#else
#define BUILD_TYPE "unoptimised build"
#endif

enum mode { SLEEP_BOUND, CPU_BOUND };

/* One result as a worker process sends it through its pipe: 16 bytes, less than PIPE_BUF, so each
 * write() arrives whole. */
struct result {
    long index;  /* which number */
    long square; /* its square */
};

static long count = 8;            /* numbers to square: 1..count */
static long workers = 4;          /* workers in each pool */
static long wait_ms = 10;         /* sleep-bound: the wait before each square */
static long work = 10000000;      /* CPU-bound: rounds of arithmetic before each square */
static long repeat = 3;           /* runs of each way; the fastest is reported */
static enum mode mode;            /* what the current run does; set before any worker starts */
static long *squares;             /* squares[i] = (i + 1)^2 once computed; -1 before */

/* The monotonic clock in milliseconds: it never jumps when the wall clock is set. */
static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Blocks for ms milliseconds without using the CPU (a signal does not cut the wait short). */
static void sleep_ms(long ms)
{
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        continue;
}

/* Cores this process may run on: the online ones, unless it is restricted (taskset -c 0 ...). */
static long usable_cores(long online)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return online;
    return CPU_COUNT(&set) < online ? CPU_COUNT(&set) : online;
}

/* Keeps a core busy for `rounds` steps of arithmetic. `x` is volatile so that the compiler must do
 * every step (otherwise it would see the result is unused and delete the loop). */
static void burn(long rounds)
{
    volatile unsigned long x = 1;
    for (long i = 0; i < rounds; i++)
        x = x * 6364136223846793005UL + 1442695040888963407UL;
}

/* The task every worker runs: a wait or a burn, then the square. */
static long slow_square(long n)
{
    if (mode == SLEEP_BOUND)
        sleep_ms(wait_ms);
    else
        burn(work);
    return n * n;
}

/* ---- The thread pool: worker w fills squares[w], squares[w + W], ...: no two touch one element. */

static void *thread_worker(void *arg)
{
    long w = (long)(size_t)arg;
    for (long i = w; i < count; i += workers)
        squares[i] = slow_square(i + 1);
    return NULL;
}

/* Returns 0, or -1 if a thread could not be started. */
static int run_thread_pool(void)
{
    pthread_t *threads = calloc((size_t)workers, sizeof *threads);
    long started = 0;
    while (threads && started < workers &&
           pthread_create(&threads[started], NULL, thread_worker, (void *)(size_t)started) == 0)
        started++;
    for (long w = 0; w < started; w++)
        pthread_join(threads[w], NULL);
    free(threads);
    return started == workers ? 0 : -1;
}

/* ---- The process pool: a worker process has its own copy of squares[], which the parent never sees,
 * so it writes each result into a pipe and the parent reads them out. */

/* Writes all of buf (a pipe write can be cut short by a signal); returns 0, or -1. */
static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Reads exactly n bytes; returns 1, 0 at end of file (the worker closed its end), or -1. */
static int read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k == 0 && p == buf ? 0 : -1;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

/* Runs in the child: computes worker w's share and sends each result; never returns. */
static void process_worker(long w, int out)
{
    for (long i = w; i < count; i += workers) {
        struct result r = {i, slow_square(i + 1)};
        if (write_all(out, &r, sizeof r) != 0)
            _exit(1);
    }
    _exit(0); /* not exit(): the parent's atexit work is not the child's */
}

/* Returns 0, or -1 if a worker could not be started or failed. */
static int run_process_pool(void)
{
    int *from = calloc((size_t)workers, sizeof *from);  /* read end of worker w's pipe */
    pid_t *pids = calloc((size_t)workers, sizeof *pids);
    long started = 0;
    int ok = from && pids;
    fflush(stdout); /* otherwise each child would inherit, and could print again, buffered output */
    for (; ok && started < workers; started++) {
        int fds[2];
        if (pipe(fds) != 0) {
            ok = 0;
            break;
        }
        pids[started] = fork();
        if (pids[started] == 0) {
            close(fds[0]);
            for (long w = 0; w < started; w++)
                close(from[w]); /* the earlier workers' pipes are none of this child's business */
            process_worker(started, fds[1]);
        }
        close(fds[1]); /* only the child writes: the parent sees end of file once the child is done */
        if (pids[started] < 0) {
            close(fds[0]);
            ok = 0;
            break;
        }
        from[started] = fds[0];
    }
    for (long w = 0; w < started; w++) {
        struct result r;
        int got;
        while ((got = read_all(from[w], &r, sizeof r)) == 1)
            if (r.index >= 0 && r.index < count)
                squares[r.index] = r.square;
        int status;
        if (got < 0 || waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            ok = 0;
        close(from[w]);
    }
    free(from);
    free(pids);
    return ok ? 0 : -1;
}

static int run_sequential(void)
{
    for (long i = 0; i < count; i++)
        squares[i] = slow_square(i + 1);
    return 0;
}

/* Runs one way of computing the squares once, times it and checks every square. Returns the measured
 * ms, or -1 if the run failed or a square came out wrong (and says so). */
static double timed(const char *way, int (*run)(void))
{
    for (long i = 0; i < count; i++)
        squares[i] = -1;
    double start = now_ms();
    int rc = run();
    double ms = now_ms() - start;
    long wrong = 0;
    for (long i = 0; i < count; i++)
        wrong += squares[i] != (i + 1) * (i + 1);
    if (rc != 0 || wrong != 0) {
        fprintf(stderr, "process_pool: %s: %s (%ld of %ld squares wrong or missing)\n", way,
                rc != 0 ? "a worker failed" : "wrong results", wrong, count);
        return -1;
    }
    return ms;
}

/* Times the three ways in the given mode, `repeat` times each, and prints a table of the fastest run of
 * each (the one least disturbed by other programs). The ways take turns, so that a burst of load from
 * elsewhere hits all three alike. Returns 0 if every run was correct, or -1. */
static int compare(enum mode m)
{
    static const char *const ways[3] = {"sequential", "process pool", "thread pool"};
    static int (*const runs[3])(void) = {run_sequential, run_process_pool, run_thread_pool};
    double best[3] = {-1, -1, -1};
    const char *plural = repeat == 1 ? "" : "s";
    mode = m;
    if (m == SLEEP_BOUND)
        printf("sleep-bound: each square first waits %ld ms (fastest of %ld run%s)\n", wait_ms, repeat,
               plural);
    else
        printf("CPU-bound: each square first burns %ld rounds of arithmetic (fastest of %ld run%s)\n", work,
               repeat, plural);
    for (long r = 0; r < repeat; r++) {
        for (int w = 0; w < 3; w++) {
            double ms = timed(ways[w], runs[w]);
            if (ms < 0)
                return -1;
            if (best[w] < 0 || ms < best[w])
                best[w] = ms;
        }
    }
    char label[64];
    printf("  %-22s %8.0f ms   speed-up %5.2fx\n", "sequential", best[0], 1.0);
    snprintf(label, sizeof label, "pool of %ld processes", workers);
    printf("  %-22s %8.0f ms   speed-up %5.2fx\n", label, best[1], best[0] / best[1]);
    snprintf(label, sizeof label, "pool of %ld threads", workers);
    printf("  %-22s %8.0f ms   speed-up %5.2fx\n", label, best[2], best[0] / best[2]);
    return 0;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-n COUNT] [-w WORKERS] [-m MS] [-k ROUNDS] [-r RUNS] [--mode both|sleep|cpu]\n"
            "Squares 1..COUNT sequentially, with a pool of WORKERS processes and with a pool of WORKERS\n"
            "threads, each square first waiting (sleep-bound) or computing (CPU-bound), and prints the\n"
            "fastest of RUNS measured times and the speed-ups.\n"
            "  -n, --count N       numbers to square (default 8)\n"
            "  -w, --workers W     workers in each pool (default 4)\n"
            "  -m, --ms MS         sleep-bound: wait before each square, in ms (default 10)\n"
            "  -k, --work ROUNDS   CPU-bound: rounds of arithmetic before each square (default 10000000)\n"
            "  -r, --repeat RUNS   runs of each way, the fastest reported (default 3)\n"
            "      --mode MODE     both (default), sleep or cpu\n"
            "  -h, --help          show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"count", required_argument, NULL, 'n'},
        {"workers", required_argument, NULL, 'w'},
        {"ms", required_argument, NULL, 'm'},
        {"work", required_argument, NULL, 'k'},
        {"repeat", required_argument, NULL, 'r'},
        {"mode", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"process_pool", "n:w:m:k:r:h", options, usage};
    int do_sleep = 1, do_cpu = 1, opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'n': count = lab_count_option(&cli, optarg, "COUNT", 1, 100000); break;
        case 'w': workers = lab_count_option(&cli, optarg, "WORKERS", 1, 256); break;
        case 'm': wait_ms = lab_count_option(&cli, optarg, "MS", 0, 10000); break;
        case 'k': work = lab_count_option(&cli, optarg, "ROUNDS", 0, 100000000000L); break;
        case 'r': repeat = lab_count_option(&cli, optarg, "RUNS", 1, 100); break;
        case 'M':
            do_sleep = strcmp(optarg, "both") == 0 || strcmp(optarg, "sleep") == 0;
            do_cpu = strcmp(optarg, "both") == 0 || strcmp(optarg, "cpu") == 0;
            if (!do_sleep && !do_cpu) {
                fprintf(stderr, "process_pool: MODE must be both, sleep or cpu, not '%s'\n", optarg);
                return 2;
            }
            break;
        }
    }
    if (workers > count)
        workers = count; /* a worker with no numbers would only cost its start */

    long online = sysconf(_SC_NPROCESSORS_ONLN), cores = usable_cores(online);
    squares = calloc((size_t)count, sizeof *squares);
    if (!squares) {
        perror("process_pool: calloc");
        return 1;
    }
    printf("process_pool: squares of 1..%ld; pools of %ld workers; %ld cores", count, workers, online);
    if (cores < online)
        printf(", %ld usable by this process", cores);
    printf("; %s\n", BUILD_TYPE);
    int failed = 0;
    if (do_sleep && compare(SLEEP_BOUND) != 0)
        failed = 1;
    if (do_cpu && compare(CPU_BOUND) != 0)
        failed = 1;
    free(squares);
    if (failed)
        return 1;
    printf("every square checked: correct\n");
    if (do_sleep)
        printf("Waiting: the workers wait at the same time and waiting needs no core, so both pools\n"
               "speed up with the number of workers (%ld), whatever the number of cores.\n", workers);
    if (do_cpu)
        printf("CPU work: each worker needs a core of its own, so the speed-up is at most\n"
               "min(workers, cores) = min(%ld, %ld) = %ld, less whatever else the machine is doing.\n",
               workers, cores, workers < cores ? workers : cores);
    printf("In C, threads use every core just as processes do. In Python only processes would: its global\n"
           "interpreter lock runs one thread at a time (see the giant_lock lab).\n");
    return 0;
}
