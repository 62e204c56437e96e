/* destroy_locked.c: destroying a mutex while it is locked.
 *
 * glibc refuses (EBUSY) and leaves the mutex as it was, so the program then unlocks it and destroys
 * it properly; only the first destroy is the bug.
 * Expect: findings {destroy-locked}; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t busy_lock;

int main(void)
{
    pthread_mutex_init(&busy_lock, NULL);
    pthread_mutex_lock(&busy_lock);
    int rc = pthread_mutex_destroy(&busy_lock); /* the bug: still locked */
    if (rc != EBUSY) {
        fprintf(stderr, "destroy_locked: destroy returned %s, not EBUSY\n", strerror(rc));
        return 1;
    }
    pthread_mutex_unlock(&busy_lock);
    pthread_mutex_destroy(&busy_lock);
    return 0;
}
