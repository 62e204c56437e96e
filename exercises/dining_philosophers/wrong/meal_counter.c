/* philosophers.c, WRONG: the fork order is right, but pick_up_forks() also counts every meal in a
 * plain static counter, without a lock: philosophers who are not neighbours update it at the same
 * time. A data race on plain memory, which racelab's own checker does not watch but ThreadSanitizer
 * does. */
#include "philosophers.h"

static long meals_served;

void pick_up_forks(int i)
{
    int left = i, right = (i + 1) % philosophers;
    int first = left < right ? left : right, second = left < right ? right : left;
    pthread_mutex_lock(&forks[first]);
    pthread_mutex_lock(&forks[second]);
    meals_served++;
}

void put_down_forks(int i)
{
    pthread_mutex_unlock(&forks[(i + 1) % philosophers]);
    pthread_mutex_unlock(&forks[i]);
}
