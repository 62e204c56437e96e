/* rlock.c: YOUR FILE. Implement a recursive lock on top of a plain mutex.
 *
 * For now rlock_lock() just locks the guard mutex, which is not recursive: the first time a thread
 * locks the rlock again (while holding it) it waits for itself for ever. Keep the owner and a count
 * in the struct (rlock.h): the owner may lock again (count + 1), other threads wait until the count
 * drops to 0, and only the owner may unlock (EPERM for anyone else).
 *
 * Check your work:  racelab check exercises/recursive_lock
 */
#include <errno.h>

#include "rlock.h"

void rlock_init(rlock *l)
{
    pthread_mutex_init(&l->guard, NULL);
    pthread_cond_init(&l->released, NULL);
    l->count = 0;
}

void rlock_lock(rlock *l)
{
    pthread_mutex_lock(&l->guard);
}

int rlock_unlock(rlock *l)
{
    pthread_mutex_unlock(&l->guard);
    return 0;
}

void rlock_destroy(rlock *l)
{
    pthread_cond_destroy(&l->released);
    pthread_mutex_destroy(&l->guard);
}
