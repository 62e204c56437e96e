/* semaphore: at most N of M downloads at once, with a counting semaphore.
 *
 * M threads each "download" a file (a short sleep stands in for the network). A server that allows
 * only N connections per client, or a machine with little bandwidth, wants no more than N running at
 * the same time. A counting semaphore does exactly that: it holds a number of free slots (N at the
 * start); sem_wait() takes a slot, sleeping while there is none; sem_post() gives one back and wakes a
 * sleeper. A download takes a slot before it starts and gives it back when it is done.
 *
 * The program measures how many downloads really ran at once: a mutex-protected count of active
 * downloads and the highest value it reached. So that the peak does not depend on timing, each
 * download, once started, waits at a gate until no other download could still join it (every slot is
 * taken, or every download has started). With the semaphore that makes the peak exactly N on every
 * run (or M, if M < N); without it nothing stops the others, so all M run at once.
 *
 *   (default)        sem_init(&slots, 0, N): the peak is N.
 *   --no-semaphore   the bug: no semaphore; the peak is M, above the limit, and the program
 *                    exits 1. racelab reports nothing: no lock is misused and no variable races;
 *                    the mistake is in what the program allows, which only its own check can see.
 *
 * Run:
 *   build/labs/semaphore [--no-semaphore] [-n N] [-m M] [--ms MS]
 *   racelab run -- build/labs/semaphore                  no findings; peak N
 *   build/labs/semaphore --no-semaphore                  peak M: LIMIT EXCEEDED (exit 1)
 *   build/labs/semaphore-tsan                            ThreadSanitizer stays quiet
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab_options.h"
#include "racelab.h"

static long limit = 3;       /* N: downloads allowed at once */
static long downloads = 10;  /* M: downloads in all */
static long download_ms = 20; /* how long one download takes */
static int no_semaphore;     /* --no-semaphore */

static sem_t slots;          /* free download slots */

/* The lab's own measurement, all guarded by stats_lock. */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stats_changed = PTHREAD_COND_INITIALIZER; /* broadcast when a download starts */
static long active;          /* downloads running now */
static long peak;            /* the most that ever ran at once */
static long started;         /* downloads that have begun */

/* Blocks until no other download can join the ones running now. stats_lock held. */
static void wait_at_gate(void)
{
    while (started < downloads && (no_semaphore || active < limit))
        pthread_cond_wait(&stats_changed, &stats_lock);
}

static void *download(void *arg)
{
    (void)arg;
    if (!no_semaphore)
        while (sem_wait(&slots) != 0)
            ; /* interrupted by a signal: wait again */

    pthread_mutex_lock(&stats_lock);
    started++;
    if (++active > peak)
        peak = active;
    pthread_cond_broadcast(&stats_changed);
    wait_at_gate();
    pthread_mutex_unlock(&stats_lock);

    struct timespec pause = {download_ms / 1000, (download_ms % 1000) * 1000000L};
    nanosleep(&pause, NULL); /* the download itself */

    pthread_mutex_lock(&stats_lock);
    active--;
    pthread_mutex_unlock(&stats_lock);
    if (!no_semaphore)
        sem_post(&slots); /* give the slot back */
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [--no-semaphore] [-n N] [-m M] [--ms MS]\n"
            "M download threads; a counting semaphore lets at most N run at once. Prints the most\n"
            "that ran at the same time.\n"
            "  --no-semaphore     the bug: no semaphore, so all M run at once (exit status 1)\n"
            "  -n, --limit N      downloads allowed at once (default 3)\n"
            "  -m, --downloads M  downloads in all (default 10)\n"
            "  --ms MS            milliseconds each download takes (default 20)\n"
            "  -h, --help         show this help\n",
            prog);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    enum { OPT_NO_SEMAPHORE = 256, OPT_MS };
    static const struct option options[] = {
        {"no-semaphore", no_argument, NULL, OPT_NO_SEMAPHORE},
        {"limit", required_argument, NULL, 'n'},
        {"downloads", required_argument, NULL, 'm'},
        {"ms", required_argument, NULL, OPT_MS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"semaphore", "n:m:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case OPT_NO_SEMAPHORE: no_semaphore = 1; break;
        case 'n': limit = lab_count_option(&cli, optarg, "N", 1, 1000); break;
        case 'm': downloads = lab_count_option(&cli, optarg, "M", 1, 1000); break;
        case OPT_MS: download_ms = lab_count_option(&cli, optarg, "MS", 0, 10000); break;
        }
    }

    pthread_t *threads = calloc((size_t)downloads, sizeof *threads);
    if (!threads) {
        perror("semaphore: calloc");
        return 1;
    }
    sem_init(&slots, 0, (unsigned)limit);
    racelab_name_lock(&slots, "slots");
    racelab_name_lock(&stats_lock, "stats_lock");
    printf("%ld downloads of %ld ms, limit %ld at once, enforced by %s\n", downloads, download_ms, limit,
           no_semaphore ? "nothing (--no-semaphore)" : "a semaphore");

    double start = now_ms();
    for (long i = 0; i < downloads; i++) {
        int rc = pthread_create(&threads[i], NULL, download, NULL);
        if (rc != 0) {
            fprintf(stderr, "semaphore: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    for (long i = 0; i < downloads; i++)
        pthread_join(threads[i], NULL);
    double elapsed = now_ms() - start;

    long allowed = limit < downloads ? limit : downloads;
    printf("most downloads running at once: %ld (limit %ld)%s\n", peak, limit,
           peak > limit ? ": LIMIT EXCEEDED" : "");
    printf("all %ld downloads done in %.0f ms\n", downloads, elapsed);
    sem_destroy(&slots);
    free(threads);
    return peak == allowed ? 0 : 1;
}
