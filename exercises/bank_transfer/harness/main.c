/* main.c: the harness of the bank_transfer exercise. It owns main and the sizes (from the command
 * line, chosen by the grader): ACCOUNTS accounts of 1000 cents each, THREADS threads each making
 * TRANSFERS transfers between pseudo-random pairs of accounts (seeded, so the same arguments give the
 * same transfers). The final balance of every account does not depend on the order of the transfers,
 * so the harness knows it in advance and checks it. It publishes its checks in the shared variables
 * `total` and `wrong_balances`, which the grader reads from racelab's report.
 *
 *   ./program -a ACCOUNTS -t THREADS -n TRANSFERS [-s SEED]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"

#define MAX_ACCOUNTS 16
#define MAX_THREADS 16
#define INITIAL 1000

static struct account accounts[MAX_ACCOUNTS];
static long n_accounts = 3, n_threads = 4, n_transfers = 50, seed = 1;
static racelab_shared total = RACELAB_SHARED_INIT("total", -1);
static racelab_shared wrong_balances = RACELAB_SHARED_INIT("wrong_balances", -1);

struct move {
    int from, to;
    long amount;
};

/* The k-th transfer of thread t: the same on every run with the same seed. */
static struct move move_of(long t, long k)
{
    unsigned long long x = (unsigned long long)seed * 1000003u + (unsigned long long)t * 7919u + (unsigned long long)k;
    x ^= x >> 33, x *= 0xff51afd7ed558ccdULL, x ^= x >> 33, x *= 0xc4ceb9fe1a85ec53ULL, x ^= x >> 33;
    struct move m;
    m.from = (int)(x % (unsigned long long)n_accounts);
    m.to = (int)((m.from + 1 + (x >> 8) % (unsigned long long)(n_accounts - 1)) % (unsigned long long)n_accounts);
    m.amount = 1 + (long)((x >> 20) % 10);
    return m;
}

static void *customer(void *arg)
{
    long t = (long)(intptr_t)arg;
    for (long k = 0; k < n_transfers; k++) {
        struct move m = move_of(t, k);
        transfer(&accounts[m.from], &accounts[m.to], m.amount);
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
        if (strcmp(argv[i], "-a") == 0 && i + 1 < argc)
            n_accounts = number(argv[++i], 2, MAX_ACCOUNTS);
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            n_threads = number(argv[++i], 1, MAX_THREADS);
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n_transfers = number(argv[++i], 0, 10000000);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            seed = number(argv[++i], 0, 1000000000);
        else {
            fprintf(stderr, "usage: %s [-a ACCOUNTS] [-t THREADS] [-n TRANSFERS] [-s SEED]\n", argv[0]);
            return 2;
        }
    }
    long expected[MAX_ACCOUNTS];
    for (long a = 0; a < n_accounts; a++) {
        struct account *acc = &accounts[a];
        acc->id = (int)a;
        pthread_mutex_init(&acc->lock, NULL);
        char name[32];
        snprintf(name, sizeof name, "account %ld", a);
        racelab_name_lock(&acc->lock, name);
        acc->balance = (racelab_shared)RACELAB_SHARED_INIT("balance", INITIAL);
        expected[a] = INITIAL;
    }
    for (long t = 0; t < n_threads; t++)
        for (long k = 0; k < n_transfers; k++) {
            struct move m = move_of(t, k);
            expected[m.from] -= m.amount;
            expected[m.to] += m.amount;
        }
    pthread_t workers[MAX_THREADS];
    for (long t = 0; t < n_threads; t++)
        pthread_create(&workers[t], NULL, customer, (void *)(intptr_t)t);
    for (long t = 0; t < n_threads; t++)
        pthread_join(workers[t], NULL);

    long sum = 0, wrong = 0;
    for (long a = 0; a < n_accounts; a++) {
        long b = racelab_load(&accounts[a].balance);
        sum += b;
        if (b != expected[a]) {
            wrong++;
            fprintf(stderr, "harness: account %ld holds %ld cents, expected %ld\n", a, b, expected[a]);
        }
    }
    if (sum != n_accounts * INITIAL)
        fprintf(stderr, "harness: the bank holds %ld cents in all, expected %ld: money was %s\n", sum,
                n_accounts * INITIAL, sum > n_accounts * INITIAL ? "created" : "lost");
    racelab_store(&total, sum);
    racelab_store(&wrong_balances, wrong);
    return wrong ? 1 : 0;
}
