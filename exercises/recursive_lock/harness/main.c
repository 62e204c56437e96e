/* main.c: the harness of the recursive_lock exercise. It owns main and the sizes (from the command
 * line): THREADS threads each do ROUNDS rounds of nested locking (the lock taken DEPTH times, the
 * shared counter incremented after the innermost unlock, while the outer levels are still held);
 * then one thread checks, alone, that only the owner may unlock (EPERM otherwise). It publishes its
 * checks in shared variables (`counter`, `eperm_errors`, `reentries`) that the grader reads from
 * racelab's report.
 *
 *   ./program -t THREADS -n ROUNDS -d DEPTH
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "racelab.h"
#include "rlock.h"

#define MAX_THREADS 16

static rlock the_lock;
static long rounds = 20, depth = 3;
static racelab_shared counter = RACELAB_SHARED_INIT("counter", 0);
static racelab_shared reentries = RACELAB_SHARED_INIT("reentries", 0);
static racelab_shared eperm_errors = RACELAB_SHARED_INIT("eperm_errors", -1);

static void nested(long level)
{
    rlock_lock(&the_lock);
    if (level > 1) {
        racelab_add(&reentries, 1);
        nested(level - 1);
        /* the inner levels are unlocked again; this thread must still hold the lock */
        long seen = racelab_load(&counter);
        racelab_store(&counter, seen + 1);
    }
    rlock_unlock(&the_lock);
}

static void *worker(void *arg)
{
    (void)arg;
    for (long r = 0; r < rounds; r++)
        nested(depth);
    return NULL;
}

struct unlock_attempt {
    int result;
};

static void *foreign_unlock(void *arg)
{
    ((struct unlock_attempt *)arg)->result = rlock_unlock(&the_lock);
    return NULL;
}

/* Only the owner may unlock: another thread gets EPERM, and so does the owner once the count is 0. */
static long check_ownership(void)
{
    long errors = 0;
    rlock_lock(&the_lock);
    rlock_lock(&the_lock);
    struct unlock_attempt attempt = { -1 };
    pthread_t other;
    pthread_create(&other, NULL, foreign_unlock, &attempt);
    pthread_join(other, NULL);
    if (attempt.result != EPERM) {
        fprintf(stderr, "harness: another thread's rlock_unlock() returned %d, not EPERM (%d): only the owner may "
                        "unlock\n", attempt.result, EPERM);
        errors++;
    }
    int first = rlock_unlock(&the_lock), second = rlock_unlock(&the_lock);
    if (first != 0 || second != 0) {
        fprintf(stderr, "harness: the owner's two unlocks returned %d and %d, not 0 and 0\n", first, second);
        errors++;
    }
    int extra = rlock_unlock(&the_lock);
    if (extra != EPERM) {
        fprintf(stderr, "harness: rlock_unlock() of a free lock returned %d, not EPERM (%d)\n", extra, EPERM);
        errors++;
    }
    return errors;
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
    long threads = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            threads = number(argv[++i], 1, MAX_THREADS);
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            rounds = number(argv[++i], 0, 10000000);
        else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
            depth = number(argv[++i], 2, 50);
        else {
            fprintf(stderr, "usage: %s [-t THREADS] [-n ROUNDS] [-d DEPTH]\n", argv[0]);
            return 2;
        }
    }
    rlock_init(&the_lock);
    pthread_t workers[MAX_THREADS];
    for (long t = 0; t < threads; t++)
        pthread_create(&workers[t], NULL, worker, NULL);
    for (long t = 0; t < threads; t++)
        pthread_join(workers[t], NULL);
    long errors = check_ownership();
    rlock_destroy(&the_lock);
    racelab_store(&eperm_errors, errors);
    long got = racelab_load(&counter), expected = threads * rounds * (depth - 1);
    if (got != expected)
        fprintf(stderr, "harness: the counter is %ld, expected %ld\n", got, expected);
    return errors || got != expected ? 1 : 0;
}
