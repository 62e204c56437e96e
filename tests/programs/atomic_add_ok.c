/* atomic_add_ok.c (trap): two threads add to a shared variable with the atomic racelab_add.
 *
 * Each thread calls racelab_add(&x, 1) ITERATIONS times with no lock. An atomic read-modify-write
 * cannot be split by another thread, so it neither races nor loses an update; main checks the total
 * after joining both threads.
 * Expect: no findings; exit status 0 (1 if the total is not 2 * ITERATIONS).
 */
#include <pthread.h>
#include <stdio.h>

#include "racelab.h"

enum { ITERATIONS = 1000 };

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);

static void *add(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERATIONS; i++)
        racelab_add(&x, 1);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, add, NULL);
    pthread_create(&b, NULL, add, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    long got = racelab_load(&x);
    printf("expected %d, got %ld\n", 2 * ITERATIONS, got);
    return got == 2 * ITERATIONS ? 0 : 1;
}
