/* philosophers.c, WRONG: one table lock, held from pick_up_forks() to put_down_forks(). Nobody can
 * deadlock, but only one philosopher ever eats at a time, though two who are not neighbours could. */
#include "philosophers.h"

static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;

void pick_up_forks(int i)
{
    pthread_mutex_lock(&table);
    pthread_mutex_lock(&forks[i]);
    pthread_mutex_lock(&forks[(i + 1) % philosophers]);
}

void put_down_forks(int i)
{
    pthread_mutex_unlock(&forks[(i + 1) % philosophers]);
    pthread_mutex_unlock(&forks[i]);
    pthread_mutex_unlock(&table);
}
