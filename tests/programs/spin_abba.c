/* spin_abba.c: two spinlocks taken in opposite orders by two threads that never overlap.
 *
 * first_thread takes spin_a then spin_b; after it is joined, second_thread takes spin_b then spin_a.
 * This run cannot deadlock (the threads run one after the other), but the orders form a cycle that
 * could: spinlocks take part in the lock-order graph like mutexes.
 * Expect: findings {potential-deadlock} on spin_a and spin_b; exit status 0 (racelab: 66).
 */
#include <pthread.h>

static pthread_spinlock_t spin_a, spin_b;
static long shared_total; /* guarded by both */

static void *first_thread(void *arg)
{
    (void)arg;
    pthread_spin_lock(&spin_a);
    pthread_spin_lock(&spin_b);
    shared_total++;
    pthread_spin_unlock(&spin_b);
    pthread_spin_unlock(&spin_a);
    return NULL;
}

static void *second_thread(void *arg)
{
    (void)arg;
    pthread_spin_lock(&spin_b);
    pthread_spin_lock(&spin_a);
    shared_total++;
    pthread_spin_unlock(&spin_a);
    pthread_spin_unlock(&spin_b);
    return NULL;
}

int main(void)
{
    pthread_spin_init(&spin_a, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&spin_b, PTHREAD_PROCESS_PRIVATE);
    pthread_t t;
    pthread_create(&t, NULL, first_thread, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, second_thread, NULL);
    pthread_join(t, NULL);
    pthread_spin_destroy(&spin_a);
    pthread_spin_destroy(&spin_b);
    return shared_total == 2 ? 0 : 1;
}
