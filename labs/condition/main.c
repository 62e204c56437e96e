/* condition: a bounded buffer with a mutex and two condition variables, and the two classic mistakes.
 *
 * One producer thread puts the numbers 1..ITEMS into a buffer of CAPACITY slots; CONSUMERS threads
 * take them out and add them up. One mutex guards the buffer. A producer that finds the buffer full
 * waits on `not_full`; a consumer that finds it empty waits on `not_empty`. When the producer has put
 * its last number it puts one STOP marker per consumer.
 *
 * A condition variable is only a place to sleep: it remembers nothing. So a waiter must check the
 * state it waits for (the predicate, here "count > 0") before it sleeps, and check it again after it
 * wakes up, in a loop:   while (count == 0) pthread_cond_wait(&not_empty, &lock);
 * After a wake-up the predicate may be false again: the producer broadcasts `not_empty`, which wakes
 * every waiting consumer for one item, and only the first to get the mutex back finds it.
 *
 *   (default)      while loops: every number is taken exactly once, on every run.
 *   --if           `if` instead of `while`: a consumer woken with the others goes on without looking
 *                  again and takes from an EMPTY buffer. The lab's take() notices, refuses and counts
 *                  it, and the program exits 1. --if implies --lockstep, which makes it happen on
 *                  every item, on every run.
 *   --lockstep     the producer puts each item only when every consumer is waiting for one, so each
 *                  broadcast wakes them all and all but one find the buffer empty again. With `while`
 *                  they just go back to waiting (the program counts those wake-ups).
 *   --lost-wakeup  the consumer waits without checking the predicate at all. The producer has
 *                  already put its item and signalled before the consumer starts (the program makes
 *                  sure of that), so the signal is lost and the consumer sleeps next to a full
 *                  buffer for ever. Without racelab the program HANGS (Ctrl-C); racelab sees that
 *                  every thread is blocked, reports a deadlock and ends the program.
 *
 * Run:
 *   build/labs/condition [--if | --lockstep | --lost-wakeup] [-c CONSUMERS] [-n ITEMS] [-b CAPACITY]
 *   racelab run -- build/labs/condition                   no findings
 *   racelab run -- build/labs/condition --if              no findings (a logic bug): the lab's own
 *                                                         check fails, exit 1
 *   racelab run -- build/labs/condition --lost-wakeup     deadlock (every thread blocked)
 *   build/labs/condition-tsan                             ThreadSanitizer stays quiet
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_options.h"
#include "racelab.h"

enum { STOP = -1 }; /* the marker that tells one consumer to finish */

struct buffer {
    pthread_mutex_t lock;      /* guards everything below */
    pthread_cond_t not_full;   /* the producer waits here: for room (and, lockstep, for the consumers) */
    pthread_cond_t not_empty;  /* consumers wait here for an item */
    long *slots;               /* a ring of `capacity` items */
    long capacity, count, head, tail;
    long asleep;               /* consumers waiting on not_empty that no broadcast has woken yet */
    long alive;                /* consumers that have not taken their STOP yet */
    long empty_takes;          /* --if: takes that found the buffer empty */
    long stale_wakeups;        /* wake-ups that found the buffer empty and waited again */
};

static struct buffer buf = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .not_full = PTHREAD_COND_INITIALIZER,
    .not_empty = PTHREAD_COND_INITIALIZER,
};

static long consumers = 2, items = 1000, capacity = 4;
static int use_if, lockstep, lost_wakeup;

/* Puts one item. buf.lock held, buffer not full. */
static void put(long item)
{
    buf.slots[buf.tail] = item;
    buf.tail = (buf.tail + 1) % buf.capacity;
    buf.count++;
}

/* Takes one item. buf.lock held. The lab's check: on an empty buffer a real ring buffer would hand out
 * a stale slot and drive count below zero; this one refuses, counts it and returns 0. */
static long take(long consumer)
{
    if (buf.count == 0) {
        if (buf.empty_takes++ == 0)
            printf("consumer %ld consumed from an EMPTY buffer\n", consumer);
        return 0;
    }
    long item = buf.slots[buf.head];
    buf.head = (buf.head + 1) % buf.capacity;
    buf.count--;
    return item;
}

static void producer_put(long item)
{
    pthread_mutex_lock(&buf.lock);
    /* lockstep: also wait until the last item is gone and every consumer is asleep again, so that
     * each one has run since the last broadcast */
    while (buf.count == buf.capacity || (lockstep && (buf.count > 0 || buf.asleep < buf.alive)))
        pthread_cond_wait(&buf.not_full, &buf.lock);
    put(item);
    pthread_cond_broadcast(&buf.not_empty); /* wakes every waiting consumer */
    buf.asleep = 0;                         /* ... so none of them is asleep any more */
    pthread_mutex_unlock(&buf.lock);
}

static void *producer(void *arg)
{
    (void)arg;
    for (long i = 1; i <= items; i++)
        producer_put(i);
    for (long c = 0; c < consumers; c++)
        producer_put(STOP);
    return NULL;
}

/* Sleeps on not_empty once, keeping the counts the producer and the report use. buf.lock held. */
static void wait_not_empty(void)
{
    buf.asleep++;
    if (lockstep)
        pthread_cond_signal(&buf.not_full); /* the producer may be waiting for all of us to sleep */
    pthread_cond_wait(&buf.not_empty, &buf.lock);
}

