/* race_under_read_lock.c (race): two threads update a counter while holding an rwlock for reading:
 * readers do not exclude each other, so the updates race.
 * The report used to say only "T2 held db_lock, T1 held db_lock", which reads as if the lock had
 * protected them.
 * Expect: at least one data race on hits; every one says each thread held db_lock for reading
 * (locks_held_for_reading lists it); exit status 0.
 */
#include <pthread.h>

#include "racelab.h"

static pthread_rwlock_t db_lock = PTHREAD_RWLOCK_INITIALIZER;
static racelab_shared hits = RACELAB_SHARED_INIT("hits", 0);

static void *count_hit(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&db_lock); /* wrong side: an update needs pthread_rwlock_wrlock */
    racelab_store(&hits, racelab_load(&hits) + 1);
    pthread_rwlock_unlock(&db_lock);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, count_hit, NULL);
    pthread_create(&b, NULL, count_hit, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
