/* blank_lock_name.c (names): racelab_name_lock with a blank name ("" and "   ") and with a real one,
 * then a lock-order cycle between the blank-named lock and the named one.
 *
 * A blank name used to be written to the event log as a line with nothing after the address, which
 * the report took for a line torn by a killed program ("some event log lines were incomplete").
 * Expect: one potential deadlock between "blank_lock" (its variable's name: the blank names are
 * ignored) and "account 3"; no notes; exit status 0.
 */
#include <pthread.h>

#include "racelab.h"

static pthread_mutex_t blank_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t named_lock = PTHREAD_MUTEX_INITIALIZER;

static void *other_order(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&named_lock);
    pthread_mutex_lock(&blank_lock);
    pthread_mutex_unlock(&blank_lock);
    pthread_mutex_unlock(&named_lock);
    return NULL;
}

int main(void)
{
    racelab_name_lock(&blank_lock, "");
    racelab_name_lock(&blank_lock, "   ");
    racelab_name_lock(&named_lock, "account 3");
    pthread_mutex_lock(&blank_lock);
    pthread_mutex_lock(&named_lock);
    pthread_mutex_unlock(&named_lock);
    pthread_mutex_unlock(&blank_lock);
    pthread_t t;
    pthread_create(&t, NULL, other_order, NULL);
    pthread_join(t, NULL);
    return 0;
}
