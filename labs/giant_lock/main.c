/* giant_lock: a global interpreter lock simulated: computing threads get no speed-up, waiting ones do.
 *
 * CPython runs Python code only while holding one big mutex, the GIL (global interpreter lock). This
 * program builds the same situation in C with one pthread mutex, `giant`, and times --workers jobs
 * done by one worker, then by --workers workers side by side, in three ways:
 *
 *   - threads computing under the giant lock: a CPU job is --work rounds of arithmetic, done in
 *     slices, and a thread holds the lock for each slice (it lets go between slices, as CPython does
 *     every few ms, so the others get a turn). Only the holder computes, so the threads take turns and
 *     4 threads take as long as 1 doing all 4 jobs: no speed-up, however many cores there are.
 *   - threads releasing the lock while they wait: a waiting job computes one slice, lets go of the
 *     lock, waits --ms (nanosleep, as Python's time.sleep or a socket read would), and takes the lock
 *     again for a last slice. The waits need neither the lock nor a core, so they overlap.
 *   - processes computing, each with its own lock: fork copies the whole program, the lock included,
 *     so each process has a giant lock nobody else wants. The processes compute in parallel, as many
 *     at a time as there are cores: the speed-up is at most min(workers, cores).
 *
 * Each time printed is the fastest of --repeat runs (1 worker and many alternating), the one least
 * disturbed by whatever else the machine was doing.
 *
 * The giant lock is used correctly (every slice takes and releases it), so racelab finds nothing: a
 * lock that makes threads take turns is slow, not wrong.
 *
 * Run:
 *   build/labs/giant_lock [--workers W] [--work ROUNDS] [--ms MS] [--repeat RUNS]
 *   racelab run -- build/labs/giant_lock        0 findings (the processes are checked too)
 * Next: event_loop, overlapping waits with no threads at all.
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
#include "racelab.h"

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

#define SLICES 20 /* a CPU job is done in this many slices, the lock held for each */

enum kind {
    CPU_UNDER_LOCK,    /* threads computing, holding the giant lock to do so */
    WAIT_WITHOUT_LOCK, /* threads waiting, with the giant lock released around the wait */
    PROCESSES,         /* processes computing, each holding its own copy of the lock */
};

static pthread_mutex_t giant = PTHREAD_MUTEX_INITIALIZER; /* held to compute, like the GIL */
static long workers = 4;      /* jobs in every run, and the workers of the parallel runs */
static long work = 15000000;  /* rounds of arithmetic in a CPU job */
static long wait_ms = 20;     /* the wait in a waiting job */
static long repeat = 3;       /* runs of each measurement; the fastest is reported */

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

/* One slice of computing, which, as in CPython, needs the giant lock. */
static void compute_slice(void)
{
    pthread_mutex_lock(&giant);
    burn(work / SLICES);
    pthread_mutex_unlock(&giant);
}

static void cpu_job(void)
{
    for (int s = 0; s < SLICES; s++)
        compute_slice();
}

static void waiting_job(void)
{
    compute_slice();   /* e.g. prepare a request */
    sleep_ms(wait_ms); /* the lock is free meanwhile: another thread can compute or start its wait */
    compute_slice();   /* e.g. handle the reply */
}

struct worker {
    enum kind kind;
    long jobs; /* how many jobs this worker does, one after another */
};

static void *thread_worker(void *arg)
{
    const struct worker *w = arg;
    for (long j = 0; j < w->jobs; j++) {
        if (w->kind == WAIT_WITHOUT_LOCK)
            waiting_job();
        else
            cpu_job();
    }
    return NULL;
}

/* Does `workers` jobs of the given kind with n workers (1 or `workers`), each doing workers/n jobs.
 * Returns the measured ms, or -1 if a worker could not be started or failed. */
static double run(enum kind kind, long n)
{
    struct worker w = {kind, workers / n};
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    long started = 0;
    int ok = threads && pids;
    fflush(stdout); /* otherwise a child process would inherit, and could print again, buffered output */
    double start = now_ms();
    for (; ok && started < n; started++) {
        if (kind != PROCESSES) {
            ok = pthread_create(&threads[started], NULL, thread_worker, &w) == 0;
        } else if ((pids[started] = fork()) == 0) {
            thread_worker(&w); /* in the child, with the child's own copy of `giant` */
            _exit(0);          /* not exit(): the parent's atexit work is not the child's */
        } else {
            ok = pids[started] > 0;
        }
        if (!ok)
            break;
    }
    for (long i = 0; i < started; i++) {
        int status;
        if (kind != PROCESSES)
            pthread_join(threads[i], NULL);
        else if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = 0;
    }
    double ms = now_ms() - start;
    free(threads);
    free(pids);
    return ok ? ms : -1;
}

