/* race_read_write.c (finding): one thread loads a shared variable while another stores to it.
 *
 * T1 loads `x`, T2 stores 7 into it; nothing orders the two (main creates both before joining
 * either, and main does not touch x). If the load comes first the race is "read-write" (a write after
 * an unordered read), if the store comes first "write-read"; either way there is exactly one race.
 * Expect: exactly one finding, data-race on x with "race" "read-write" or "write-read"; exit status 0.
 */
#include <pthread.h>

#include "racelab.h"

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);

static void *load(void *arg)
{
    (void)arg;
    (void)racelab_load(&x);
    return NULL;
}

static void *store(void *arg)
{
    (void)arg;
    racelab_store(&x, 7);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, load, NULL);
    pthread_create(&b, NULL, store, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
