/* hb_barrier_handoff.c (trap): a value handed over through a barrier.
 *
 * Two threads meet at a two-party barrier. The writer stores 42 into the shared variable `x` before
 * the barrier; the reader loads x after it. Nobody leaves a barrier before everybody has arrived, so
 * what each thread did before the barrier happens before what any thread does after it: the store
 * happens before the load on every schedule, and there is no data race.
 * Expect: no findings; exit status 0 (1 if the reader saw anything but 42).
 */
#include <pthread.h>
#include <stdio.h>

#include "racelab.h"

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);
static pthread_barrier_t meet; /* both threads, once */
static long seen;              /* what the reader loaded; read by main after joining it */

static void *writer(void *arg)
{
    (void)arg;
    racelab_store(&x, 42);
    pthread_barrier_wait(&meet);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&meet);
    seen = racelab_load(&x);
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&meet, NULL, 2);
    pthread_t w, r;
    pthread_create(&r, NULL, reader, NULL);
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    pthread_barrier_destroy(&meet);
    if (seen != 42) {
        fprintf(stderr, "hb_barrier_handoff: reader saw %ld, expected 42\n", seen);
        return 1;
    }
    return 0;
}
