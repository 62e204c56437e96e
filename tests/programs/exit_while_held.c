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

#include "plant_cycle.h"

static pthread_mutex_t held[2] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };
static pthread_barrier_t holding;
static int never[2];

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
    plant_lock_order_cycle();
    pthread_barrier_init(&holding, NULL, 3);
    pthread_t w[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&w[i], NULL, hold_and_block, &held[i]);
    pthread_barrier_wait(&holding);
    exit(3); /* the workers still hold held[0] and held[1] */
}
