/* bias_handover.c: shared variables handed from the thread that made them to a second thread while the
 * first is still using them (the runtime's biased ownership, instrument/shared.c).
 *
 * For each of VARS variables, T1 makes it with its first racelab_add and keeps adding 1; T2 waits until
 * T1 is well into that variable (a plain C11 atomic progress counter, not a shared variable), then adds
 * 1 as many times, concurrently with T1. racelab performs each add under the variable's own protection
 * (the bias owner's handshake, then the spin lock once the bias is revoked): if both threads were ever
 * inside at once, an add would be lost and the totals would be wrong.
 * Expect: no findings (atomic adds neither race nor lose updates); "total X of X", exit status 0 (1 if
 * any variable's total is off).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "racelab.h"

enum { VARS = 1000, ADDS = 400 };

static racelab_shared vars[VARS];
static atomic_int progress[VARS]; /* T1's adds to each variable so far */

static void *first(void *arg)
{
    (void)arg;
    for (int i = 0; i < VARS; i++)
        for (int k = 0; k < ADDS; k++) {
            racelab_add(&vars[i], 1);
            atomic_store_explicit(&progress[i], k + 1, memory_order_release);
        }
    return NULL;
}

static void *second(void *arg)
{
    (void)arg;
    for (int i = 0; i < VARS; i++) {
        while (atomic_load_explicit(&progress[i], memory_order_acquire) < ADDS / 8)
            sched_yield();
        for (int k = 0; k < ADDS; k++)
            racelab_add(&vars[i], 1);
    }
    return NULL;
}

int main(void)
{
    static char names[VARS][16];
    for (int i = 0; i < VARS; i++) {
        snprintf(names[i], sizeof names[i], "v%d", i);
        vars[i] = (racelab_shared)RACELAB_SHARED_INIT(names[i], 0);
    }
    pthread_t a, b;
    pthread_create(&a, NULL, first, NULL);
    pthread_create(&b, NULL, second, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    long total = 0;
    int wrong = 0;
    for (int i = 0; i < VARS; i++) {
        long v = racelab_load(&vars[i]);
        total += v;
        wrong += v != 2 * ADDS;
    }
    printf("total %ld of %d\n", total, 2 * ADDS * VARS);
    return wrong ? 1 : 0;
}
