/* bank.c, WRONG: keeps the inverted lock order and hides it behind one bank-wide lock taken around
 * every transfer. That cannot deadlock, but now no two transfers ever run at the same time, even on
 * four different accounts: the account locks are pointless and the bank is serialised. */
#include "bank.h"

static pthread_mutex_t bank_lock = PTHREAD_MUTEX_INITIALIZER;

void transfer(struct account *from, struct account *to, long amount)
{
    pthread_mutex_lock(&bank_lock);
    pthread_mutex_lock(&from->lock);
    pthread_mutex_lock(&to->lock);
    racelab_store(&from->balance, racelab_load(&from->balance) - amount);
    racelab_store(&to->balance, racelab_load(&to->balance) + amount);
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
    pthread_mutex_unlock(&bank_lock);
}
