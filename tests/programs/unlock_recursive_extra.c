/* unlock_recursive_extra.c: a recursive mutex unlocked once more than it was locked.
 *
 * Locked twice, unlocked three times: the third unlock finds the mutex free (glibc returns EPERM).
 * Expect: findings {unlock-unlocked}; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t nested_lock;

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&nested_lock, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_mutex_lock(&nested_lock);
    pthread_mutex_lock(&nested_lock);
    pthread_mutex_unlock(&nested_lock);
    pthread_mutex_unlock(&nested_lock);
    int rc = pthread_mutex_unlock(&nested_lock); /* the bug: one unlock too many */
    if (rc != EPERM) {
        fprintf(stderr, "unlock_recursive_extra: third unlock returned %s, not EPERM\n",
                strerror(rc));
        return 1;
    }
    pthread_mutex_destroy(&nested_lock);
    return 0;
}
