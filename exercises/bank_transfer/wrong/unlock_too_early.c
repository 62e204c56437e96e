/* bank.c, WRONG: takes the locks in id order (no deadlock), but gives `to` back its lock before
 * crediting it. The credit is then a read-modify-write that another thread can interleave with:
 * money is lost. */
#include "bank.h"

void transfer(struct account *from, struct account *to, long amount)
{
    struct account *first = from->id < to->id ? from : to;
    struct account *second = from->id < to->id ? to : from;
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    racelab_store(&from->balance, racelab_load(&from->balance) - amount);
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
    racelab_store(&to->balance, racelab_load(&to->balance) + amount);
}
