/* hb_join_handoff.c (trap): a value handed to a thread by creating it and back by joining it.
 *
 * main stores 41 into the shared variable `x` before pthread_create; the thread loads x and stores
 * x + 1; main joins the thread and then loads x. Creating a thread orders everything its creator did
 * before it, and joining orders everything the thread did before what follows the join, so the three
 * threads' accesses are totally ordered: no data race and no lost update.
 * Expect: no findings; exit status 0 (1 if main does not read 42 back).
 */
#include <pthread.h>
#include <stdio.h>

#include "racelab.h"

static racelab_shared x = RACELAB_SHARED_INIT("x", 0);

static void *bump(void *arg)
{
    (void)arg;
    long v = racelab_load(&x);
    racelab_store(&x, v + 1);
    return NULL;
}

int main(void)
{
    racelab_store(&x, 41);
    pthread_t t;
    pthread_create(&t, NULL, bump, NULL);
    pthread_join(t, NULL);
    long got = racelab_load(&x);
    if (got != 42) {
        fprintf(stderr, "hb_join_handoff: x is %ld after the join, expected 42\n", got);
        return 1;
    }
    return 0;
}
