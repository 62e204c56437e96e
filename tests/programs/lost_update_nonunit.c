/* lost_update_nonunit.c (finding): lost updates of an increment other than 1.
 *
 * Two threads each add STEP (3) to the shared variable `x` ITERATIONS (50) times, as a load then a
 * store with no lock, after meeting at a start line. An update is lost when a thread stores a value
 * computed from a stale load; every update is worth 3, so what is lost is a multiple of 3. The program
 * prints "expected E, got A (lost L)" with E = 2 * ITERATIONS * STEP = 300.
 * Expect: a data-race on x; a lost-update finding whenever A < 300, with lost == E - A; exit status 0.
 */
#include <pthread.h>
#include <stdio.h>

#include "racelab.h"

enum { ITERATIONS = 50, STEP = 3 };

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);
static pthread_barrier_t start_line; /* both threads start adding together */

static void *add(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < ITERATIONS; i++) {
        long v = racelab_load(&x);
        racelab_store(&x, v + STEP);
    }
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&start_line, NULL, 2);
    pthread_t a, b;
    pthread_create(&a, NULL, add, NULL);
    pthread_create(&b, NULL, add, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_barrier_destroy(&start_line);
    long expected = 2L * ITERATIONS * STEP;
    long got = racelab_load(&x);
    printf("expected %ld, got %ld (lost %ld)\n", expected, got, expected - got);
    return 0;
}
