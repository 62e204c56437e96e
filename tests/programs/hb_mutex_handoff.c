/* hb_mutex_handoff.c (trap): two threads increment a shared variable, always inside one mutex.
 *
 * Each of two threads does ITERATIONS times: lock `lock`, load x, store x + 1, unlock. main reads the
 * total after joining both, also holding `lock`, so every access to x, main's included, holds the same
 * mutex: no data race (happens-before), an unbroken lockset {lock} (Eraser) and no lost update.
 * Expect: no findings, with or without --lockset; exit status 0 (1 if the total is not exact).
 */
#include <pthread.h>
#include <stdio.h>

#include "racelab.h"

enum { ITERATIONS = 500 };

static racelab_shared x = RACELAB_SHARED_INIT("x", 0); /* guarded by lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *increment(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERATIONS; i++) {
        pthread_mutex_lock(&lock);
        long v = racelab_load(&x);
        racelab_store(&x, v + 1);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, increment, NULL);
    pthread_create(&b, NULL, increment, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_mutex_lock(&lock);
    long got = racelab_load(&x);
    pthread_mutex_unlock(&lock);
    if (got != 2 * ITERATIONS) {
        fprintf(stderr, "hb_mutex_handoff: x is %ld, expected %d\n", got, 2 * ITERATIONS);
        return 1;
    }
    return 0;
}
