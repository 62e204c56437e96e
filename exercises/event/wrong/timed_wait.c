/* event.c, WRONG: waits with a timeout "so that it can never hang", and returns when the timeout
 * expires whether or not the event was set: event_wait() returns before event_set(). */
#include <time.h>

#include "event.h"

void event_init(event *e)
{
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->changed, NULL);
    e->is_set = false;
}

void event_set(event *e)
{
    pthread_mutex_lock(&e->lock);
    e->is_set = true;
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
}

void event_clear(event *e)
{
    pthread_mutex_lock(&e->lock);
    e->is_set = false;
    pthread_mutex_unlock(&e->lock);
}

void event_wait(event *e)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 10 * 1000000L; /* 10 ms */
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&e->lock);
    if (!e->is_set)
        pthread_cond_timedwait(&e->changed, &e->lock, &until);
    pthread_mutex_unlock(&e->lock);
}

bool event_is_set(event *e)
{
    pthread_mutex_lock(&e->lock);
    bool set = e->is_set;
    pthread_mutex_unlock(&e->lock);
    return set;
}

void event_destroy(event *e)
{
    pthread_cond_destroy(&e->changed);
    pthread_mutex_destroy(&e->lock);
}
