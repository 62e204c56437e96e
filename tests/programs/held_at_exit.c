/* held_at_exit.c: a thread returns while it still holds a mutex.
 *
 * The worker locks and forgets to unlock; main joins it and exits normally (nobody else wants the
 * mutex, so nothing hangs).
 * Expect: findings {held-at-exit}; exit status 0 (racelab: 66).
 */
#include <pthread.h>

static pthread_mutex_t forgotten_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&forgotten_lock);
    return NULL; /* the bug: returns still holding forgotten_lock */
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    return 0;
}
