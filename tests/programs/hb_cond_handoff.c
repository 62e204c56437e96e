/* hb_cond_handoff.c (trap): a value handed over with a flag, a mutex and a condition variable.
 *
 * The producer stores 42 into the shared variable `x` with no lock held, then, holding `lock`, sets
 * the shared flag `ready` and signals `changed`. The consumer, holding `lock`, waits on `changed` in a
 * while loop until `ready` is set, unlocks, and only then loads `x` (outside the mutex). The
 * producer's unlock happens before the consumer's (re)lock, so the store to x happens before the load
 * on every schedule, whoever runs first: no data race, and `ready` is only touched under `lock`.
 * Expect: no findings; exit status 0 (1 if the consumer saw anything but 42).
 */
#include <pthread.h>
#include <stdio.h>

#include "racelab.h"

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);
static racelab_shared ready = RACELAB_SHARED_INIT("ready", 0); /* guarded by lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long seen; /* what the consumer loaded; read by main after joining it */

static void *producer(void *arg)
{
    (void)arg;
    racelab_store(&x, 42);
    pthread_mutex_lock(&lock);
    racelab_store(&ready, 1);
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (racelab_load(&ready) == 0)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    seen = racelab_load(&x);
    return NULL;
}

int main(void)
{
    pthread_t p, c;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    if (seen != 42) {
        fprintf(stderr, "hb_cond_handoff: consumer saw %ld, expected 42\n", seen);
        return 1;
    }
    return 0;
}
