/* concurrent_downloads: simulated downloads one after another, then on threads, where the waits overlap.
 *
 * A "download" here is a blocking wait of --ms milliseconds (nanosleep), standing in for the time a
 * program spends waiting for the network. The program runs --count of them one after another, then
 * runs them again with each download on its own thread, and prints when each one started and
 * finished, both measured totals and the speed-up.
 *
 * One after another, the waits add up: 4 downloads of 200 ms take 800 ms. On threads they take about
 * 200 ms, even on a machine with fewer cores than threads: a thread that waits is not running, the
 * kernel has put it aside until its timer fires, so all the threads can wait at the same moment.
 * Waiting needs no CPU. (process_pool and giant_lock show work that does need the CPU.)
 *
 * Nothing is shared between the threads: each writes its own start and end times into its own slot,
 * and main reads them only after pthread_join, so racelab and ThreadSanitizer find nothing.
 *
 * Run:
 *   build/labs/concurrent_downloads [--count N] [--ms MS]
 *   racelab run -- build/labs/concurrent_downloads        0 findings
 * Next: order_and_chai, two jobs of different lengths side by side.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab_options.h"

#define BAR_WIDTH 40 /* columns of the timeline drawn for each download */

struct download {
    int number;      /* 1, 2, ... */
    double started;  /* ms since the run began; written by the thread doing this download */
    double finished; /* ms since the run began */
};

static long count = 4;      /* downloads */
static long wait_ms = 200;  /* how long each download waits */
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

/* One simulated download: the wait stands in for waiting on the network. */
static void *download(void *arg)
{
    struct download *d = arg;
    d->started = now_ms() - run_start;
    sleep_ms(wait_ms);
    d->finished = now_ms() - run_start;
    return NULL;
}

/* Prints one line per download with a timeline: each column is scale_ms, '#' while it waited. */
static void print_downloads(const struct download *d, double scale_ms)
{
    for (long i = 0; i < count; i++) {
        char bar[BAR_WIDTH + 1];
        for (int c = 0; c < BAR_WIDTH; c++) {
            double middle = (c + 0.5) * scale_ms; /* the moment in the middle of column c */
            bar[c] = middle >= d[i].started && middle < d[i].finished ? '#' : '.';
        }
        bar[BAR_WIDTH] = '\0';
        printf("  file %-3d started at %6.0f ms, done at %6.0f ms  |%s|\n", d[i].number, d[i].started,
               d[i].finished, bar);
    }
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-n COUNT] [-m MS]\n"
            "Runs COUNT simulated downloads (each a blocking wait of MS milliseconds) one after\n"
            "another, then each on its own thread, and prints both measured times.\n"
            "  -n, --count N   number of downloads (default 4)\n"
            "  -m, --ms MS     how long each download waits, in ms (default 200)\n"
            "  -h, --help      show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"count", required_argument, NULL, 'n'},
        {"ms", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"concurrent_downloads", "n:m:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'n': count = lab_count_option(&cli, optarg, "COUNT", 1, 1000); break;
        case 'm': wait_ms = lab_count_option(&cli, optarg, "MS", 0, 10000); break;
        }
    }

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct download *one_by_one = calloc((size_t)count, sizeof *one_by_one);
    struct download *threaded = calloc((size_t)count, sizeof *threaded);
    pthread_t *threads = calloc((size_t)count, sizeof *threads);
    if (!one_by_one || !threaded || !threads) {
        perror("concurrent_downloads: calloc");
        return 1;
    }
    const char *plural = count == 1 ? "" : "s";
    printf("concurrent_downloads: %ld download%s, each a blocking wait of %ld ms; %ld cores\n", count, plural,
           wait_ms, cores);

    /* 1. One after another: each download starts when the previous one is done. */
    run_start = now_ms();
    for (long i = 0; i < count; i++) {
        one_by_one[i].number = (int)i + 1;
        download(&one_by_one[i]);
    }
    double sequential = now_ms() - run_start;

    /* 2. Each download on its own thread: all start at once, main waits for them all. */
    run_start = now_ms();
    for (long i = 0; i < count; i++) {
        threaded[i].number = (int)i + 1;
        int rc = pthread_create(&threads[i], NULL, download, &threaded[i]);
        if (rc != 0) {
            fprintf(stderr, "concurrent_downloads: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    for (long i = 0; i < count; i++)
        pthread_join(threads[i], NULL);
    double concurrent = now_ms() - run_start;

    /* Both timelines on one scale, the sequential run's length, so the overlap shows. */
    double scale = (sequential > 0 ? sequential : 1) / BAR_WIDTH;
    printf("one after another:\n");
    print_downloads(one_by_one, scale);
    printf("  total: %.0f ms\n", sequential);
    printf("each on its own thread (%ld thread%s):\n", count, plural);
    print_downloads(threaded, scale);
    printf("  total: %.0f ms\n", concurrent);
    printf("speed-up: %.2fx with %ld thread%s on %ld cores\n", sequential / (concurrent > 0 ? concurrent : 1),
           count, plural, cores);
    if (count == 1)
        printf("With one download there is nothing to overlap: both ways take one wait.\n");
    else
        printf("Why: the threads waited at the same time. A thread blocked in nanosleep is set aside by the\n"
               "kernel and needs no CPU, so the %ld waits overlap, however few cores there are (%ld here):\n"
               "the total is about one wait, not %ld.\n",
               count, cores, count);

    free(one_by_one);
    free(threaded);
    free(threads);
    return 0;
}
