/* philosophers.c, another correct solution: the forks in a fixed order (lower number first), plus a
 * waiter, a semaphore that lets at most n - 1 philosophers reach for forks at once. (A waiter alone,
 * with every philosopher taking the left fork first, cannot deadlock either, but the lock order still
 * has the cycle round the table, and racelab, like the kernel's lockdep, judges the order: it reports
 * the cycle. `racelab confirm` would show that the cycle cannot close.) */
#include <semaphore.h>

#include "philosophers.h"

static sem_t seats;
static pthread_once_t seats_once = PTHREAD_ONCE_INIT;

static void open_seats(void)
{
    sem_init(&seats, 0, (unsigned)(philosophers - 1));
}

void pick_up_forks(int i)
{
    pthread_once(&seats_once, open_seats);
    sem_wait(&seats);
    int left = i, right = (i + 1) % philosophers;
    pthread_mutex_lock(&forks[left < right ? left : right]);
    pthread_mutex_lock(&forks[left < right ? right : left]);
}

void put_down_forks(int i)
{
    pthread_mutex_unlock(&forks[(i + 1) % philosophers]);
    pthread_mutex_unlock(&forks[i]);
    sem_post(&seats);
}
