/* hb_sem_handoff.c (trap): a value handed from one thread to another through a semaphore.
 *
 * The writer stores 42 into the shared variable `x`, then posts `ready`; the reader waits on `ready`
 * and only then loads `x`. The post happens before the wait returns, so the store happens before the
 * load on every schedule: there is no data race, however the threads are interleaved.
 * Expect: no findings; exit status 0 (1 if the reader saw anything but 42).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#include "racelab.h"

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);
static sem_t ready; /* posted once x holds its value */
static long seen;   /* what the reader loaded; read by main after joining it */

static void *writer(void *arg)
{
    (void)arg;
    racelab_store(&x, 42);
    sem_post(&ready);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    while (sem_wait(&ready) != 0)
        ; /* interrupted by a signal: wait again */
    seen = racelab_load(&x);
    return NULL;
}

int main(void)
{
    sem_init(&ready, 0, 0);
    pthread_t w, r;
    pthread_create(&r, NULL, reader, NULL);
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    sem_destroy(&ready);
    if (seen != 42) {
        fprintf(stderr, "hb_sem_handoff: reader saw %ld, expected 42\n", seen);
        return 1;
    }
    return 0;
}
