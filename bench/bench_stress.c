/* bench_stress: a lock-heavy program for bench/run's whole-process comparisons (item 5) and its scale
 * run (item 6): THREADS threads make ACQUISITIONS lock acquisitions in all over LOCKS mutexes, in
 * nested pairs that always follow one global order, so there is no deadlock and nothing to report.
 *
 *   bench_stress [-t THREADS] [-n ACQUISITIONS] [-l LOCKS] [-k SPAN]
 *
 * The order edges are exactly E = { i -> i+d : 1 <= d <= SPAN, i+d < LOCKS }. Iteration m of thread t
 * (global iteration g = m*THREADS + t, each iteration one pair: lock i, lock i+d, unlock both) takes
 * edge number (g * P) mod |E| with P a prime not dividing |E|: a permutation, so once there are at
 * least |E| iterations every edge is taken, spread over all threads and over time, and racelab's
 * report must show stats.locks == LOCKS and stats.edges == |E| (nothing forgotten). The program prints
 * "locks L edges E acquisitions A" on stdout for bench/run to compare with the report.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t *locks;
static long n_locks = 1000, span = 4, n_threads = 4, acquisitions = 1000000;
static long n_edges, iterations_per_thread, prime_step;
static volatile long *counters; /* one per lock, written under it */

static long gcd(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Edge number e (0 <= e < n_edges) as (i, d): the edges of span d are i -> i+d for 0 <= i < n_locks-d. */
static void edge_of(long e, long *from, long *to)
{
    for (long d = 1; d <= span; d++) {
        long count = n_locks - d;
        if (e < count) {
            *from = e;
            *to = e + d;
            return;
        }
        e -= count;
    }
    *from = *to = 0; /* not reached */
}

static void *worker(void *arg)
{
    long t = (long)arg;
    for (long m = 0; m < iterations_per_thread; m++) {
        long g = m * n_threads + t;
        long from, to;
        edge_of((long)(((unsigned long)g * (unsigned long)prime_step) % (unsigned long)n_edges), &from, &to);
        pthread_mutex_lock(&locks[from]);
        pthread_mutex_lock(&locks[to]);
        counters[to]++;
        pthread_mutex_unlock(&locks[to]);
        pthread_mutex_unlock(&locks[from]);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "t:n:l:k:")) != -1) {
        switch (c) {
        case 't': n_threads = strtol(optarg, NULL, 10); break;
        case 'n': acquisitions = strtol(optarg, NULL, 10); break;
        case 'l': n_locks = strtol(optarg, NULL, 10); break;
        case 'k': span = strtol(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: bench_stress [-t THREADS] [-n ACQUISITIONS] [-l LOCKS] [-k SPAN]\n");
            return 2;
        }
    }
    if (n_threads < 1 || n_threads > 256 || acquisitions < 2 || span < 1 || n_locks <= span) {
        fprintf(stderr, "bench_stress: need 1..256 threads, >= 2 acquisitions and LOCKS > SPAN >= 1\n");
        return 2;
    }
    n_edges = span * n_locks - span * (span + 1) / 2;
    iterations_per_thread = acquisitions / 2 / n_threads;
    prime_step = 1000003;
    while (gcd(prime_step, n_edges) != 1)
        prime_step += 2;
    locks = calloc((size_t)n_locks, sizeof *locks);
    counters = calloc((size_t)n_locks, sizeof *counters);
    pthread_t *th = calloc((size_t)n_threads, sizeof *th);
    if (!locks || !counters || !th) {
        fprintf(stderr, "bench_stress: out of memory\n");
        return 1;
    }
    for (long i = 0; i < n_locks; i++)
        pthread_mutex_init(&locks[i], NULL);
    for (long t = 0; t < n_threads; t++)
        if (pthread_create(&th[t], NULL, worker, (void *)t) != 0) {
            fprintf(stderr, "bench_stress: pthread_create failed\n");
            return 1;
        }
    for (long t = 0; t < n_threads; t++)
        pthread_join(th[t], NULL);
    long total = 0;
    for (long i = 0; i < n_locks; i++)
        total += counters[i];
    long done = 2 * iterations_per_thread * n_threads;
    if (total != done / 2) {
        fprintf(stderr, "bench_stress: counted %ld pairs, expected %ld\n", total, done / 2);
        return 1;
    }
    long taken = iterations_per_thread * n_threads < n_edges ? iterations_per_thread * n_threads : n_edges;
    printf("locks %ld edges %ld acquisitions %ld\n", n_locks, taken, done);
    for (long i = 0; i < n_locks; i++)
        pthread_mutex_destroy(&locks[i]);
    free(locks);
    free((void *)counters);
    free(th);
    return 0;
}
