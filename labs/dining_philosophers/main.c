/* dining_philosophers: five philosophers, five forks, and the lock-order cycle that runs round the table.
 *
 * Five philosophers sit at a round table with one fork between each pair of neighbours. To eat, a
 * philosopher needs both forks beside them: philosopher i's left fork is forks[i], the right one is
 * forks[(i + 1) % 5]. Each fork is a mutex. If all five pick up their left fork at the same moment,
 * each waits for a right fork that a neighbour holds, and nobody ever eats: a deadlock of five
 * threads. In lock-order terms, philosopher i takes forks[i] then forks[i + 1], so the graph has the
 * cycle forks[0] -> forks[1] -> forks[2] -> forks[3] -> forks[4] -> forks[0].
 *
 * Each mode fixes the timing, so it behaves the same on every run:
 *   --mode naive     (default) left fork, then right. A barrier gives each philosopher a turn of
 *                    its own, as a kind scheduler might: the run ends, but racelab reports the
 *                    five-lock cycle as a potential deadlock.
 *   --mode deadlock  every philosopher lifts the left fork, they meet at a barrier, then all reach
 *                    for the right one: a real deadlock. Without racelab the program HANGS for ever
 *                    (Ctrl-C); racelab reports it and ends the program.
 *   --mode ordered   the fix: always lift the lower-numbered fork first. Philosopher 4 then takes
 *                    forks[0] before forks[4], the cycle is broken, and nobody waits for ever.
 *   --mode waiter    left then right again, but a waiter (a semaphore of 4 seats) lets at most four
 *                    philosophers sit down at once. One of the four always gets both forks, so it
 *                    cannot deadlock; the lock order still has the cycle, and racelab (which does not
 *                    treat a semaphore as a gate) still reports it. `racelab confirm` shows that the
 *                    cycle cannot close; with --seats 5 the waiter lets everyone in, and confirm
 *                    makes the deadlock happen.
 * In every mode that ends, the philosophers also check that no two neighbours ever eat at once.
 *
 * Run:
 *   build/labs/dining_philosophers [--mode naive|deadlock|ordered|waiter] [-n MEALS] [-s SEATS]
 *   racelab run -- build/labs/dining_philosophers                    potential-deadlock (5 locks)
 *   racelab run -- build/labs/dining_philosophers --mode deadlock    deadlock (and potential-deadlock)
 *   racelab run -- build/labs/dining_philosophers --mode ordered     no findings
 *   build/labs/dining_philosophers-tsan --mode ordered               ThreadSanitizer stays quiet
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include "lab_options.h"

enum { PHILOSOPHERS = 5 };
enum mode { NAIVE, DEADLOCK, ORDERED, WAITER };

/* Left without racelab_name_lock(): racelab finds forks[0] .. forks[4] in the symbol table. */
pthread_mutex_t forks[PHILOSOPHERS];

static enum mode mode = NAIVE;
static long meals = 3;                     /* meals per philosopher */
static int eating[PHILOSOPHERS];           /* eating[i] is written only while holding both of i's forks */
static long meals_eaten[PHILOSOPHERS];     /* each philosopher's own count, read after the joins */
static long clashes[PHILOSOPHERS];         /* meals during which a neighbour was eating too */
static pthread_barrier_t table;            /* naive: the turns; deadlock: all hold their left fork */
static long seat_count = PHILOSOPHERS - 1; /* waiter: how many may sit at the table at once */
static sem_t seats;                        /* waiter: counts the free seats */

static void eat(long me)
{
    long left_neighbour = (me + PHILOSOPHERS - 1) % PHILOSOPHERS;
    long right_neighbour = (me + 1) % PHILOSOPHERS;
    eating[me] = 1;
    /* my left fork is shared with my left neighbour, my right one with my right neighbour: holding
     * both, I may read whether either of them is eating */
    if (eating[left_neighbour] || eating[right_neighbour])
        clashes[me]++;
    meals_eaten[me]++;
    eating[me] = 0;
}

/* Takes the two forks in the order the mode says, eats, puts them down. */
static void dine(long me)
{
    pthread_mutex_t *left = &forks[me];
    pthread_mutex_t *right = &forks[(me + 1) % PHILOSOPHERS];
    pthread_mutex_t *first = left, *second = right;
    if (mode == ORDERED && (me + 1) % PHILOSOPHERS < me) { /* only philosopher 4: forks[0] < forks[4] */
        first = right;
        second = left;
    }
    if (mode == WAITER)
        sem_wait(&seats);
    pthread_mutex_lock(first);
    if (mode == DEADLOCK) {
        printf("philosopher %ld: holds forks[%ld], reaches for forks[%ld]\n", me, me,
               (me + 1) % PHILOSOPHERS);
        pthread_barrier_wait(&table); /* every philosopher now holds a left fork */
    }
    pthread_mutex_lock(second);       /* --mode deadlock: waits here for ever */
    eat(me);
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
    if (mode == WAITER)
        sem_post(&seats);
}

