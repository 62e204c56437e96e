/* rlock.c, WRONG: rlock_unlock() frees the lock at once (count = 0) instead of giving back one level.
 * After the inner unlock of a nested lock the owner still thinks it holds the lock, but another thread
 * may take it: two threads in the critical section, and the counter loses updates. */
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
    pthread_t self = pthread_self();
    pthread_mutex_lock(&l->guard);
    while (l->count > 0 && !pthread_equal(l->owner, self))
        pthread_cond_wait(&l->released, &l->guard);
    l->owner = self;
    l->count++;
    pthread_mutex_unlock(&l->guard);
}

int rlock_unlock(rlock *l)
{
    int rc = 0;
    pthread_mutex_lock(&l->guard);
    if (l->count == 0 || !pthread_equal(l->owner, pthread_self())) {
        rc = EPERM;
    } else {
        l->count = 0;
        pthread_cond_signal(&l->released);
    }
    pthread_mutex_unlock(&l->guard);
    return rc;
}

void rlock_destroy(rlock *l)
{
    pthread_cond_destroy(&l->released);
    pthread_mutex_destroy(&l->guard);
}
