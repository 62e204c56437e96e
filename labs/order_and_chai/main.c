/* order_and_chai: two jobs of waits (orders, chai) in turn, on two threads and on two processes.
 *
 * A tea stall has two jobs: taking orders (3 orders, 2 time units each) and brewing chai (3 cups,
 * 3 units each). Every step is a wait (nanosleep of its units times --unit ms): the customer
 * thinking, the water boiling. The program does the two jobs
 *   - one after another: the times add up, 6 + 9 = 15 units;
 *   - on two threads: both jobs wait at the same time, so the total is the longer job, 9 units;
 *   - on two processes (fork, then waitpid for both): the same overlap, with separate memory;
 * and prints a table of the measured times in ms and in units (measured ms divided by --unit).
 *
 * The overlap needs no second core: a waiting thread or process does not run, so even one core is
 * enough to wait for two things at once. Threads and processes only differ here in what they cost to
 * start and in what they share (threads: all memory; processes: nothing, unless they set it up).
 * --verbose prints every step with the time it began, so the interleaving shows.
 *
 * Run:
 *   build/labs/order_and_chai [--unit MS] [--orders N] [--cups N] [--verbose]
 *   racelab run -- build/labs/order_and_chai        0 findings (the child processes are checked too)
 * Next: process_pool, where the work needs the CPU.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_options.h"

struct job {
    const char *step;  /* what one step is called, for --verbose */
    long steps;        /* how many steps */
    long units;        /* time units per step */
};

static struct job orders = {"taking order", 3, 2};
static struct job chai = {"brewing chai", 3, 3};
static long unit_ms = 50;   /* one time unit, in ms */
static int verbose;         /* print each step as it begins */
static double run_start;    /* CLOCK_MONOTONIC time the current run began, in ms */

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

/* Does every step of one job; as a thread's start routine, arg is the job. */
static void *do_job(void *arg)
{
    const struct job *job = arg;
    for (long i = 1; i <= job->steps; i++) {
        if (verbose)
            printf("    %6.0f ms  %s %ld\n", now_ms() - run_start, job->step, i);
        sleep_ms(job->units * unit_ms);
    }
    return NULL;
}

/* The two jobs one after another; returns the measured ms. */
static double run_sequential(void)
{
    run_start = now_ms();
    do_job(&orders);
    do_job(&chai);
    return now_ms() - run_start;
}

/* The two jobs on two threads; returns the measured ms, or -1 if a thread could not start. */
static double run_threads(void)
{
    pthread_t t1, t2;
    run_start = now_ms();
    if (pthread_create(&t1, NULL, do_job, &orders) != 0)
        return -1;
    if (pthread_create(&t2, NULL, do_job, &chai) != 0) {
        pthread_join(t1, NULL);
        return -1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return now_ms() - run_start;
}

/* Starts a child process that does one job and exits; returns its pid, or -1. */
static pid_t start_process(struct job *job)
{
    pid_t pid = fork();
    if (pid == 0) {          /* the child: a copy of this program, with its own memory */
        do_job(job);
        fflush(stdout);
        _exit(0);            /* not exit(): the parent's atexit work is not the child's */
    }
    return pid;
}

/* The two jobs on two processes; returns the measured ms, or -1 if fork failed or a child failed. */
static double run_processes(void)
{
    fflush(stdout); /* otherwise each child would inherit, and print again, what is still buffered */
    run_start = now_ms();
    pid_t p1 = start_process(&orders);
    pid_t p2 = start_process(&chai);
    int ok = p1 > 0 && p2 > 0, status;
    if (p1 > 0 && (waitpid(p1, &status, 0) != p1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
        ok = 0;
    if (p2 > 0 && (waitpid(p2, &status, 0) != p2 || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
        ok = 0;
    double elapsed = now_ms() - run_start;
    return ok ? elapsed : -1;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-u MS] [-o ORDERS] [-c CUPS] [-v]\n"
            "Takes ORDERS orders (2 units each) and brews CUPS cups of chai (3 units each), every step\n"
            "a wait, one job after the other, on two threads and on two processes, and prints the\n"
            "measured times.\n"
            "  -u, --unit MS     one time unit, in ms (default 50)\n"
            "  -o, --orders N    orders to take (default 3)\n"
            "  -c, --cups N      cups of chai to brew (default 3)\n"
            "  -v, --verbose     print every step as it begins\n"
            "  -h, --help        show this help\n",
            prog);
}

/* One row of the table: the measured time, in ms and in units, beside what the plain sums predict. */
static void print_row(const char *way, double ms, long predicted_units, const char *why)
{
    if (ms < 0) {
        printf("%-20s  failed to start\n", way);
        return;
    }
    printf("%-20s %8.0f ms %8.1f units    %3ld units (%s)\n", way, ms, ms / unit_ms, predicted_units, why);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"unit", required_argument, NULL, 'u'},
        {"orders", required_argument, NULL, 'o'},
        {"cups", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"order_and_chai", "u:o:c:vh", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'u': unit_ms = lab_count_option(&cli, optarg, "MS", 1, 1000); break;
        case 'o': orders.steps = lab_count_option(&cli, optarg, "ORDERS", 0, 100); break;
        case 'c': chai.steps = lab_count_option(&cli, optarg, "CUPS", 0, 100); break;
        case 'v': verbose = 1; break;
        }
    }
    if (verbose)
        setvbuf(stdout, NULL, _IOLBF, 0); /* each step's line out at once, threads and children alike */

    long order_units = orders.steps * orders.units, chai_units = chai.steps * chai.units;
    long longer = order_units > chai_units ? order_units : chai_units;
    printf("order_and_chai: %ld orders of %ld units and %ld cups of chai of %ld units; 1 unit = %ld ms; "
           "%ld cores\n",
           orders.steps, orders.units, chai.steps, chai.units, unit_ms, sysconf(_SC_NPROCESSORS_ONLN));

    if (verbose)
        printf("  one after another:\n");
    double sequential = run_sequential();
    if (verbose)
        printf("  two threads:\n");
    double threads = run_threads();
    if (verbose)
        printf("  two processes:\n");
    double processes = run_processes();

    char sum[64];
    snprintf(sum, sizeof sum, "%ld + %ld", order_units, chai_units);
    printf("%-20s %11s %14s    %s\n", "way", "measured", "in units", "expected from the steps");
    print_row("one after another", sequential, order_units + chai_units, sum);
    print_row("two threads", threads, longer, "the longer job");
    print_row("two processes", processes, longer, "the longer job");
    printf("One after another, the jobs' waits add up. Side by side, the orders are taken while the water\n"
           "boils, so the total is the longer job. Waiting needs no CPU, so this works on one core as well\n"
           "as on many; processes get the same overlap as threads, at the price of a fork each.\n");
    return threads < 0 || processes < 0 ? 1 : 0;
}
