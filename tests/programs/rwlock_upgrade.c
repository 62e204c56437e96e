/* rwlock_upgrade.c (deadlock wording): a thread holding an rwlock for reading asks for it for
 * writing ("upgrading"), which can never be granted: it waits for itself.
 * The wait used to be described as "lock(rw)", the mutex call, beside rdlock for the read side.
 * Expect: findings {deadlock, double-lock}; the deadlock says "T1 holds rw and waits in wrlock(rw)";
 * exit status 66 (ended by racelab).
 */
#include <pthread.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static void *upgrade(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    pthread_rwlock_wrlock(&rw); /* never returns */
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_unlock(&rw);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, upgrade, NULL);
    pthread_join(t, NULL);
    return 0;
}
