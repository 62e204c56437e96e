/* cond_no_mutex.c: waiting on a condition variable without holding its mutex.
 *
 * pthread_cond_timedwait() must be called with the mutex locked. Here it is not. The timeout (50 ms)
 * guarantees the wait ends. glibc's wait then returns ETIMEDOUT with the mutex locked by the caller,
 * as after any wait, so the program unlocks it once.
 * Expect: findings {cond-misuse}; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_changed = PTHREAD_COND_INITIALIZER;

int main(void)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 50 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000;
    }
    /* the bug: state_lock is not held */
    int rc = pthread_cond_timedwait(&state_changed, &state_lock, &deadline);
    if (rc != ETIMEDOUT) {
        fprintf(stderr, "cond_no_mutex: timedwait returned %s, not ETIMEDOUT\n", strerror(rc));
        return 1;
    }
    pthread_mutex_unlock(&state_lock); /* the wait returned with it locked */
    return 0;
}
