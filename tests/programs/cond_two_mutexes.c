/* cond_two_mutexes.c: two threads wait on one condition variable with two different mutexes.
 *
 * POSIX binds a condition variable to one mutex for as long as anyone waits on it. Waiter 1 waits
 * with lock_1; only once it is surely waiting does main start waiter 2, which waits with lock_2.
 * Main then sets `go` and broadcasts; both wake and leave. Each waiter marks itself ready under its
 * own mutex just before waiting, and the wait releases that mutex, so once main can lock the mutex
 * and see the mark, the waiter is inside the wait. A 10 s timeout is only a safety net.
 * Expect: findings {cond-misuse}; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_cond_t wake_up = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t lock_1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_2 = PTHREAD_MUTEX_INITIALIZER;
static atomic_int go;

struct waiter {
    pthread_mutex_t *lock;
    int ready;      /* guarded by *lock: set just before waiting */
    int timed_out;  /* the safety net fired */
};

static void *wait_for_go(void *arg)
{
    struct waiter *w = arg;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;

    pthread_mutex_lock(w->lock);
    w->ready = 1;
    while (!atomic_load(&go) && !w->timed_out)
        w->timed_out = pthread_cond_timedwait(&wake_up, w->lock, &deadline) == ETIMEDOUT;
    pthread_mutex_unlock(w->lock);
    return NULL;
}

/* Returns once w is inside pthread_cond_timedwait (see the header comment). */
static void wait_until_waiting(struct waiter *w)
{
    for (;;) {
        pthread_mutex_lock(w->lock);
        int ready = w->ready;
        pthread_mutex_unlock(w->lock);
        if (ready)
            return;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
}

int main(void)
{
    struct waiter w1 = {.lock = &lock_1}, w2 = {.lock = &lock_2};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, wait_for_go, &w1);
    wait_until_waiting(&w1);
    pthread_create(&t2, NULL, wait_for_go, &w2); /* the bug: same cond, other mutex */
    wait_until_waiting(&w2);

    atomic_store(&go, 1);
    pthread_cond_broadcast(&wake_up);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    if (w1.timed_out || w2.timed_out) {
        fprintf(stderr, "cond_two_mutexes: a waiter was not woken by the broadcast\n");
        return 1;
    }
    return 0;
}
