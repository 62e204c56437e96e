/* exit_while_held.c: exit() called while other threads hold locks.
 *
 * First a lock-order cycle is planted (two threads, one after the other: lock_a -> lock_b, then
 * lock_b -> lock_a). Then two workers each lock one of held[0] and held[1] and block reading a pipe
 * nobody writes, still holding their locks. Once both hold them (a barrier), main calls exit(3).
 * Expect: findings {potential-deadlock} (exactly one: lock_a and lock_b, found before the exit); no
 * deadlock (main was not blocked); exit status 3 (racelab: 66).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t held[2] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };
static pthread_barrier_t holding;
static int never[2];

static void *a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a); /* the opposite order */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void *hold_and_block(void *arg)
{
    pthread_mutex_t *mine = arg;
    pthread_mutex_lock(mine);
    pthread_barrier_wait(&holding);
    char c;
    while (read(never[0], &c, 1) != 0) /* nobody writes: blocks until the process ends */
        ;
    pthread_mutex_unlock(mine);
    return NULL;
}

int main(void)
{
    if (pipe(never) != 0)
        return 1;
    pthread_t t;
    pthread_create(&t, NULL, a_then_b, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, b_then_a, NULL);
    pthread_join(t, NULL);
    pthread_barrier_init(&holding, NULL, 3);
    pthread_t w[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&w[i], NULL, hold_and_block, &held[i]);
    pthread_barrier_wait(&holding);
    exit(3); /* the workers still hold held[0] and held[1] */
}
