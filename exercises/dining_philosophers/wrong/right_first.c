/* philosophers.c, WRONG: every philosopher picks up the RIGHT fork first. That only turns the cycle
 * round the table the other way: if all pick up their right fork at once, all wait for ever. */
#include "philosophers.h"

void pick_up_forks(int i)
{
    pthread_mutex_lock(&forks[(i + 1) % philosophers]);
    pthread_mutex_lock(&forks[i]);
}

void put_down_forks(int i)
{
    pthread_mutex_unlock(&forks[i]);
    pthread_mutex_unlock(&forks[(i + 1) % philosophers]);
}
