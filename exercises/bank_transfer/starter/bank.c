/* bank.c: YOUR FILE. Fix transfer() so that it can never deadlock.
 *
 * transfer() locks the account it takes money from, then the account it gives money to. When one
 * thread transfers from A to B while another transfers from B to A, each can hold its first lock and
 * wait for the other's: a deadlock. racelab reports the lock-order cycle even in runs where the
 * deadlock did not happen. Make every thread take the locks in the same order, without serialising
 * the whole bank behind one lock.
 *
 * Check your work:  racelab check exercises/bank_transfer
 */
#include "bank.h"

void transfer(struct account *from, struct account *to, long amount)
{
    pthread_mutex_lock(&from->lock);
    pthread_mutex_lock(&to->lock);
    racelab_store(&from->balance, racelab_load(&from->balance) - amount);
    racelab_store(&to->balance, racelab_load(&to->balance) + amount);
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
}
