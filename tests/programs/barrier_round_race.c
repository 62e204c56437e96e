/* barrier_round_race.c (race): two threads meet at a barrier twice; between the two rounds T1 writes x
 * and T2 reads it, with nothing ordering the two.
 *
 * The race is there in every run, whichever thread leaves the first round first. racelab used to keep
 * one happens-before clock for all of a barrier's rounds: when T1 left round 1, wrote x and arrived
 * at round 2 before T2 had left round 1, T2's departure picked up T1's arrival at round 2, a false
 * ordering of the write before the read (missed under serial seeds 4 and 8, and in native runs).
 * Expect: exactly one data race on x (read-write or write-read); exit status 0.
 */
#include <pthread.h>

#include "racelab.h"

static pthread_barrier_t rounds;
static racelab_shared x = RACELAB_SHARED_INIT("x", 0);

static void *writer(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&rounds);
    racelab_store(&x, 1);
    pthread_barrier_wait(&rounds);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&rounds);
    long seen = racelab_load(&x);
    pthread_barrier_wait(&rounds);
    return (void *)seen;
}

int main(void)
{
    pthread_t w, r;
    pthread_barrier_init(&rounds, NULL, 2);
    pthread_create(&w, NULL, writer, NULL);
    pthread_create(&r, NULL, reader, NULL);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    pthread_barrier_destroy(&rounds);
    return 0;
}
