/* main.c: the harness of the bounded_buffer exercise. It owns main and the sizes (from the command
 * line): PRODUCERS threads each put ITEMS distinct numbers into a buffer of CAPACITY slots, CONSUMERS
 * threads take numbers out until each gets a stop marker (0), which main puts once the producers are
 * done. The harness checks that every number came out exactly once, and in order (first in, first
 * out), and publishes the counts in shared variables (`missing`, `duplicates`, `invalid`,
 * `out_of_order`) that the grader reads from racelab's report.
 *
 *   ./program -p PRODUCERS -c CONSUMERS -n ITEMS -b CAPACITY
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "racelab.h"

#define MAX_THREADS 16
#define STOP 0

static buffer the_buffer;
static long producers = 2, consumers = 2, items = 50, capacity = 4;
static int *seen;   /* times each number was taken; atomic increments */
static racelab_shared missing = RACELAB_SHARED_INIT("missing", -1);
static racelab_shared duplicates = RACELAB_SHARED_INIT("duplicates", -1);
static racelab_shared invalid = RACELAB_SHARED_INIT("invalid", -1);
static long invalid_count; /* atomic */
static long out_of_order_count; /* atomic */
static racelab_shared out_of_order = RACELAB_SHARED_INIT("out_of_order", -1);

static void *producer(void *arg)
{
    long p = (long)(intptr_t)arg;
    for (long i = 0; i < items; i++)
        buffer_put(&the_buffer, p * items + i + 1); /* 1 .. producers * items */
    return NULL;
}

/* A consumer takes items one after another, so from each producer it must see them in the order they
 * were put in (the buffer is first in, first out), even when other consumers take some in between. */
static void *consumer(void *arg)
{
    (void)arg;
    long last[MAX_THREADS] = { 0 };
    for (;;) {
        long item = buffer_get(&the_buffer);
        if (item == STOP)
            return NULL;
        if (item < 1 || item > producers * items) {
            __atomic_add_fetch(&invalid_count, 1, __ATOMIC_RELAXED);
            continue;
        }
        __atomic_add_fetch(&seen[item], 1, __ATOMIC_RELAXED);
        long p = (item - 1) / items;
        if (item < last[p])
            __atomic_add_fetch(&out_of_order_count, 1, __ATOMIC_RELAXED);
        last[p] = item;
    }
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
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            producers = number(argv[++i], 1, MAX_THREADS);
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            consumers = number(argv[++i], 1, MAX_THREADS);
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            items = number(argv[++i], 0, 1000000);
        else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
            capacity = number(argv[++i], 1, BUFFER_MAX);
        else {
            fprintf(stderr, "usage: %s [-p PRODUCERS] [-c CONSUMERS] [-n ITEMS] [-b CAPACITY]\n", argv[0]);
            return 2;
        }
    }
    seen = calloc((size_t)(producers * items + 1), sizeof *seen);
    buffer_init(&the_buffer, (int)capacity);
    pthread_t prod[MAX_THREADS], cons[MAX_THREADS];
    for (long c = 0; c < consumers; c++)
        pthread_create(&cons[c], NULL, consumer, NULL);
    for (long p = 0; p < producers; p++)
        pthread_create(&prod[p], NULL, producer, (void *)(intptr_t)p);
    for (long p = 0; p < producers; p++)
        pthread_join(prod[p], NULL);
    for (long c = 0; c < consumers; c++)
        buffer_put(&the_buffer, STOP);
    for (long c = 0; c < consumers; c++)
        pthread_join(cons[c], NULL);
    buffer_destroy(&the_buffer);

    long miss = 0, dup = 0;
    for (long n = 1; n <= producers * items; n++) {
        miss += seen[n] == 0;
        dup += seen[n] > 1 ? seen[n] - 1 : 0;
    }
    if (miss || dup || invalid_count)
        fprintf(stderr, "harness: %ld numbers never came out, %ld came out more than once, %ld numbers that were never "
                        "put in came out\n", miss, dup, invalid_count);
    if (out_of_order_count)
        fprintf(stderr, "harness: %ld times a consumer got a producer's numbers out of order (the buffer is not first "
                        "in, first out)\n", out_of_order_count);
    racelab_store(&missing, miss);
    racelab_store(&duplicates, dup);
    racelab_store(&invalid, invalid_count);
    racelab_store(&out_of_order, out_of_order_count);
    free(seen);
    return miss || dup || invalid_count || out_of_order_count ? 1 : 0;
}
