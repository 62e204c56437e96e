/* main.c: the harness of the semaphore_downloads exercise. It owns main and the sizes (from the
 * command line): FILES threads each download one file through your download(), with at most LIMIT
 * downloads allowed at once; each fetch waits MS milliseconds. The harness counts the fetches running
 * at the same time and publishes, in shared variables the grader reads from racelab's report, the most
 * that ever ran at once (`max_active`) and the files fetched not exactly once (`wrong_fetches`).
 *
 *   ./program -f FILES -l LIMIT -m MS
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "downloads.h"
#include "racelab.h"

#define MAX_FILES 64

static long files = 8, limit = 3, wait_ms = 20;
static int fetched[MAX_FILES];   /* atomic counts */
static racelab_shared active = RACELAB_SHARED_INIT("active", 0);
static racelab_shared max_active = RACELAB_SHARED_INIT("max_active", 0);
static racelab_shared wrong_fetches = RACELAB_SHARED_INIT("wrong_fetches", -1);
static pthread_mutex_t max_lock = PTHREAD_MUTEX_INITIALIZER; /* the harness's own: guards max_active */

void fetch(int n)
{
    long now = racelab_add(&active, 1);
    pthread_mutex_lock(&max_lock);
    if (now > racelab_load(&max_active))
        racelab_store(&max_active, now);
    pthread_mutex_unlock(&max_lock);
    struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    if (n >= 0 && n < files)
        __atomic_add_fetch(&fetched[n], 1, __ATOMIC_RELAXED);
    racelab_add(&active, -1);
}

static void *downloader(void *arg)
{
    download((int)(intptr_t)arg);
    return NULL;
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
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
            files = number(argv[++i], 1, MAX_FILES);
        else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
            limit = number(argv[++i], 1, MAX_FILES);
        else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            wait_ms = number(argv[++i], 0, 10000);
        else {
            fprintf(stderr, "usage: %s [-f FILES] [-l LIMIT] [-m MS]\n", argv[0]);
            return 2;
        }
    }
    downloads_init((int)limit);
    pthread_t threads[MAX_FILES];
    for (long f = 0; f < files; f++)
        pthread_create(&threads[f], NULL, downloader, (void *)(intptr_t)f);
    for (long f = 0; f < files; f++)
        pthread_join(threads[f], NULL);
    downloads_finish();
    long wrong = 0;
    for (long f = 0; f < files; f++)
        if (fetched[f] != 1) {
            wrong++;
            fprintf(stderr, "harness: file %ld was fetched %d times\n", f, fetched[f]);
        }
    long most = racelab_load(&max_active);
    if (most > limit)
        fprintf(stderr, "harness: %ld downloads ran at once, more than the limit of %ld\n", most, limit);
    racelab_store(&wrong_fetches, wrong);
    return wrong || most > limit ? 1 : 0;
}
