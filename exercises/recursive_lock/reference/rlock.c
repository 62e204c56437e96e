/* rlock.c: reference solution. The guard mutex is held only inside these functions, to read and
 * change owner and count together; a thread that finds the lock held by someone else waits on the
 * condition variable (in a loop: the lock may be taken again before it wakes up). */
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
    if (l->count == 0 || !pthread_equal(l->owner, pthread_self()))
        rc = EPERM;
    else if (--l->count == 0)
        pthread_cond_signal(&l->released);
    pthread_mutex_unlock(&l->guard);
    return rc;
}

void rlock_destroy(rlock *l)
{
    pthread_cond_destroy(&l->released);
    pthread_mutex_destroy(&l->guard);
}
