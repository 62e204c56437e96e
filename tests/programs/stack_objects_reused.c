/* stack_objects_reused.c (object lifetimes): locks and shared variables that live on a thread's
 * stack, in two threads that run one after the other. glibc gives the second thread the first one's
 * stack (its stack cache), so the second thread's objects have the first one's addresses; they are
 * still different objects, whose lives never overlap.
 *   locks: the first thread takes its two local mutexes in increasing address order, the second its
 *          own two (same addresses) in decreasing order. racelab used to see one pair of locks taken
 *          in both orders: a false potential deadlock.
 *   vars:  each thread counts to 5 in a local racelab_shared. racelab used to keep the first
 *          thread's record, and said the second variable "changed behind racelab's back".
 * Prints "reused" when the second thread's objects did get the first one's addresses ("not reused"
 * otherwise: the case this program is about did not happen).
 * Expect: "reused"; no findings and no notes; exit status 0.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "racelab.h"

static uintptr_t first_seen[2], second_seen[2]; /* addresses, compared only */

static void lock_in_order(pthread_mutex_t *x, pthread_mutex_t *y, int increasing)
{
    if ((x < y) != increasing) {
        pthread_mutex_t *swap = x;
        x = y;
        y = swap;
    }
    pthread_mutex_lock(x);
    pthread_mutex_lock(y);
    pthread_mutex_unlock(y);
    pthread_mutex_unlock(x);
}

static __attribute__((noinline)) void local_locks(uintptr_t *seen, int increasing)
{
    pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
    seen[0] = (uintptr_t)&a;
    seen[1] = (uintptr_t)&b;
    lock_in_order(&a, &b, increasing);
}

static __attribute__((noinline)) void local_counter(uintptr_t *seen)
{
    racelab_shared mine = RACELAB_SHARED_INIT("mine", 0);
    seen[0] = seen[1] = (uintptr_t)&mine;
    for (int i = 0; i < 5; i++)
        racelab_store(&mine, racelab_load(&mine) + 1);
}

static int vars_mode;

static void *first(void *arg)
{
    (void)arg;
    if (vars_mode)
        local_counter(first_seen);
    else
        local_locks(first_seen, 1);
    return NULL;
}

static void *second(void *arg)
{
    (void)arg;
    if (vars_mode)
        local_counter(second_seen);
    else
        local_locks(second_seen, 0);
    return NULL;
}

int main(int argc, char **argv)
{
    vars_mode = argc > 1 && strcmp(argv[1], "vars") == 0;
    pthread_t t;
    pthread_create(&t, NULL, first, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, second, NULL);
    pthread_join(t, NULL);
    puts(first_seen[0] == second_seen[0] && first_seen[1] == second_seen[1] ? "reused" : "not reused");
    return 0;
}
