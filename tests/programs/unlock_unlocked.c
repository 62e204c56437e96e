/* unlock_unlocked.c: unlocking a mutex that nobody ever locked.
 *
 * glibc's default mutex does not notice and returns 0; the program exits 0.
 * Expect: findings {unlock-unlocked}; exit status 0 (racelab: 66).
 */
#include <pthread.h>

static pthread_mutex_t never_locked = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    pthread_mutex_unlock(&never_locked); /* the bug: it is not locked */
    return 0;
}