/* Times one kind with 1 worker and with `workers` workers, `repeat` times each, and prints a row with
 * the fastest of each (the run least disturbed by other programs). The two alternate, so that a burst
 * of load from elsewhere hits both alike. Returns 0, or -1 if a run failed. */
static int row(const char *what, enum kind kind)
{
    double one = -1, many = -1;
    for (long r = 0; r < repeat; r++) {
        double a = run(kind, 1), b = run(kind, workers);
        if (a < 0 || b < 0) {
            fprintf(stderr, "giant_lock: %s: a worker could not be started or failed\n", what);
            return -1;
        }
        if (one < 0 || a < one)
            one = a;
        if (many < 0 || b < many)
            many = b;
    }
    printf("%-46s %7.0f ms %9.0f ms %9.2fx\n", what, one, many, one / many);
    return 0;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-w WORKERS] [-k ROUNDS] [-m MS] [-r RUNS]\n"
            "Times WORKERS jobs done by 1 worker and by WORKERS workers: threads that must hold one\n"
            "giant lock to compute, threads that release it while they wait, and processes that\n"
            "compute with a lock each.\n"
            "  -w, --workers W     jobs, and workers in the parallel runs (default 4)\n"
            "  -k, --work ROUNDS   rounds of arithmetic in a CPU job (default 15000000)\n"
            "  -m, --ms MS         the wait in a waiting job, in ms (default 20)\n"
            "  -r, --repeat RUNS   runs of each measurement, the fastest reported (default 3)\n"
            "  -h, --help          show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"workers", required_argument, NULL, 'w'},
        {"work", required_argument, NULL, 'k'},
        {"ms", required_argument, NULL, 'm'},
        {"repeat", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"giant_lock", "w:k:m:r:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'w': workers = lab_count_option(&cli, optarg, "WORKERS", 1, 256); break;
        case 'k': work = lab_count_option(&cli, optarg, "ROUNDS", 0, 100000000000L); break;
        case 'm': wait_ms = lab_count_option(&cli, optarg, "MS", 0, 10000); break;
        case 'r': repeat = lab_count_option(&cli, optarg, "RUNS", 1, 100); break;
        }
    }
    racelab_name_lock(&giant, "giant lock"); /* the name racelab's reports would use */

    long online = sysconf(_SC_NPROCESSORS_ONLN), cores = usable_cores(online);
    const char *plural = workers == 1 ? "" : "s";
    printf("giant_lock: %ld job%s, done by 1 worker, then by %ld worker%s; %ld cores", workers, plural,
           workers, plural, online);
    if (cores < online)
        printf(", %ld usable by this process", cores);
    printf("; %s\n", BUILD_TYPE);
    printf("a CPU job: %ld rounds of arithmetic in %d slices; a waiting job: %ld ms; fastest of %ld run%s\n",
           work, SLICES, wait_ms, repeat, repeat == 1 ? "" : "s");
    char many[32];
    snprintf(many, sizeof many, "%ld worker%s", workers, plural);
    printf("%-46s %10s %12s %10s\n", "", "1 worker", many, "speed-up");
    if (row("threads computing under the giant lock", CPU_UNDER_LOCK) != 0 ||
        row("threads releasing it while they wait", WAIT_WITHOUT_LOCK) != 0 ||
        row("processes computing, each with its own lock", PROCESSES) != 0)
        return 1;
    printf("Computing threads take turns at the giant lock: together they take as long as one thread\n"
           "doing every job, whatever the number of cores. Waiting threads let go of it, and waiting\n"
           "needs no core, so their waits overlap. Each process has its own lock, so processes compute\n"
           "in parallel, one per core: the speed-up is at most min(workers, cores) = min(%ld, %ld) = %ld.\n",
           workers, cores, workers < cores ? workers : cores);
    return 0;
}
