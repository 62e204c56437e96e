/* main.c: the harness of the dining_philosophers exercise. It owns main and the sizes (from the
 * command line): PHILOSOPHERS threads each eat MEALS meals (think, pick_up_forks, eat for EAT_US
 * microseconds, put_down_forks). It checks that no philosopher eats while a neighbour does, counts the
 * meals, and measures how many ate at the same moment. It publishes `conflicts`, `meals` and
 * `max_eating` in shared variables that the grader reads from racelab's report.
 *
 *   ./program -p PHILOSOPHERS -m MEALS -e EAT_US
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "philosophers.h"
#include "racelab.h"

int philosophers = 5;
pthread_mutex_t forks[MAX_PHILOSOPHERS];

static long meals_each = 10, eat_us = 0;
static int eating[MAX_PHILOSOPHERS];  /* 1 while philosopher i eats; atomic */
static long conflict_count;           /* atomic */
static racelab_shared eating_now = RACELAB_SHARED_INIT("eating_now", 0);
static racelab_shared max_eating = RACELAB_SHARED_INIT("max_eating", 0);
static racelab_shared meals = RACELAB_SHARED_INIT("meals", 0);
static racelab_shared conflicts = RACELAB_SHARED_INIT("conflicts", -1);
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER; /* the harness's own: guards max_eating */

static void eat(int i)
{
    int left = (i + philosophers - 1) % philosophers, right = (i + 1) % philosophers;
    __atomic_store_n(&eating[i], 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&eating[left], __ATOMIC_SEQ_CST) || __atomic_load_n(&eating[right], __ATOMIC_SEQ_CST))
        __atomic_add_fetch(&conflict_count, 1, __ATOMIC_SEQ_CST);
    long now = racelab_add(&eating_now, 1);
    pthread_mutex_lock(&stats_lock);
    if (now > racelab_load(&max_eating))
        racelab_store(&max_eating, now);
    pthread_mutex_unlock(&stats_lock);
    if (eat_us) {
        struct timespec ts = { eat_us / 1000000, (eat_us % 1000000) * 1000 };
        nanosleep(&ts, NULL);
    }
    racelab_add(&eating_now, -1);
    racelab_add(&meals, 1);
    __atomic_store_n(&eating[i], 0, __ATOMIC_SEQ_CST);
}

static void *philosopher(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (long m = 0; m < meals_each; m++) {
        pick_up_forks(i);
        eat(i);
        put_down_forks(i);
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
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            philosophers = (int)number(argv[++i], 2, MAX_PHILOSOPHERS);
        else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            meals_each = number(argv[++i], 0, 1000000);
        else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc)
            eat_us = number(argv[++i], 0, 1000000);
        else {
            fprintf(stderr, "usage: %s [-p PHILOSOPHERS] [-m MEALS] [-e EAT_US]\n", argv[0]);
            return 2;
        }
    }
    for (int i = 0; i < philosophers; i++) {
        pthread_mutex_init(&forks[i], NULL);
        char name[32];
        snprintf(name, sizeof name, "forks[%d]", i);
        racelab_name_lock(&forks[i], name);
    }
    pthread_t threads[MAX_PHILOSOPHERS];
    for (int i = 0; i < philosophers; i++)
        pthread_create(&threads[i], NULL, philosopher, (void *)(intptr_t)i);
    for (int i = 0; i < philosophers; i++)
        pthread_join(threads[i], NULL);
    long eaten = racelab_load(&meals);
    if (conflict_count)
        fprintf(stderr, "harness: %ld times a philosopher ate while a neighbour was eating\n", conflict_count);
    if (eaten != philosophers * meals_each)
        fprintf(stderr, "harness: %ld meals eaten, expected %ld\n", eaten, philosophers * meals_each);
    racelab_store(&conflicts, conflict_count);
    return conflict_count || eaten != philosophers * meals_each ? 1 : 0;
}