static void *consumer(void *arg)
{
    long me = (long)arg;
    long sum = 0;
    for (;;) {
        pthread_mutex_lock(&buf.lock);
        if (use_if) {
            if (buf.count == 0) /* the bug: checked once, not again after waking up */
                wait_not_empty();
        } else {
            while (buf.count == 0) {
                wait_not_empty();
                if (buf.count == 0)
                    buf.stale_wakeups++; /* someone else got the item first: wait again */
            }
        }
        long item = take(me);
        if (item == STOP)
            buf.alive--;
        pthread_cond_signal(&buf.not_full); /* there is room now */
        pthread_mutex_unlock(&buf.lock);
        if (item == STOP)
            break;
        sum += item;
    }
    return (void *)sum;
}

/* --lost-wakeup: the producer puts one item and signals before the consumer ever waits. */
static void *hasty_producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&buf.lock);
    put(1);
    pthread_cond_signal(&buf.not_empty); /* nobody is waiting yet: the signal is lost */
    pthread_mutex_unlock(&buf.lock);
    printf("producer: put 1 item and signalled not_empty (nobody was waiting yet)\n");
    return NULL;
}

static void *trusting_consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&buf.lock);
    printf("consumer: waits for not_empty without checking the buffer (it holds %ld item)\n", buf.count);
    pthread_cond_wait(&buf.not_empty, &buf.lock); /* the bug: no predicate; waits for ever */
    long item = take(0);
    pthread_mutex_unlock(&buf.lock);
    printf("consumer: took %ld\n", item);
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [--if | --lockstep | --lost-wakeup] [-c CONSUMERS] [-n ITEMS] [-b CAPACITY]\n"
            "A producer puts 1..ITEMS into a bounded buffer; CONSUMERS threads take them out. A mutex\n"
            "guards the buffer; the producer waits on not_full, consumers on not_empty (in while loops).\n"
            "  --if                 consumers check 'buffer empty?' with if instead of while: one of\n"
            "                       them takes from an EMPTY buffer (the program exits 1). Implies\n"
            "                       --lockstep, so that it happens on every run\n"
            "  --lockstep           the producer puts an item only when every consumer is waiting\n"
            "  --lost-wakeup        the consumer waits without checking the buffer, after the producer\n"
            "                       has signalled: it waits for ever. Without racelab the program HANGS\n"
            "                       (Ctrl-C to stop it); racelab reports a deadlock and ends it\n"
            "  -c, --consumers N    consumer threads (default 2)\n"
            "  -n, --items N        numbers to produce (default 1000)\n"
            "  -b, --capacity N     buffer slots (default 4)\n"
            "  -h, --help           show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    enum { OPT_IF = 256, OPT_LOCKSTEP, OPT_LOST_WAKEUP };
    static const struct option options[] = {
        {"if", no_argument, NULL, OPT_IF},
        {"lockstep", no_argument, NULL, OPT_LOCKSTEP},
        {"lost-wakeup", no_argument, NULL, OPT_LOST_WAKEUP},
        {"consumers", required_argument, NULL, 'c'},
        {"items", required_argument, NULL, 'n'},
        {"capacity", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"condition", "c:n:b:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case OPT_IF: use_if = lockstep = 1; break;
        case OPT_LOCKSTEP: lockstep = 1; break;
        case OPT_LOST_WAKEUP: lost_wakeup = 1; break;
        case 'c': consumers = lab_count_option(&cli, optarg, "CONSUMERS", 1, 1000); break;
        case 'n': items = lab_count_option(&cli, optarg, "ITEMS", 0, 100000000); break;
        case 'b': capacity = lab_count_option(&cli, optarg, "CAPACITY", 1, 1000000); break;
        }
    }
    if (lost_wakeup && lockstep)
        lab_usage_error(&cli, argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* show each line at once, even if the program never ends */

    buf.capacity = capacity;
    buf.alive = consumers;
    buf.slots = calloc((size_t)capacity, sizeof *buf.slots);
    pthread_t *threads = calloc((size_t)consumers, sizeof *threads);
    if (!buf.slots || !threads) {
        perror("condition: calloc");
        return 1;
    }
    racelab_name_lock(&buf.lock, "buffer.lock");
    racelab_name_lock(&buf.not_full, "not_full");
    racelab_name_lock(&buf.not_empty, "not_empty");

    if (lost_wakeup) {
        pthread_t p, c;
        pthread_create(&p, NULL, hasty_producer, NULL);
        pthread_join(p, NULL); /* the producer is done before the consumer starts */
        pthread_create(&c, NULL, trusting_consumer, NULL);
        pthread_join(c, NULL); /* never returns */
        return 0;
    }

    printf("%ld consumer%s, %ld items, capacity %ld, %s%s\n", consumers, consumers == 1 ? "" : "s", items,
           capacity, use_if ? "if" : "while", lockstep ? ", lockstep" : "");
    pthread_t p;
    pthread_create(&p, NULL, producer, NULL);
    for (long c = 0; c < consumers; c++)
        pthread_create(&threads[c], NULL, consumer, (void *)c);
    long sum = 0;
    for (long c = 0; c < consumers; c++) {
        void *part;
        pthread_join(threads[c], &part);
        sum += (long)part;
    }
    pthread_join(p, NULL);

    long expected = items * (items + 1) / 2;
    printf("sum of the items consumed %ld, expected %ld\n", sum, expected);
    if (lockstep && !use_if)
        printf("%ld wake-ups found the buffer empty; the while loop sent each back to wait\n",
               buf.stale_wakeups);
    if (buf.empty_takes)
        printf("consumers took from an EMPTY buffer %ld times\n", buf.empty_takes);
    free(threads);
    free(buf.slots);
    return sum == expected && buf.empty_takes == 0 ? 0 : 1;
}
