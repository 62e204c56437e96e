/* three_cycle.c: a lock-order cycle through three locks and three threads, kept apart.
 *
 * Thread 0 takes lock_a then lock_b, thread 1 lock_b then lock_c, thread 2 lock_c then lock_a. No two
 * threads share an inverted pair, yet together they close lock_a -> lock_b -> lock_c -> lock_a. All
 * three are alive together; a barrier gives each its own turn (thread k works after k barrier
 * phases), so this run always finishes.
 * Expect: findings {potential-deadlock}, one of them, its cycle exactly {lock_a, lock_b, lock_c};
 * exit status 0 (racelab: 66).
 */
#include <pthread.h>

enum { THREADS = 3 };

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_c = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *const order[THREADS][2] = {
    {&lock_a, &lock_b},
    {&lock_b, &lock_c},
    {&lock_c, &lock_a},
};
static pthread_barrier_t turn; /* THREADS - 1 phases; thread k works after k of them */

static void *worker(void *arg)
{
    long me = (long)arg;
    for (long phase = 0; phase < THREADS; phase++) {
        if (phase == me) {
            pthread_mutex_lock(order[me][0]);
            pthread_mutex_lock(order[me][1]);
            pthread_mutex_unlock(order[me][1]);
            pthread_mutex_unlock(order[me][0]);
        }
        if (phase < THREADS - 1)
            pthread_barrier_wait(&turn);
    }
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&turn, NULL, THREADS);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (long i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&turn);
    return 0;
}
