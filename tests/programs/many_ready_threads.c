/* many_ready_threads.c (schedules at scale): N threads (default 300; argument 1) meet at a barrier,
 * so that all are alive and ready at once, then each takes one shared mutex 10 times around an
 * increment.
 *
 * Under --schedule serial every step hands the token to another thread. The scheduler used to wake
 * every waiting thread at every hand-over (one condition variable for all), so a run cost steps x
 * threads wake-ups: about 90 s for 300 threads, which took 0.05 s without racelab. Each thread now
 * waits on its own. The scheduler also chose among at most 256 ready threads.
 * Expect: no findings; exit status 0; the count printed is N x 10.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_barrier_t all_alive;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&all_alive);
    for (int i = 0; i < 10; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 300;
    if (n < 1 || n > 100000)
        return 2;
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    if (!threads)
        return 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_barrier_init(&all_alive, NULL, (unsigned)n);
    for (long i = 0; i < n; i++)
        if (pthread_create(&threads[i], &attr, worker, NULL) != 0)
            return 1;
    for (long i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    printf("%ld\n", counter);
    free(threads);
    return 0;
}
