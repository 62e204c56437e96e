/* bank.c: reference solution. Every thread locks the account with the lower id first, whatever the
 * direction of the transfer: the lock-order graph has edges only from lower to higher ids, so it has no
 * cycle, and no deadlock is possible. */
#include "bank.h"

void transfer(struct account *from, struct account *to, long amount)
{
    struct account *first = from->id < to->id ? from : to;
    struct account *second = from->id < to->id ? to : from;
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    racelab_store(&from->balance, racelab_load(&from->balance) - amount);
    racelab_store(&to->balance, racelab_load(&to->balance) + amount);
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
}
