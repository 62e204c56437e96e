/* event.c: reference solution. The mutex guards is_set; waiters sleep on the condition variable in a
 * loop (the event may have been cleared again, or the wake-up may be spurious); set() broadcasts,
 * because every waiter must wake up, not just one. */
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
