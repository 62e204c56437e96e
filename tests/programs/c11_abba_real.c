/* c11_abba_real.c: the lock-order inversion with C11 <threads.h> instead of pthreads, forced to
 * deadlock. glibc implements mtx_lock with an internal call that no preloaded pthread_mutex_lock sees,
 * so racelab wraps the C11 functions themselves (instrument/interpose_c11.c).
 *
 * Thread 1 takes lock_a, thread 2 takes lock_b; both wait until the other holds its first lock (a
 * rendezvous on a C11 mutex and condition variable), then thread 1 asks for lock_b and thread 2 for
 * lock_a. The program HANGS without racelab.
 * Expect: findings {deadlock, potential-deadlock}, both cycles exactly {lock_a, lock_b}, each thread
 * waiting at its own "waits here" line holding the lock taken on the line marked "took"; racelab ends
 * the program: status 66, exit.ended_by_racelab "deadlock".
 */
#include <threads.h>

static mtx_t lock_a, lock_b;
static mtx_t meet_lock;
static cnd_t met;
static int arrived;

static void meet(void)
{
    mtx_lock(&meet_lock);
    if (++arrived == 2)
        cnd_broadcast(&met);
    while (arrived < 2)
        cnd_wait(&met, &meet_lock);
    mtx_unlock(&meet_lock);
}

static int thread1(void *arg)
{
    (void)arg;
    mtx_lock(&lock_a); /* thread1 took */
    meet();
    mtx_lock(&lock_b); /* thread1 waits here */
    mtx_unlock(&lock_b);
    mtx_unlock(&lock_a);
    return 0;
}

static int thread2(void *arg)
{
    (void)arg;
    mtx_lock(&lock_b); /* thread2 took */
    meet();
    mtx_lock(&lock_a); /* thread2 waits here */
    mtx_unlock(&lock_a);
    mtx_unlock(&lock_b);
    return 0;
}

int main(void)
{
    mtx_init(&lock_a, mtx_plain);
    mtx_init(&lock_b, mtx_plain);
    mtx_init(&meet_lock, mtx_plain);
    cnd_init(&met);
    thrd_t t1, t2;
    thrd_create(&t1, thread1, NULL);
    thrd_create(&t2, thread2, NULL);
    thrd_join(t1, NULL);
    thrd_join(t2, NULL);
    return 0;
}
