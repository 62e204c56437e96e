/* philosophers.c: reference solution. Every philosopher picks up the lower-numbered of its two forks
 * first. The last philosopher's forks are forks[n-1] and forks[0], so it takes forks[0] first, against
 * the direction of everyone else: the lock order has no cycle, and nobody can wait for ever. */
#include "philosophers.h"

void pick_up_forks(int i)
{
    int left = i, right = (i + 1) % philosophers;
    int first = left < right ? left : right, second = left < right ? right : left;
    pthread_mutex_lock(&forks[first]);
    pthread_mutex_lock(&forks[second]);
}

void put_down_forks(int i)
{
    pthread_mutex_unlock(&forks[(i + 1) % philosophers]);
    pthread_mutex_unlock(&forks[i]);
}
