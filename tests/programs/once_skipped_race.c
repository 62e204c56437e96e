/* once_skipped_race.c (race): one thread initialises `x` through pthread_once, another reads `x`
 * without calling pthread_once first.
 *
 * The once call orders the initialiser only before the returns of calls on the same control; the
 * reader makes none, so nothing orders its load after the store, whichever runs first. pthread_once
 * must not hide this race.
 * Expect: one data race on x (the store in init_x, the load in reader); exit status 0.
 */
#include <pthread.h>

#include "racelab.h"

static pthread_once_t x_once = PTHREAD_ONCE_INIT;
static racelab_shared x = RACELAB_SHARED_INIT("x", 0);

static void init_x(void) { racelab_store(&x, 1); }

static void *initialiser(void *arg)
{
    (void)arg;
    pthread_once(&x_once, init_x);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    return (void *)racelab_load(&x); /* no pthread_once(&x_once, ...) before it */
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, initialiser, NULL);
    pthread_create(&b, NULL, reader, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
