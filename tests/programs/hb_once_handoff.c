/* hb_once_handoff.c (trap): lazy initialisation through pthread_once and C11 call_once.
 *
 * Four threads each call pthread_once(&config_once, init_config) and call_once(&table_once,
 * init_table), then read what the initialisers stored. Whichever thread runs an initialiser, its
 * stores happen before every other thread's return from the same once call (POSIX and C11 promise
 * it), so the loads after it are no data race on any schedule.
 * Expect: no findings; exit status 0 (1 if a thread saw anything but the initialised values).
 */
#include <pthread.h>
#include <threads.h>

#include "racelab.h"

static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static once_flag table_once = ONCE_FLAG_INIT;
static racelab_shared config = RACELAB_SHARED_INIT("config", 0);
static racelab_shared table = RACELAB_SHARED_INIT("table", 0);

static void init_config(void) { racelab_store(&config, 42); }
static void init_table(void) { racelab_store(&table, 7); }

static void *worker(void *arg)
{
    (void)arg;
    pthread_once(&config_once, init_config);
    call_once(&table_once, init_table);
    long ok = racelab_load(&config) == 42 && racelab_load(&table) == 7;
    return (void *)ok;
}

int main(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        void *ok;
        pthread_join(t[i], &ok);
        bad |= ok == NULL;
    }
    return bad;
}
