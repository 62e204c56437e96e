/* main.c: the harness of the event exercise. It owns main and the sizes (from the command line).
 *
 * First, on one thread, it checks what event_is_set() says after init, set, set again and clear.
 * Then WAITERS threads wait for the event ROUNDS times: in each round every waiter says it is about to
 * wait, main lets them all get into event_wait() (it pauses PAUSE_MS milliseconds), records the round
 * number and calls event_set(); each waiter checks, once event_wait() returns, that the round had been
 * set (it did not return early), and reports back; main waits up to 200 ms for each report and
 * calls event_set() again for a waiter that did not wake up (a lost wake-up); then it clears the event
 * for the next round. The counts are published in shared variables the grader reads from racelab's
 * report: `is_set_errors`, `early_returns`, `lost_wakeups`, `rounds_done`. With -l, in every second
 * round the waiters come late (2 ms after saying they are about to wait), once the event may be set
 * already: event_wait() must then return at once, and safely.
 *
 *   ./program -w WAITERS -r ROUNDS -p PAUSE_MS [-l]
 */
#include <errno.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "racelab.h"

#define MAX_WAITERS 16

static event go;
static long waiters = 3, rounds = 3, pause_ms = 50;
static bool late;                         /* -l: in even rounds waiters come late, after event_set() */
static long round_set;                    /* the round main has set; atomic */
static long early_count;                  /* atomic */
static sem_t arrived, reported, next_round[MAX_WAITERS];
static racelab_shared is_set_errors = RACELAB_SHARED_INIT("is_set_errors", -1);
static racelab_shared early_returns = RACELAB_SHARED_INIT("early_returns", -1);
static racelab_shared lost_wakeups = RACELAB_SHARED_INIT("lost_wakeups", -1);
static racelab_shared rounds_done = RACELAB_SHARED_INIT("rounds_done", 0);

static long check_flag(void)
{
    long errors = 0;
    event e;
    event_init(&e);
    if (event_is_set(&e))
        errors++, fprintf(stderr, "harness: a new event is already set\n");
    event_set(&e);
    if (!event_is_set(&e))
        errors++, fprintf(stderr, "harness: event_is_set() is false right after event_set()\n");
    event_set(&e);
    if (!event_is_set(&e))
        errors++, fprintf(stderr, "harness: event_is_set() is false after a second event_set(): setting twice must "
                                  "leave it set\n");
    else
        event_wait(&e); /* set: must return at once */
    event_clear(&e);
    if (event_is_set(&e))
        errors++, fprintf(stderr, "harness: event_is_set() is true right after event_clear()\n");
    event_clear(&e);
    if (event_is_set(&e))
        errors++, fprintf(stderr, "harness: event_is_set() is true after a second event_clear()\n");
    event_destroy(&e);
    return errors;
}

static void *waiter(void *arg)
{
    long w = (long)(intptr_t)arg;
    for (long r = 1; r <= rounds; r++) {
        sem_post(&arrived);
        if (late && r % 2 == 0) {
            struct timespec nap = { 0, 2 * 1000000L };
            nanosleep(&nap, NULL);
        }
        event_wait(&go);
        if (__atomic_load_n(&round_set, __ATOMIC_SEQ_CST) < r)
            __atomic_add_fetch(&early_count, 1, __ATOMIC_SEQ_CST);
        sem_post(&reported);
        while (sem_wait(&next_round[w]) != 0 && errno == EINTR)
            ;
    }
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
        if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            waiters = number(argv[++i], 1, MAX_WAITERS);
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            rounds = number(argv[++i], 0, 100000);
        else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            pause_ms = number(argv[++i], 0, 10000);
        else if (strcmp(argv[i], "-l") == 0)
            late = true;
        else {
            fprintf(stderr, "usage: %s [-w WAITERS] [-r ROUNDS] [-p PAUSE_MS] [-l]\n", argv[0]);
            return 2;
        }
    }
    racelab_store(&is_set_errors, check_flag());

    long lost = 0;
    event_init(&go);
    sem_init(&arrived, 0, 0);
    sem_init(&reported, 0, 0);
    pthread_t threads[MAX_WAITERS];
    for (long w = 0; w < waiters; w++) {
        sem_init(&next_round[w], 0, 0);
        pthread_create(&threads[w], NULL, waiter, (void *)(intptr_t)w);
    }
    for (long r = 1; r <= rounds; r++) {
        for (long w = 0; w < waiters; w++)
            while (sem_wait(&arrived) != 0 && errno == EINTR)
                ;
        struct timespec pause = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
        nanosleep(&pause, NULL); /* time for every waiter to get into event_wait() */
        __atomic_store_n(&round_set, r, __ATOMIC_SEQ_CST);
        event_set(&go);
        for (long got = 0; got < waiters;) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 200 * 1000000L; /* 200 ms: a waiter woken by event_set() reports at once */
            if (until.tv_nsec >= 1000000000L)
                until.tv_sec++, until.tv_nsec -= 1000000000L;
            if (sem_timedwait(&reported, &until) == 0) {
                got++;
            } else if (errno == ETIMEDOUT) {
                lost++; /* a waiter slept through event_set(): wake it again */
                event_set(&go);
            }
        }
        event_clear(&go);
        racelab_store(&rounds_done, r);
        for (long w = 0; w < waiters; w++)
            sem_post(&next_round[w]);
    }
    for (long w = 0; w < waiters; w++)
        pthread_join(threads[w], NULL);
    event_destroy(&go);
    if (early_count)
        fprintf(stderr, "harness: event_wait() returned %ld times before the event was set\n", early_count);
    if (lost)
        fprintf(stderr, "harness: %ld times a waiter slept on after event_set() (a lost wake-up)\n", lost);
    racelab_store(&early_returns, early_count);
    racelab_store(&lost_wakeups, lost);
    return early_count || lost ? 1 : 0;
}
