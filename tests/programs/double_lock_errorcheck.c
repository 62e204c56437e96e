/* double_lock_errorcheck.c: an error-checking mutex locked again by the thread that holds it.
 *
 * PTHREAD_MUTEX_ERRORCHECK refuses the second lock with EDEADLK instead of hanging, so the program
 * goes on, unlocks once and exits 0. racelab still reports the relock.
 * Expect: findings {double-lock}; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t checked_lock;

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&checked_lock, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_mutex_lock(&checked_lock);
    int rc = pthread_mutex_lock(&checked_lock); /* the bug: we already hold it */
    if (rc != EDEADLK) {
        fprintf(stderr, "double_lock_errorcheck: second lock returned %s, not EDEADLK\n",
                strerror(rc));
        return 1;
    }
    pthread_mutex_unlock(&checked_lock);
    pthread_mutex_destroy(&checked_lock);
    return 0;
}
