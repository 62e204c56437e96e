/* event.c: YOUR FILE. Implement an event (set, clear, wait) with a mutex and a condition variable.
 *
 * For now nothing waits: event_wait() returns at once, whether the event is set or not, and nothing
 * is protected. Guard is_set with the mutex; wait on the condition variable (in a loop) until is_set
 * is true; make event_set() wake every waiter.
 *
 * Check your work:  racelab check exercises/event
 */
#include "event.h"

void event_init(event *e)
{
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->changed, NULL);
    e->is_set = false;
}

void event_set(event *e)
{
    e->is_set = true;
}

void event_clear(event *e)
{
    e->is_set = false;
}

void event_wait(event *e)
{
    (void)e; /* TODO: wait until is_set */
}

bool event_is_set(event *e)
{
    return e->is_set;
}

void event_destroy(event *e)
{
    pthread_cond_destroy(&e->changed);
    pthread_mutex_destroy(&e->lock);
}
