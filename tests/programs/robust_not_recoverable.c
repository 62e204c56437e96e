/* robust_not_recoverable.c (lock types): a robust mutex left not recoverable, then locked again.
 *
 * T1 ends holding robust_lock; T2's lock returns EOWNERDEAD and T2 unlocks without
 * pthread_mutex_consistent, so the mutex can never be used again: every later pthread_mutex_lock
 * returns ENOTRECOVERABLE at once. racelab used to try each lock first with pthread_mutex_trylock,
 * which on such a mutex returns ENOTRECOVERABLE and yet leaves it taken (glibc 2.36), so the next
 * lock call hung for ever. Prints "t2: Owner died", "t3: State not recoverable", "main: State not
 * recoverable", one a line.
 * Expect: exit status 0; one held-at-exit finding (T1) on robust_lock, nothing else.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t robust_lock;

static void *ends_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust_lock);
    return NULL;
}

static void *gives_up(void *arg)
{
    (void)arg;
    int rc = pthread_mutex_lock(&robust_lock);
    printf("t2: %s\n", strerror(rc));
    if (rc == EOWNERDEAD)
        pthread_mutex_unlock(&robust_lock); /* not made consistent: not recoverable from now on */
    return NULL;
}

static void *locks_again(void *arg)
{
    (void)arg;
    printf("t3: %s\n", strerror(pthread_mutex_lock(&robust_lock)));
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust_lock, &attr);
    void *(*steps[])(void *) = {ends_holding, gives_up, locks_again};
    for (int i = 0; i < 3; i++) {
        pthread_t t;
        pthread_create(&t, NULL, steps[i], NULL);
        pthread_join(t, NULL);
    }
    printf("main: %s\n", strerror(pthread_mutex_lock(&robust_lock)));
    return 0;
}
