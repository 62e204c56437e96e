/* philosophers.c, WRONG: the ordering is right, but only the lower-numbered fork is kept: the second
 * one is put back at once ("it is only needed to check that it is free"). A philosopher then eats with
 * one fork, while the neighbour may be holding the other. */
#include "philosophers.h"

void pick_up_forks(int i)
{
    int left = i, right = (i + 1) % philosophers;
    int first = left < right ? left : right, second = left < right ? right : left;
    pthread_mutex_lock(&forks[first]);
    pthread_mutex_lock(&forks[second]);
    pthread_mutex_unlock(&forks[second]);
}

void put_down_forks(int i)
{
    int left = i, right = (i + 1) % philosophers;
    pthread_mutex_unlock(&forks[left < right ? left : right]);
}
