/* hb_sem_trywait_handoff.c (trap): hb_sem_handoff with the reader polling sem_trywait instead of
 * waiting in sem_wait.
 *
 * A successful sem_trywait takes the writer's post just as sem_wait does, so the store to `x` happens
 * before the reader's load: no data race. Under `--schedule serial` and `pct` the polling loop must
 * also give the writer its turn (a try is a point of the schedule), or the run never ends.
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
    while (sem_trywait(&ready) != 0)
        ; /* not posted yet (or interrupted): try again */
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
        fprintf(stderr, "hb_sem_trywait_handoff: reader saw %ld, expected 42\n", seen);
        return 1;
    }
    return 0;
}
