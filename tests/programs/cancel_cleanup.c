/* cancel_cleanup.c (trap): threads cancelled at cancellation points, their cleanup handlers
 * releasing the mutex they hold.
 *
 * in_cond_wait:  locks cond_lock, waits on a condition variable nobody signals. Cancelled there, it
 *                gets cond_lock back (POSIX) and its cleanup handler unlocks it.
 * in_sem_wait:   locks sem_lock, waits on a semaphore nobody posts; cancelled, its cleanup handler
 *                unlocks sem_lock.
 * in_join:       locks join_lock, joins a thread that waits for main; cancelled, its cleanup
 *                handler unlocks join_lock.
 * Main cancels each, joins it (PTHREAD_CANCELED), then takes and releases each mutex (it was really
 * released). racelab's held-lock bookkeeping must follow: no held-at-exit, no unlock-unlocked.
 * Expect: no findings; exit status 0.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sem_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t join_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_signalled = PTHREAD_COND_INITIALIZER;
static sem_t never_posted, entered, release_sleeper;
static int cond_waiting; /* guarded by cond_lock */
static pthread_t sleeper;

static void unlock_it(void *m) { pthread_mutex_unlock(m); }

static void *in_cond_wait(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cond_lock);
    pthread_cleanup_push(unlock_it, &cond_lock);
    cond_waiting = 1;
    for (;;)
        pthread_cond_wait(&never_signalled, &cond_lock);
    pthread_cleanup_pop(1);
    return NULL;
}

static void *in_sem_wait(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&sem_lock);
    pthread_cleanup_push(unlock_it, &sem_lock);
    sem_post(&entered);
    while (sem_wait(&never_posted) != 0)
        ;
    pthread_cleanup_pop(1);
    return NULL;
}

static void *sleep_until_released(void *arg)
{
    (void)arg;
    while (sem_wait(&release_sleeper) != 0)
        ;
    return NULL;
}

static void *in_join(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&join_lock);
    pthread_cleanup_push(unlock_it, &join_lock);
    sem_post(&entered);
    pthread_join(sleeper, NULL);
    pthread_cleanup_pop(1);
    return NULL;
}

static int cancel_and_join(pthread_t t, const char *what)
{
    void *ret = NULL;
    pthread_cancel(t);
    pthread_join(t, &ret);
    if (ret != PTHREAD_CANCELED) {
        fprintf(stderr, "cancel_cleanup: %s was not cancelled\n", what);
        return 1;
    }
    return 0;
}

static void lock_and_unlock(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
}

int main(void)
{
    int bad = 0;
    sem_init(&never_posted, 0, 0);
    sem_init(&entered, 0, 0);
    sem_init(&release_sleeper, 0, 0);

    pthread_t t;
    pthread_create(&t, NULL, in_cond_wait, NULL);
    pthread_mutex_lock(&cond_lock);
    while (!cond_waiting) { /* set under the mutex, which the thread gives up only inside the wait */
        pthread_mutex_unlock(&cond_lock);
        sched_yield();
        pthread_mutex_lock(&cond_lock);
    }
    pthread_mutex_unlock(&cond_lock);
    bad |= cancel_and_join(t, "the condition waiter");
    lock_and_unlock(&cond_lock);

    pthread_create(&t, NULL, in_sem_wait, NULL);
    sem_wait(&entered);
    bad |= cancel_and_join(t, "the semaphore waiter");
    lock_and_unlock(&sem_lock);

    pthread_create(&sleeper, NULL, sleep_until_released, NULL);
    pthread_create(&t, NULL, in_join, NULL);
    sem_wait(&entered);
    bad |= cancel_and_join(t, "the joiner");
    lock_and_unlock(&join_lock);
    sem_post(&release_sleeper);
    pthread_join(sleeper, NULL);
    return bad;
}
