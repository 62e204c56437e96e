/* event.c, WRONG: event_wait() first reads is_set without the lock, to return at once when the event is
 * already set. The flag is written under the lock by event_set() and event_clear() at the same time: a
 * data race on plain memory, which racelab's own checker does not watch but ThreadSanitizer does. */
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
    if (e->is_set) /* unguarded read */
        return;
    pthread_mutex_lock(&e->lock);
    while (!e->is_set)
        pthread_cond_wait(&e->changed, &e->lock);
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
