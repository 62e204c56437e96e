/* lock_order_deadlock: two threads that take the same two locks in opposite orders.
 *
 * Two bank accounts, A and B, each guarded by its own mutex (lock_a, lock_b). A transfer locks the
 * account it takes money from, then the one it pays into, so that nobody sees the money in neither
 * account or in both. Thread 1 pays from A to B (lock_a, then lock_b); thread 2 pays from B to A
 * (lock_b, then lock_a). If each thread gets its first lock before the other asks for its second,
 * each waits for a lock the other holds and neither can go on: a deadlock.
 *
 * Whether that happens depends on timing, which is why such bugs hide. This program fixes the timing
 * so that each mode behaves the same on every run:
 *   --mode apart     (default) thread 2 starts its transfers only after thread 1 has finished its
 *                    own (a barrier makes it wait), as if the scheduler happened to be kind. The run
 *                    ends normally, yet the bug is still there: racelab reports a potential deadlock
 *                    because it watches the order in which each thread takes locks, not the timing.
 *   --mode deadlock  both threads take their first lock, meet at a barrier, then ask for their
 *                    second: a real deadlock. Without racelab the program HANGS for ever (Ctrl-C);
 *                    racelab reports the deadlock and ends the program.
 * The fix is one global order: every transfer locks the lower-numbered account first.
 *
 * Run:
 *   build/labs/lock_order_deadlock [--mode apart] [-n TRANSFERS]
 *   racelab run -- build/labs/lock_order_deadlock                   potential-deadlock
 *   racelab run -- build/labs/lock_order_deadlock --mode deadlock   deadlock (and potential-deadlock)
 *   build/labs/lock_order_deadlock-tsan                             ThreadSanitizer agrees:
 *                                                                   lock-order-inversion
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lab_options.h"

/* Left without racelab_name_lock(): racelab finds the names lock_a and lock_b in the symbol table. */
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

struct account {
    const char *name;
    pthread_mutex_t *lock; /* guards balance */
    long balance;
};

static struct account account_a = {"A", &lock_a, 100};
static struct account account_b = {"B", &lock_b, 100};

static long transfers = 1;                  /* transfers per thread */
static int deadlock_mode;                   /* --mode deadlock */
static int timing_mode;                     /* --mode timing: only a sleep keeps them apart */
static int use_gate;                        /* --gate: the fix "one big lock around every transfer" */
static pthread_mutex_t bank_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t thread1_finished;  /* --mode apart: thread 2 waits here for thread 1 */
static pthread_barrier_t both_hold_first;   /* --mode deadlock: each holds its first lock */

/* Moves amount from `from` to `to` holding both accounts' locks, the payer's first. That order is the
 * bug: a transfer the other way round takes the same two locks in the opposite order. */
static void transfer(const char *who, struct account *from, struct account *to, long amount)
{
    if (use_gate)
        pthread_mutex_lock(&bank_lock); /* a gate: only one transfer at a time, whatever its order */
    pthread_mutex_lock(from->lock);
    if (deadlock_mode) {
        printf("%s: holds account %s's lock, now asks for account %s's\n", who, from->name,
               to->name);
        pthread_barrier_wait(&both_hold_first); /* the other thread holds its first lock too */
    }
    pthread_mutex_lock(to->lock);               /* --mode deadlock: waits here for ever */
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(to->lock);
    pthread_mutex_unlock(from->lock);
    if (use_gate)
        pthread_mutex_unlock(&bank_lock);
    printf("%s: moved %ld from %s to %s\n", who, amount, from->name, to->name);
}

static void *thread1(void *arg)
{
    (void)arg;
    for (long i = 0; i < transfers; i++)
        transfer("thread 1", &account_a, &account_b, 10);
    if (!deadlock_mode && !timing_mode)
        pthread_barrier_wait(&thread1_finished); /* lets thread 2 begin */
    return NULL;
}

static void *thread2(void *arg)
{
    (void)arg;
    if (timing_mode) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL); /* only luck keeps them apart: thread 1 is usually done by now */
    } else if (!deadlock_mode) {
        pthread_barrier_wait(&thread1_finished); /* the "kind timing": thread 1 is done */
    }
    for (long i = 0; i < transfers; i++)
        transfer("thread 2", &account_b, &account_a, 10);
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [--mode apart|timing|deadlock] [-n TRANSFERS]\n"
            "Thread 1 transfers money from account A to B (locks A, then B); thread 2 from B to A\n"
            "(locks B, then A).\n"
            "  -m, --mode apart      thread 2 starts after thread 1 is done: the run ends normally,\n"
            "                        but the lock order can deadlock (default)\n"
            "  -m, --mode timing     thread 2 starts 50 ms later: usually apart, but only timing keeps\n"
            "                        them apart (racelab confirm can make them meet)\n"
            "  -m, --mode deadlock   both threads take their first lock before either asks for the\n"
            "                        second: a real deadlock. Without racelab the program HANGS for\n"
            "                        ever (Ctrl-C to stop it); racelab reports it and ends the program\n"
            "  -n, --transfers N     transfers per thread (default 1)\n"
            "  -g, --gate            the fix: every transfer first takes one bank-wide lock, so the\n"
            "                        two orders can never overlap (racelab then notes the cycle as\n"
            "                        guarded by a gate lock instead of reporting it)\n"
            "  -h, --help            show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"mode", required_argument, NULL, 'm'},
        {"transfers", required_argument, NULL, 'n'},
        {"gate", no_argument, NULL, 'g'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"lock_order_deadlock", "m:n:gh", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'm':
            if (strcmp(optarg, "apart") == 0) {
                deadlock_mode = 0;
            } else if (strcmp(optarg, "deadlock") == 0) {
                deadlock_mode = 1;
            } else if (strcmp(optarg, "timing") == 0) {
                timing_mode = 1;
            } else {
                fprintf(stderr, "lock_order_deadlock: --mode is 'apart', 'timing' or 'deadlock', not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'g':
            use_gate = 1;
            break;
        case 'n':
            if (!lab_number_in_range(optarg, 1, 1000000, &transfers)) {
                fprintf(stderr, "lock_order_deadlock: TRANSFERS must be 1 to 1000000, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* show each line at once, even if the program never ends */

    pthread_barrier_init(&thread1_finished, NULL, 2);
    pthread_barrier_init(&both_hold_first, NULL, 2);
    printf("mode %s: balances A=%ld B=%ld\n", deadlock_mode ? "deadlock" : timing_mode ? "timing" : "apart",
           account_a.balance, account_b.balance);

    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    printf("finished: balances A=%ld B=%ld\n", account_a.balance, account_b.balance);
    printf("no deadlock this time, but the threads took lock_a and lock_b in opposite orders;\n"
           "run it under racelab to see why that is dangerous\n");
    pthread_barrier_destroy(&thread1_finished);
    pthread_barrier_destroy(&both_hold_first);
    return 0;
}
