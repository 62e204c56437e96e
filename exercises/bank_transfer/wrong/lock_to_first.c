/* bank.c, WRONG: locks the account it gives money to first, then the one it takes money from. That
 * only swaps which direction is "first": a transfer from A to B locks B then A, one from B to A locks
 * A then B, and the lock-order cycle (and the deadlock) are still there. */
#include "bank.h"

void transfer(struct account *from, struct account *to, long amount)
{
    pthread_mutex_lock(&to->lock);
    pthread_mutex_lock(&from->lock);
    racelab_store(&from->balance, racelab_load(&from->balance) - amount);
    racelab_store(&to->balance, racelab_load(&to->balance) + amount);
    pthread_mutex_unlock(&from->lock);
    pthread_mutex_unlock(&to->lock);
}
