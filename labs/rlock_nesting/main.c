/* rlock_nesting: a thread that locks a mutex it already holds.
 *
 * A bank account has one mutex. deposit() locks it, adds the money and then calls add_interest(),
 * which is also used on its own and therefore locks the same mutex itself. So a thread inside
 * deposit() asks for a mutex it already holds.
 *
 *   - With a recursive mutex (PTHREAD_MUTEX_RECURSIVE, the default here) that is allowed: the mutex
 *     counts how many times its owner locked it and is free again after as many unlocks. The program
 *     finishes and prints the balance.
 *   - With --normal the mutex is a default one, which does not know who holds it. The second lock
 *     waits for the mutex to be unlocked, but the only thread that could unlock it is the one
 *     waiting: it waits for itself forever (a self-deadlock). Other threads then queue behind it.
 *
 * Run:
 *   build/labs/rlock_nesting [-t THREADS] [-n DEPOSITS]   works and prints the balance
 *   build/labs/rlock_nesting --normal                     HANGS for ever: stop it with Ctrl-C
 *   racelab run -- build/labs/rlock_nesting --normal      racelab reports double-lock and deadlock,
 *                                                         then ends the program
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_options.h"
#include "racelab.h"

struct account {
    pthread_mutex_t lock; /* guards balance; recursive unless --normal */
    long balance;         /* in cents */
};

static struct account account;
static long deposits = 1000; /* deposits per thread */

/* Credits 1% interest on amount. Callers may or may not hold acc->lock already. */
static void add_interest(struct account *acc, long amount)
{
    pthread_mutex_lock(&acc->lock);       /* the second lock when called from deposit() */
    acc->balance += amount / 100;
    pthread_mutex_unlock(&acc->lock);
}

/* Adds amount and the interest it earns, as one step no other thread can see half done. */
static void deposit(struct account *acc, long amount)
{
    pthread_mutex_lock(&acc->lock);
    acc->balance += amount;
    add_interest(acc, amount);           /* locks acc->lock again while we hold it */
    pthread_mutex_unlock(&acc->lock);
}

static void *customer(void *arg)
{
    (void)arg;
    for (long i = 0; i < deposits; i++)
        deposit(&account, 100);
    return NULL;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-t THREADS] [-n DEPOSITS] [--normal]\n"
            "THREADS customers each deposit 100 cents DEPOSITS times into one account; every\n"
            "deposit() calls add_interest(), which locks the account's mutex a second time.\n"
            "  -t, --threads N    number of threads (default 2)\n"
            "  -n, --deposits N   deposits per thread (default 1000)\n"
            "      --normal       use a default (non-recursive) mutex: the nested lock then waits\n"
            "                     for itself and the program HANGS for ever (Ctrl-C to stop it);\n"
            "                     under racelab the deadlock is reported and the program ended\n"
            "  -h, --help         show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    enum { OPT_NORMAL = 256 };
    static const struct option options[] = {
        {"threads", required_argument, NULL, 't'},
        {"deposits", required_argument, NULL, 'n'},
        {"normal", no_argument, NULL, OPT_NORMAL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long threads = 2;
    int normal = 0;
    const struct lab_options cli = {"rlock_nesting", "t:n:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 't': threads = lab_count_option(&cli, optarg, "THREADS", 1, 1024); break;
        case 'n': deposits = lab_count_option(&cli, optarg, "DEPOSITS", 0, 100000000); break;
        case OPT_NORMAL: normal = 1; break;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* show each line at once, even if the program never ends */

    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, normal ? PTHREAD_MUTEX_DEFAULT : PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&account.lock, &attr);
    pthread_mutexattr_destroy(&attr);
    racelab_name_lock(&account.lock, "account.lock");

    printf("%s mutex: %ld threads x %ld deposits of 100 cents\n",
           normal ? "default (non-recursive)" : "recursive", threads, deposits);
    if (normal)
        printf("the first nested lock in add_interest() will wait for itself: expect a hang\n");

    pthread_t *customers = calloc((size_t)threads, sizeof *customers);
    if (!customers) {
        perror("rlock_nesting: calloc");
        return 1;
    }
    for (long t = 0; t < threads; t++) {
        int rc = pthread_create(&customers[t], NULL, customer, NULL);
        if (rc != 0) {
            fprintf(stderr, "rlock_nesting: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    for (long t = 0; t < threads; t++)
        pthread_join(customers[t], NULL);
    free(customers);
    pthread_mutex_destroy(&account.lock);

    long expected = threads * deposits * 101; /* 100 cents plus 1 cent interest each */
    printf("balance %ld cents, expected %ld\n", account.balance, expected);
    return account.balance == expected ? 0 : 1;
}
