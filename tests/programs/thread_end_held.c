/* thread_end_held.c: threads that end holding a lock by pthread_exit and as detached threads.
 *
 * leaves_by_exit (joinable) locks `exit_lock` and calls pthread_exit() from a nested function.
 * Four detached threads lock and unlock `work_lock` correctly; a fifth detached thread returns holding
 * `detached_lock`. Main cannot join detached threads: each sets a thread-specific value whose
 * destructor posts `ended` (destructors run after the start routine has returned and racelab has
 * done its end-of-thread check), and main waits for all five posts.
 * Expect: findings {held-at-exit}, exactly two: exit_lock and detached_lock; exit status 0 (racelab: 66).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t exit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t detached_lock = PTHREAD_MUTEX_INITIALIZER;
static long work; /* guarded by work_lock */
static pthread_key_t end_marker;
static sem_t ended;

static void post_ended(void *value)
{
    (void)value;
    sem_post(&ended);
}

static void give_up(void)
{
    pthread_exit(NULL);
}

static void *leaves_by_exit(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&exit_lock);
    give_up();
    return NULL;
}

static void *detached_worker(void *arg)
{
    pthread_setspecific(end_marker, arg);
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&work_lock);
        work++;
        pthread_mutex_unlock(&work_lock);
    }
    return NULL;
}

static void *detached_leaker(void *arg)
{
    pthread_setspecific(end_marker, arg);
    pthread_mutex_lock(&detached_lock);
    return NULL;
}

int main(void)
{
    pthread_key_create(&end_marker, post_ended);
    sem_init(&ended, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, leaves_by_exit, NULL);
    pthread_join(t, NULL);

    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    static int marker = 1;
    for (int i = 0; i < 4; i++)
        pthread_create(&t, &detached, detached_worker, &marker);
    pthread_create(&t, &detached, detached_leaker, &marker);
    pthread_attr_destroy(&detached);
    for (int i = 0; i < 5; i++)
        while (sem_wait(&ended) != 0)
            ;
    pthread_mutex_lock(&work_lock);
    long done = work;
    pthread_mutex_unlock(&work_lock);
    printf("work %ld\n", done);
    return done == 4000 ? 0 : 1;
}
