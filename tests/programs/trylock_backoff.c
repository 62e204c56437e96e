/* trylock_backoff.c (trap): the inverted order taken with trylock and back-off.
 *
 * Thread 1 takes lock_a then lock_b the normal way. Thread 2 takes lock_b, then only *tries* lock_a;
 * when lock_a is busy it unlocks lock_b, sleeps 1 ms and starts again. A trylock never waits, so
 * thread 2 never waits for lock_a while holding lock_b, and the cycle cannot deadlock.
 * With the argument "timed", thread 2 waits for lock_a with pthread_mutex_timedlock for at most 1 ms
 * instead of trying it: a timed lock gives up at its deadline, so it never waits for ever either
 * (ThreadSanitizer counts a timed lock as a trylock for the same reason).
 * Sequencing: thread 1 holds lock_a before thread 2 starts (barrier) and keeps it until thread 2 has
 * backed off at least once, so both the failing and the succeeding trylock happen on every run.
 * Expect: no findings; a suppressed-cycle note with reason "trylock" for {lock_a, lock_b};
 * exit status 0.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t a_is_held;
static atomic_int backoffs; /* times thread 2 found lock_a busy and let go of lock_b */
static int timed;           /* thread 2 uses pthread_mutex_timedlock; set before it starts */

static void sleep_1ms(void)
{
    nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
}

static void *thread1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_barrier_wait(&a_is_held);
    while (atomic_load(&backoffs) == 0)
        sleep_1ms();
    pthread_mutex_lock(&lock_b); /* thread 2 lets go of lock_b whenever its try (or timed lock) fails */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

/* lock_a without waiting for ever: a trylock, or a lock that gives up after 1 ms */
static int take_lock_a_or_give_up(void)
{
    if (!timed)
        return pthread_mutex_trylock(&lock_a);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 1000000;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    return pthread_mutex_timedlock(&lock_a, &deadline);
}

static void *thread2(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&a_is_held);
    for (;;) {
        pthread_mutex_lock(&lock_b);
        if (take_lock_a_or_give_up() == 0)
            break;
        pthread_mutex_unlock(&lock_b); /* back off: never wait for lock_a while holding lock_b */
        atomic_fetch_add(&backoffs, 1);
        sleep_1ms();
    }
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(int argc, char **argv)
{
    timed = argc > 1 && strcmp(argv[1], "timed") == 0;
    pthread_barrier_init(&a_is_held, NULL, 2);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_barrier_destroy(&a_is_held);
    if (atomic_load(&backoffs) == 0) {
        fprintf(stderr, "trylock_backoff: thread 2 never backed off\n");
        return 1;
    }
    return 0;
}
