/* bench_deadlock: a real deadlock whose moment of forming is known, for bench/run's report-latency
 * figure (item 7). Thread 1 takes lock_a, thread 2 takes lock_b; both meet at a barrier; each then
 * prints "formed <ns>" (CLOCK_MONOTONIC, on stderr, one write) right before asking for the other's
 * lock. The later of the two timestamps is when the deadlock formed. Without racelab it hangs for
 * ever; under `racelab run` the watchdog reports it and ends the process, so bench/run measures the
 * end of `racelab run` (report written) minus that timestamp.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER, lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_first;

static void stamp(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char line[64];
    int n = snprintf(line, sizeof line, "formed %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    if (write(STDERR_FILENO, line, (size_t)n) != n)
        _exit(1);
}

static void *one_way(void *arg)
{
    int first_a = arg != NULL;
    pthread_mutex_lock(first_a ? &lock_a : &lock_b);
    pthread_barrier_wait(&both_hold_first);
    stamp();
    pthread_mutex_lock(first_a ? &lock_b : &lock_a); /* never returns: the other thread holds it */
    pthread_mutex_unlock(first_a ? &lock_b : &lock_a);
    pthread_mutex_unlock(first_a ? &lock_a : &lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_barrier_init(&both_hold_first, NULL, 2);
    pthread_create(&t1, NULL, one_way, (void *)1);
    pthread_create(&t2, NULL, one_way, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
