/* race_write_write.c (finding): two threads each store to a shared variable once, unsynchronised.
 *
 * T1 stores 1 into `x` and T2 stores 2; nothing orders the two stores (main creates both threads
 * before either is joined, and neither loads x), so whichever runs second races with the first: a
 * write-write data race whatever the timing, even when one thread has finished before the other
 * starts. main does not touch x.
 * Expect: exactly one finding, data-race with "race": "write-write" on x; exit status 0.
 */
#include <pthread.h>
#include <stdint.h>

#include "racelab.h"

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);

static void *store(void *arg)
{
    racelab_store(&x, (long)(intptr_t)arg);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, store, (void *)(intptr_t)1);
    pthread_create(&b, NULL, store, (void *)(intptr_t)2);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
