/* plant_cycle.h: for test programs that need one lock-order cycle and nothing else: two threads, one
 * after the other, take lock_a -> lock_b and then lock_b -> lock_a. It can never deadlock (they never
 * overlap), so racelab reports exactly one potential deadlock, on lock_a and lock_b. Header-only: the
 * programs stay single files. */
#ifndef RACELAB_TEST_PLANT_CYCLE_H
#define RACELAB_TEST_PLANT_CYCLE_H

#include <pthread.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a); /* the opposite order */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void plant_lock_order_cycle(void)
{
    pthread_t t;
    pthread_create(&t, NULL, a_then_b, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, b_then_a, NULL);
    pthread_join(t, NULL);
}

#endif
