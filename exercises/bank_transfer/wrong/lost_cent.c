/* bank.c, WRONG: the locking is right (id order), but the credit is computed from the amount in
 * whole dimes (amount / 10 * 10): every transfer of less than 10 cents loses money. */
#include "bank.h"

void transfer(struct account *from, struct account *to, long amount)
{
    struct account *first = from->id < to->id ? from : to;
    struct account *second = from->id < to->id ? to : from;
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    racelab_store(&from->balance, racelab_load(&from->balance) - amount);
    racelab_store(&to->balance, racelab_load(&to->balance) + amount / 10 * 10);
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
}
