/* c11_threads_ok.c: C11 <threads.h> used correctly, with one lock-order inversion kept apart.
 *
 * Thread 1 takes lock_a then lock_b, then tells thread 2 (a flag under a C11 mutex and condition
 * variable) that it is done; only then does thread 2 take lock_b then lock_a, so the run always
 * finishes, but the order graph has the cycle. A recursive mtx is locked twice (legal), a timed mtx is
 * taken with mtx_timedlock and mtx_trylock, and the threads' int results come back through thrd_join
 * (thread 2 ends with thrd_exit). The program checks every C11 result itself and exits 1 if any is
 * wrong.
 * Expect: findings {potential-deadlock}, one, its cycle exactly {lock_a, lock_b}; exit status 0
 * (racelab: 66).
 */
#include <stdio.h>
#include <threads.h>
#include <time.h>

static mtx_t lock_a, lock_b, recursive_lock, timed_lock, done_lock;
static cnd_t done_changed;
static int thread1_done;
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "c11_threads_ok: %s\n", what);
        failures++;
    }
}

static int thread1(void *arg)
{
    (void)arg;
    mtx_lock(&lock_a);
    mtx_lock(&lock_b);
    mtx_unlock(&lock_b);
    mtx_unlock(&lock_a);
    mtx_lock(&done_lock);
    thread1_done = 1;
    cnd_signal(&done_changed);
    mtx_unlock(&done_lock);
    return 7;
}

static int thread2(void *arg)
{
    (void)arg;
    mtx_lock(&done_lock);
    while (!thread1_done)
        cnd_wait(&done_changed, &done_lock);
    mtx_unlock(&done_lock);
    mtx_lock(&lock_b);
    mtx_lock(&lock_a); /* the opposite order, but never at the same time as thread 1 */
    mtx_unlock(&lock_a);
    mtx_unlock(&lock_b);
    thrd_exit(9);
}

int main(void)
{
    check(mtx_init(&lock_a, mtx_plain) == thrd_success, "mtx_init lock_a");
    check(mtx_init(&lock_b, mtx_plain) == thrd_success, "mtx_init lock_b");
    check(mtx_init(&recursive_lock, mtx_plain | mtx_recursive) == thrd_success, "mtx_init recursive");
    check(mtx_init(&timed_lock, mtx_timed) == thrd_success, "mtx_init timed");
    check(mtx_init(&done_lock, mtx_plain) == thrd_success, "mtx_init done_lock");
    check(cnd_init(&done_changed) == thrd_success, "cnd_init");

    check(mtx_lock(&recursive_lock) == thrd_success, "first lock of the recursive mtx");
    check(mtx_lock(&recursive_lock) == thrd_success, "second lock of the recursive mtx");
    check(mtx_unlock(&recursive_lock) == thrd_success, "first unlock of the recursive mtx");
    check(mtx_unlock(&recursive_lock) == thrd_success, "second unlock of the recursive mtx");

    struct timespec deadline;
    timespec_get(&deadline, TIME_UTC);
    deadline.tv_sec += 5;
    check(mtx_timedlock(&timed_lock, &deadline) == thrd_success, "mtx_timedlock of a free mtx");
    check(mtx_unlock(&timed_lock) == thrd_success, "unlock after mtx_timedlock");
    check(mtx_trylock(&timed_lock) == thrd_success, "mtx_trylock of a free mtx");
    check(mtx_unlock(&timed_lock) == thrd_success, "unlock after mtx_trylock");

    thrd_t t1, t2;
    check(thrd_create(&t1, thread1, NULL) == thrd_success, "thrd_create 1");
    check(thrd_create(&t2, thread2, NULL) == thrd_success, "thrd_create 2");
    int r1 = 0, r2 = 0;
    check(thrd_join(t1, &r1) == thrd_success && r1 == 7, "thread 1's result (returned 7)");
    check(thrd_join(t2, &r2) == thrd_success && r2 == 9, "thread 2's result (thrd_exit(9))");

    cnd_destroy(&done_changed);
    mtx_destroy(&done_lock);
    mtx_destroy(&timed_lock);
    mtx_destroy(&recursive_lock);
    mtx_destroy(&lock_b);
    mtx_destroy(&lock_a);
    return failures ? 1 : 0;
}
