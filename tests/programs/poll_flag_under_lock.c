/* poll_flag_under_lock.c (schedule trap): four workers poll a flag under a mutex until main sets it.
 *
 * Every poll is a point of the schedule (lock, unlock), so the watchdog's fallback never fires. Under
 * `--schedule pct` the highest-priority worker used to win every point once the change points were
 * past, and main, which sets the flag, never ran again: the run hung (pct seeds 1 and 2). A correct
 * program that ends under any fair scheduler must end under every schedule.
 * Expect: no findings; exit status 0 under native, serial and pct; no schedule fallback.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static int started; /* guarded by flag_lock */

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&flag_lock);
        int go = started;
        pthread_mutex_unlock(&flag_lock);
        if (go)
            return NULL;
    }
}

int main(void)
{
    pthread_t workers[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&workers[i], NULL, worker, NULL);
    pthread_mutex_lock(&flag_lock);
    started = 1;
    pthread_mutex_unlock(&flag_lock);
    for (int i = 0; i < 4; i++)
        pthread_join(workers[i], NULL);
    puts("every worker saw the flag");
    return 0;
}
