/* errorcheck_misuse.c: an error-checking mutex refuses two bad unlocks; racelab reports both and its
 * bookkeeping stays right afterwards.
 *
 * Main unlocks `checked_lock` while nobody holds it (EPERM). Then a worker locks it, and main unlocks
 * it while the worker holds it (EPERM: the worker keeps it). The worker then unlocks it normally and
 * main locks and unlocks it: both correct, not reported.
 * Expect: findings {unlock-foreign, unlock-unlocked}, exactly one each; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t checked_lock;
static sem_t holding, may_unlock;
static int worker_unlock_rc = -1;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&checked_lock);
    sem_post(&holding);
    while (sem_wait(&may_unlock) != 0)
        ;
    worker_unlock_rc = pthread_mutex_unlock(&checked_lock);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&checked_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    sem_init(&holding, 0, 0);
    sem_init(&may_unlock, 0, 0);

    int unlocked_rc = pthread_mutex_unlock(&checked_lock);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (sem_wait(&holding) != 0)
        ;
    int foreign_rc = pthread_mutex_unlock(&checked_lock);
    sem_post(&may_unlock);
    pthread_join(t, NULL);
    int relock_rc = pthread_mutex_lock(&checked_lock);
    int reunlock_rc = pthread_mutex_unlock(&checked_lock);
    printf("unlock of unlocked: %s, foreign unlock: %s, owner's unlock: %d, relock: %d/%d\n",
           unlocked_rc == EPERM ? "EPERM" : "?", foreign_rc == EPERM ? "EPERM" : "?", worker_unlock_rc,
           relock_rc, reunlock_rc);
    return unlocked_rc == EPERM && foreign_rc == EPERM && worker_unlock_rc == 0 && relock_rc == 0 &&
                   reunlock_rc == 0 ? 0 : 1;
}
