/* spin_deadlock.c: a real ABBA deadlock on spinlocks.
 *
 * Two threads each take one spinlock, meet at a barrier (so both hold their first), then spin for
 * the other's. Spinning threads never sleep, but racelab marks a spinning lock as a blocked wait:
 * the watchdog sees the cycle and ends the program instead of letting it spin forever.
 * Expect: findings {deadlock, potential-deadlock}; ended by racelab with status 66.
 */
#include <pthread.h>

static pthread_spinlock_t left_spin, right_spin;
static pthread_barrier_t both_hold_one;

static void *left_then_right(void *arg)
{
    (void)arg;
    pthread_spin_lock(&left_spin);
    pthread_barrier_wait(&both_hold_one);
    pthread_spin_lock(&right_spin);
    pthread_spin_unlock(&right_spin);
    pthread_spin_unlock(&left_spin);
    return NULL;
}

static void *right_then_left(void *arg)
{
    (void)arg;
    pthread_spin_lock(&right_spin);
    pthread_barrier_wait(&both_hold_one);
    pthread_spin_lock(&left_spin);
    pthread_spin_unlock(&left_spin);
    pthread_spin_unlock(&right_spin);
    return NULL;
}

int main(void)
{
    pthread_spin_init(&left_spin, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&right_spin, PTHREAD_PROCESS_PRIVATE);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_t a, b;
    pthread_create(&a, NULL, left_then_right, NULL);
    pthread_create(&b, NULL, right_then_left, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
