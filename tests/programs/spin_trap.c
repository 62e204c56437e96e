/* spin_trap.c (trap): spinlocks used correctly.
 *
 * Four threads add to a counter under `counter_spin`, 10000 times each. Then each takes `dyn_spin`
 * and, with pthread_spin_trylock, `counter_spin`: the opposite order to main's at the end, but a
 * trylock never blocks, so that cycle cannot deadlock. Both are destroyed unlocked.
 * Expect: no findings; exit status 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_spinlock_t counter_spin;
static pthread_spinlock_t dyn_spin;
static long counter; /* guarded by counter_spin */
static long tries;   /* guarded by dyn_spin */

static void *adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000; i++) {
        pthread_spin_lock(&counter_spin);
        counter++;
        pthread_spin_unlock(&counter_spin);
    }
    pthread_spin_lock(&dyn_spin);
    while (pthread_spin_trylock(&counter_spin) == EBUSY) { /* dyn_spin then counter_spin, by trylock */
        pthread_spin_unlock(&dyn_spin);
        pthread_spin_lock(&dyn_spin);
    }
    tries++;
    pthread_spin_unlock(&counter_spin);
    pthread_spin_unlock(&dyn_spin);
    return NULL;
}

int main(void)
{
    pthread_spin_init(&counter_spin, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&dyn_spin, PTHREAD_PROCESS_PRIVATE);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    pthread_spin_lock(&counter_spin); /* counter_spin then dyn_spin: the other order, blocking */
    pthread_spin_lock(&dyn_spin);
    long c = counter, n = tries;
    pthread_spin_unlock(&dyn_spin);
    pthread_spin_unlock(&counter_spin);
    pthread_spin_destroy(&dyn_spin);
    pthread_spin_destroy(&counter_spin);
    printf("counter %ld, tries %ld\n", c, n);
    return c == 40000 && n == 4 ? 0 : 1;
}
