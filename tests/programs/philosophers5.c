/* philosophers5.c: five dining philosophers, each picking up the left fork and then the right one.
 *
 * Philosopher i locks forks[i], then forks[(i + 1) % 5]. If all five lifted their left fork at once,
 * all would wait for ever; here a barrier gives each philosopher its own turn (philosopher i eats
 * after i barrier phases), so this run always finishes. The order graph has the 5-lock cycle
 * forks[0] -> forks[1] -> ... -> forks[4] -> forks[0].
 * Expect: findings {potential-deadlock}, one of them, with 5 locks named forks[0] .. forks[4];
 * exit status 0 (racelab: 66).
 */
#include <pthread.h>

enum { PHILOSOPHERS = 5 };

static pthread_mutex_t forks[PHILOSOPHERS];
static pthread_barrier_t turn; /* PHILOSOPHERS - 1 phases; philosopher i eats after i of them */

static void *philosopher(void *arg)
{
    long me = (long)arg;
    pthread_mutex_t *left = &forks[me];
    pthread_mutex_t *right = &forks[(me + 1) % PHILOSOPHERS];
    for (long phase = 0; phase < PHILOSOPHERS; phase++) {
        if (phase == me) {
            pthread_mutex_lock(left);
            pthread_mutex_lock(right);
            pthread_mutex_unlock(right);
            pthread_mutex_unlock(left);
        }
        if (phase < PHILOSOPHERS - 1)
            pthread_barrier_wait(&turn);
    }
    return NULL;
}

int main(void)
{
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_init(&forks[i], NULL);
    pthread_barrier_init(&turn, NULL, PHILOSOPHERS);
    pthread_t t[PHILOSOPHERS];
    for (long i = 0; i < PHILOSOPHERS; i++)
        pthread_create(&t[i], NULL, philosopher, (void *)i);
    for (long i = 0; i < PHILOSOPHERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&turn);
    return 0;
}
