/* downloads.c, WRONG: a mutex around the fetch instead of a semaphore. Never more than the limit, but
 * never more than ONE either: the downloads run one after another, and the limit is never reached. */
#include <pthread.h>

#include "downloads.h"

static pthread_mutex_t one_at_a_time = PTHREAD_MUTEX_INITIALIZER;

void downloads_init(int limit)
{
    (void)limit;
}

void download(int n)
{
    pthread_mutex_lock(&one_at_a_time);
    fetch(n);
    pthread_mutex_unlock(&one_at_a_time);
}

void downloads_finish(void)
{
}
