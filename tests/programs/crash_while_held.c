/* crash_while_held.c: the program crashes (SIGSEGV or abort()) while other threads hold locks.
 *
 * Usage: crash_while_held segv|abort. First a lock-order cycle is planted (two threads, one after the
 * other: lock_a -> lock_b, then lock_b -> lock_a). Then two workers each lock one of held[0] and
 * held[1] and block reading a pipe nobody writes; once both hold their locks (a barrier), a third
 * thread, itself holding `crasher_lock`, writes through a null pointer (segv) or calls abort(). Core
 * dumps are turned off first.
 * Expect: findings {potential-deadlock} (exactly one, found before the crash); exit {"signal": 11,
 * "signal_name": "SIGSEGV"} or {"signal": 6, "signal_name": "SIGABRT"} (racelab: 66).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "plant_cycle.h"

static pthread_mutex_t held[2] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };
static pthread_mutex_t crasher_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t holding;
static int never[2];
static int *volatile nowhere;

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

static void *crash(void *arg)
{
    pthread_mutex_lock(&crasher_lock);
    if (strcmp(arg, "abort") == 0)
        abort();
    *nowhere = 1; /* SIGSEGV */
    pthread_mutex_unlock(&crasher_lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "segv") && strcmp(argv[1], "abort"))) {
        fprintf(stderr, "usage: crash_while_held segv|abort\n");
        return 2;
    }
    setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
    if (pipe(never) != 0)
        return 1;
    plant_lock_order_cycle();
    pthread_barrier_init(&holding, NULL, 3);
    pthread_t w[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&w[i], NULL, hold_and_block, &held[i]);
    pthread_barrier_wait(&holding);
    pthread_t t;
    pthread_create(&t, NULL, crash, argv[1]);
    pthread_join(t, NULL); /* not reached: the crash ends the process */
    return 0;
}