static void *philosopher(void *arg)
{
    long me = (long)arg;
    for (long meal = 0; meal < meals; meal++) {
        if (mode != NAIVE) {
            dine(me);
            continue;
        }
        /* naive: PHILOSOPHERS turns per meal; philosopher i eats in turn i, alone */
        for (long turn = 0; turn < PHILOSOPHERS; turn++) {
            if (turn == me)
                dine(me);
            pthread_barrier_wait(&table);
        }
    }
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [--mode naive|deadlock|ordered|waiter] [-n MEALS] [-s SEATS]\n"
            "Five philosophers (threads) share five forks (mutexes forks[0..4]); each needs both\n"
            "neighbouring forks to eat.\n"
            "  -m, --mode naive      left fork, then right; the philosophers take turns, so the run\n"
            "                        ends, but the lock order has a 5-lock cycle (default)\n"
            "  -m, --mode deadlock   all lift the left fork, then all reach for the right one: a real\n"
            "                        deadlock. Without racelab the program HANGS for ever (Ctrl-C to\n"
            "                        stop it); racelab reports it and ends the program\n"
            "  -m, --mode ordered    the fix: always lift the lower-numbered fork first\n"
            "  -m, --mode waiter     left then right, but a semaphore lets at most 4 sit at once\n"
            "  -n, --meals N         meals per philosopher (default 3; --mode deadlock: 1)\n"
            "  -s, --seats N         --mode waiter: seats at the table (default 4; with 5 the waiter\n"
            "                        no longer prevents the deadlock)\n"
            "  -h, --help            show this help\n",
            prog);
}

static const char *const mode_names[] = {"naive", "deadlock", "ordered", "waiter"};

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"mode", required_argument, NULL, 'm'},
        {"meals", required_argument, NULL, 'n'},
        {"seats", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"dining_philosophers", "m:n:s:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'm': {
            size_t m = 0;
            while (m < 4 && strcmp(optarg, mode_names[m]) != 0)
                m++;
            if (m == 4) {
                fprintf(stderr, "dining_philosophers: --mode is naive, deadlock, ordered or waiter, not '%s'\n",
                        optarg);
                return 2;
            }
            mode = (enum mode)m;
            break;
        }
        case 'n':
            if (!lab_number_in_range(optarg, 1, 1000000, &meals)) {
                fprintf(stderr, "dining_philosophers: MEALS must be 1 to 1000000, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 's':
            if (!lab_number_in_range(optarg, 1, PHILOSOPHERS, &seat_count)) {
                fprintf(stderr, "dining_philosophers: SEATS must be 1 to %d, not '%s'\n", PHILOSOPHERS, optarg);
                return 2;
            }
            break;
        }
    }
    if (mode == DEADLOCK)
        meals = 1; /* the first meal never ends */
    setvbuf(stdout, NULL, _IOLBF, 0); /* show each line at once, even if the program never ends */

    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_init(&forks[i], NULL);
    pthread_barrier_init(&table, NULL, PHILOSOPHERS);
    sem_init(&seats, 0, (unsigned)seat_count);
    printf("mode %s: %d philosophers, %ld meal%s each", mode_names[mode], PHILOSOPHERS, meals,
           meals == 1 ? "" : "s");
    if (mode == WAITER)
        printf(", %ld seats", seat_count);
    printf("\n");

    pthread_t threads[PHILOSOPHERS];
    for (long i = 0; i < PHILOSOPHERS; i++) {
        int rc = pthread_create(&threads[i], NULL, philosopher, (void *)i);
        if (rc != 0) {
            fprintf(stderr, "dining_philosophers: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_join(threads[i], NULL);

    long total = 0, clashed = 0;
    for (int i = 0; i < PHILOSOPHERS; i++) {
        total += meals_eaten[i];
        clashed += clashes[i];
    }
    printf("finished: %ld meals eaten, expected %ld; neighbours ate at the same time %ld times\n", total,
           PHILOSOPHERS * meals, clashed);
    sem_destroy(&seats);
    pthread_barrier_destroy(&table);
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_destroy(&forks[i]);
    return total == PHILOSOPHERS * meals && clashed == 0 ? 0 : 1;
}
