/* static_init.c (trap): statically initialised mutexes used correctly.
 *
 * lock_a and lock_b come from PTHREAD_MUTEX_INITIALIZER, with no pthread_mutex_init() call for the
 * runtime to see. Two threads take lock_a then lock_b, 1000 times each, at the same time: one order,
 * no cycle, every lock released.
 * Expect: no findings; exit status 0.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static long pairs; /* guarded by lock_b */

static void *a_then_b(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&lock_a);
        pthread_mutex_lock(&lock_b);
        pairs++;
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, a_then_b, NULL);
    pthread_create(&t2, NULL, a_then_b, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    if (pairs != 2000) {
        fprintf(stderr, "static_init: %ld pairs, expected 2000\n", pairs);
        return 1;
    }
    return 0;
}
