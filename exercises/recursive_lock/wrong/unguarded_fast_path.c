/* rlock.c, WRONG: a "fast path" checks owner and count without holding the guard, to skip the mutex
 * when re-entering. Another thread may be writing them at that moment (under the guard): a data race
 * on plain memory, which racelab's own checker does not watch but ThreadSanitizer does. */
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
    if (l->count > 0 && pthread_equal(l->owner, self)) { /* unguarded read */
        pthread_mutex_lock(&l->guard);
        l->count++;
        pthread_mutex_unlock(&l->guard);
        return;
    }
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
