/* event: a one-shot event (set / wait / clear) built from a mutex and a condition variable: a starting gun.
 *
 * An event is a flag that threads can wait for. set() raises it and wakes every waiter; wait()
 * returns at once if it is raised, otherwise sleeps until it is; clear() lowers it again for the next
 * use. (Python's threading.Event is the same thing.) It takes three parts:
 *   - the flag, the state that says "the gun has fired";
 *   - a condition variable, where waiters sleep until the flag changes;
 *   - a mutex that guards the flag: wait() checks the flag and goes to sleep holding it, and set()
 *     raises the flag and broadcasts holding it, so set() cannot slip in between a waiter's check and
 *     its sleep (the wake-up would be lost) and every access to the flag is ordered.
 *
 * Here the event starts a race. In each heat RUNNERS threads take their marks (a barrier with the
 * starter), wait() for the gun, and run; the starter set()s the gun once everyone is at the line and,
 * when the heat is over, clear()s it for the next heat.
 *
 *   (default)   set() takes the mutex: no findings.
 *   --no-lock   set() writes the flag and broadcasts without taking the mutex (the bug). Every
 *               runner's check of the flag and the starter's write are unordered, so racelab reports
 *               a data race on start_gun.flag on every run, whichever came first. The same bug can
 *               lose the wake-up (a runner that has just seen "not fired" misses the broadcast and
 *               sleeps for ever); it is rare, and racelab would report that as a deadlock.
 *
 * The mutex and the condition variable are named with racelab_name_lock() ("start_gun.lock",
 * "start_gun.cond"), and the flag is a racelab shared variable ("start_gun.flag"), so reports use
 * those names.
 *
 * Run:
 *   build/labs/event [--no-lock] [-r RUNNERS] [--heats H]
 *   racelab run -- build/labs/event                                      no findings
 *   racelab run --schedule serial --seed 4 -- build/labs/event --no-lock   data-race on start_gun.flag
 *   build/labs/event-tsan                                                ThreadSanitizer stays quiet
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_options.h"
#include "racelab.h"

struct event {
    pthread_mutex_t lock;  /* guards flag */
    pthread_cond_t cond;   /* broadcast when flag is raised */
    racelab_shared flag;   /* 1 once set, 0 again after clear */
};

static struct event start_gun = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                                 RACELAB_SHARED_INIT("start_gun.flag", 0)};

static int no_lock;                 /* --no-lock: set() without the mutex */
static long runners = 4, heats = 2;
static pthread_barrier_t marks;     /* runners and the starter: everyone is at the line */
static pthread_mutex_t results_lock = PTHREAD_MUTEX_INITIALIZER;
static long started;                /* runners that got past wait() this heat; guarded by results_lock */

static void event_set(struct event *e)
{
    if (no_lock) {
        racelab_store(&e->flag, 1);        /* the bug: no mutex around the flag */
        pthread_cond_broadcast(&e->cond);
        return;
    }
    pthread_mutex_lock(&e->lock);
    racelab_store(&e->flag, 1);
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

static void event_wait(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    while (!racelab_load(&e->flag))        /* check, then sleep: both under the mutex */
        pthread_cond_wait(&e->cond, &e->lock);
    pthread_mutex_unlock(&e->lock);
}

static void event_clear(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    racelab_store(&e->flag, 0);
    pthread_mutex_unlock(&e->lock);
}

static void *runner(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&marks);  /* on your marks */
    event_wait(&start_gun);        /* ... wait for the gun */
    pthread_mutex_lock(&results_lock);
    started++;                     /* the race itself */
    pthread_mutex_unlock(&results_lock);
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [--no-lock] [-r RUNNERS] [--heats H]\n"
            "Runner threads wait for a starting gun: an event (flag + mutex + condition variable) that\n"
            "the starter sets once every runner is at the line, and clears after each heat.\n"
            "  --no-lock           the bug: set() writes the flag without the event's mutex\n"
            "  -r, --runners N     runner threads per heat (default 4)\n"
            "  --heats H           heats, the gun cleared between them (default 2)\n"
            "  -h, --help          show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    enum { OPT_NO_LOCK = 256, OPT_HEATS };
    static const struct option options[] = {
        {"no-lock", no_argument, NULL, OPT_NO_LOCK},
        {"runners", required_argument, NULL, 'r'},
        {"heats", required_argument, NULL, OPT_HEATS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"event", "r:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case OPT_NO_LOCK: no_lock = 1; break;
        case 'r': runners = lab_count_option(&cli, optarg, "RUNNERS", 1, 1000); break;
        case OPT_HEATS: heats = lab_count_option(&cli, optarg, "H", 1, 1000); break;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* show each line at once, even if the program never ends */

    racelab_name_lock(&start_gun.lock, "start_gun.lock");
    racelab_name_lock(&start_gun.cond, "start_gun.cond");
    pthread_t *threads = calloc((size_t)runners, sizeof *threads);
    if (!threads) {
        perror("event: calloc");
        return 1;
    }
    pthread_barrier_init(&marks, NULL, (unsigned)runners + 1);

    int all_started = 1;
    for (long heat = 1; heat <= heats; heat++) {
        event_clear(&start_gun); /* reload the gun: runners of this heat must wait for it */
        started = 0;
        for (long i = 0; i < runners; i++) {
            int rc = pthread_create(&threads[i], NULL, runner, NULL);
            if (rc != 0) {
                fprintf(stderr, "event: pthread_create: %s\n", strerror(rc));
                return 1;
            }
        }
        pthread_barrier_wait(&marks); /* every runner is at the line */
        event_set(&start_gun);        /* bang */
        for (long i = 0; i < runners; i++)
            pthread_join(threads[i], NULL);
        printf("heat %ld: the gun fired%s, %ld of %ld runners started\n", heat,
               no_lock ? " (set without the lock)" : "", started, runners);
        all_started &= started == runners;
    }
    pthread_barrier_destroy(&marks);
    free(threads);
    return all_started ? 0 : 1;
}
