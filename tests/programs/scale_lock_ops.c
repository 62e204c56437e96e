/* scale_lock_ops.c: a very large number of lock operations, and a cycle planted after them.
 *
 * Two threads, at the same time, each do N/2 (default N 10^7; argument 1) acquisitions: mostly their own
 * lock, and every 64th iteration the shared `outer` then `inner` pair (always in that order). Then two
 * more threads, one after the other, take lock_a -> lock_b and lock_b -> lock_a: the one cycle, found
 * after all that traffic. Prints its peak memory (peak_memory.h).
 * Expect: findings {potential-deadlock} (exactly one, lock_a and lock_b); exit status 0 (racelab: 66);
 * stats.acquisitions exactly N + 4.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "peak_memory.h"
#include "plant_cycle.h"

static pthread_mutex_t own[2] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };
static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static long per_thread;
static long shared_count;

static void *traffic(void *arg)
{
    pthread_mutex_t *mine = arg;
    long done = 0;
    for (long i = 0; done < per_thread; i++) {
        if (i % 64 == 63 && done + 2 <= per_thread) {
            pthread_mutex_lock(&outer);
            pthread_mutex_lock(&inner);
            shared_count++;
            pthread_mutex_unlock(&inner);
            pthread_mutex_unlock(&outer);
            done += 2;
        } else {
            pthread_mutex_lock(mine);
            pthread_mutex_unlock(mine);
            done++;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000000;
    if (n < 2 || n % 2)
        return 2;
    per_thread = n / 2;
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, traffic, &own[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    plant_lock_order_cycle();
    print_peak_memory();
    return 0;
}
