/* unlock_foreign.c: a thread unlocks a mutex that another thread holds.
 *
 * Thread A locks, then both meet at a barrier; thread B unlocks while A still holds the mutex; a
 * second barrier lets A unlock it properly. The mutex is error-checking, so B's unlock is refused
 * with EPERM and the real mutex stays consistent: A still holds it and A's own unlock is correct.
 * Expect: findings {unlock-foreign}; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t owned_lock;
static pthread_barrier_t a_holds;     /* A has locked */
static pthread_barrier_t b_has_tried; /* B's unlock is done */
static int b_result;

static void *thread_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&owned_lock);
    pthread_barrier_wait(&a_holds);
    pthread_barrier_wait(&b_has_tried);
    pthread_mutex_unlock(&owned_lock);
    return NULL;
}

static void *thread_b(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&a_holds);
    b_result = pthread_mutex_unlock(&owned_lock); /* the bug: A holds it, not B */
    pthread_barrier_wait(&b_has_tried);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&owned_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_barrier_init(&a_holds, NULL, 2);
    pthread_barrier_init(&b_has_tried, NULL, 2);

    pthread_t a, b;
    pthread_create(&a, NULL, thread_a, NULL);
    pthread_create(&b, NULL, thread_b, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    if (b_result != EPERM) {
        fprintf(stderr, "unlock_foreign: B's unlock returned %s, not EPERM\n", strerror(b_result));
        return 1;
    }
    pthread_mutex_destroy(&owned_lock);
    return 0;
}
