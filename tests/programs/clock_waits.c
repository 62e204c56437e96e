/* clock_waits.c: glibc's clock-based waits (pthread_mutex_clocklock, pthread_rwlock_clockrdlock /
 * clockwrlock, pthread_cond_clockwait, sem_clockwait) and the GNU joins (pthread_tryjoin_np,
 * pthread_timedjoin_np, pthread_clockjoin_np), all used correctly, with one lock-order inversion kept
 * apart. glibc implements these without calling pthread_mutex_lock & co., so unless racelab wraps
 * them itself a lock taken by pthread_mutex_clocklock looks unlocked when the program releases it.
 *
 * Thread 1 takes lock_a with pthread_mutex_clocklock, then lock_b, and posts a semaphore; thread 2
 * waits for it with sem_clockwait, then takes lock_b with pthread_mutex_clocklock, then lock_a: the
 * order graph has the cycle (its edges start at the locks the clocklocks took, so racelab must know
 * those are held; the second locks are plain waits for ever, since a timed one gives up and closes no
 * deadlock), and the run never deadlocks. A clocklock on a lock main holds times out; a
 * condition variable hands a flag over with pthread_cond_clockwait; an rwlock is taken both ways with
 * the clock functions. The program checks every result itself and exits 1 if any is wrong.
 * Expect: findings {potential-deadlock}, one, its cycle exactly {lock_a, lock_b}; exit status 0
 * (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t held_by_main = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flag_set = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t table = PTHREAD_RWLOCK_INITIALIZER;
static sem_t thread1_done;
static int flag;
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "clock_waits: %s\n", what);
        __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    }
}

/* now + ms on CLOCK_MONOTONIC */
static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void *thread1(void *arg)
{
    (void)arg;
    struct timespec deadline = in_ms(10000);
    check(pthread_mutex_clocklock(&lock_a, CLOCK_MONOTONIC, &deadline) == 0, "clocklock lock_a");
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    sem_post(&thread1_done);
    return (void *)1;
}

static void *thread2(void *arg)
{
    (void)arg;
    struct timespec deadline = in_ms(10000);
    check(sem_clockwait(&thread1_done, CLOCK_MONOTONIC, &deadline) == 0, "sem_clockwait");
    check(pthread_mutex_clocklock(&lock_b, CLOCK_MONOTONIC, &deadline) == 0, "clocklock lock_b");
    pthread_mutex_lock(&lock_a);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return (void *)2;
}

static void *times_out(void *arg)
{
    (void)arg;
    struct timespec soon = in_ms(50);
    check(pthread_mutex_clocklock(&held_by_main, CLOCK_MONOTONIC, &soon) == ETIMEDOUT,
          "clocklock of a lock held elsewhere times out");
    return NULL;
}

static void *sets_flag(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&flag_lock);
    flag = 1;
    pthread_cond_signal(&flag_set);
    pthread_mutex_unlock(&flag_lock);
    return NULL;
}

int main(void)
{
    sem_init(&thread1_done, 0, 0);
    struct timespec deadline = in_ms(10000);

    check(pthread_rwlock_clockrdlock(&table, CLOCK_MONOTONIC, &deadline) == 0, "clockrdlock");
    check(pthread_rwlock_unlock(&table) == 0, "unlock after clockrdlock");
    check(pthread_rwlock_clockwrlock(&table, CLOCK_MONOTONIC, &deadline) == 0, "clockwrlock");
    check(pthread_rwlock_unlock(&table) == 0, "unlock after clockwrlock");

    pthread_mutex_lock(&held_by_main);
    pthread_t waiter;
    pthread_create(&waiter, NULL, times_out, NULL);
    check(pthread_clockjoin_np(waiter, NULL, CLOCK_MONOTONIC, &deadline) == 0, "clockjoin of the timing-out thread");
    pthread_mutex_unlock(&held_by_main);

    pthread_t setter;
    pthread_mutex_lock(&flag_lock);
    pthread_create(&setter, NULL, sets_flag, NULL);
    while (!flag)
        check(pthread_cond_clockwait(&flag_set, &flag_lock, CLOCK_MONOTONIC, &deadline) == 0, "cond_clockwait");
    pthread_mutex_unlock(&flag_lock);
    void *ret = NULL;
    while (pthread_tryjoin_np(setter, &ret) == EBUSY)
        sched_yield();

    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    wall.tv_sec += 10;
    check(pthread_timedjoin_np(t1, &ret, &wall) == 0 && ret == (void *)1, "timedjoin of thread 1");
    check(pthread_join(t2, &ret) == 0 && ret == (void *)2, "join of thread 2");
    sem_destroy(&thread1_done);
    return failures ? 1 : 0;
}
