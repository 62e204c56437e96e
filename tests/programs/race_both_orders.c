/* race_both_orders.c (race): one racy pair of call sites seen in both orders.
 *
 * main loads `x` 100 times in a loop (one call site) while a thread stores to it once (another call
 * site). Loads before the store race with it as read-then-write, loads after it as write-then-read:
 * still one pair of call sites on one variable, reported once.
 * Expect: exactly one data race on x (read-write or write-read); exit status 0.
 */
#include <pthread.h>

#include "racelab.h"

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);

static void *writer(void *arg)
{
    (void)arg;
    racelab_store(&x, 1);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    long seen = 0;
    for (int i = 0; i < 100; i++)
        seen += racelab_load(&x);
    pthread_join(t, NULL);
    return seen < 0;
}
