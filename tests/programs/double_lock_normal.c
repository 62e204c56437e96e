/* double_lock_normal.c: a default mutex locked again by the thread that holds it.
 *
 * A default mutex does not check its owner: the second lock waits for the mutex to be unlocked,
 * which only the waiting thread itself could do. The program HANGS without racelab.
 * Expect: findings {deadlock, double-lock}; racelab ends the program: status 66,
 * exit.ended_by_racelab "deadlock".
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t plain_lock = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    pthread_mutex_lock(&plain_lock);
    pthread_mutex_lock(&plain_lock); /* the bug: waits for ourselves, for ever */
    puts("double_lock_normal: not reached");
    return 1;
}
