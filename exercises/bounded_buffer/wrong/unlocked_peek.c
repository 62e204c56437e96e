/* buffer.c, WRONG: get() first looks at count without holding the lock, to skip the mutex while the
 * buffer is empty ("nothing to take yet, yield and look again"). The mutex and the while loop still make
 * it correct, but that unguarded read races with the writes of count under the lock: a data race on
 * plain memory, which racelab's own checker does not watch but ThreadSanitizer does. */
#include <sched.h>
#include "buffer.h"

void buffer_init(buffer *b, int capacity)
{
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->not_full, NULL);
    pthread_cond_init(&b->not_empty, NULL);
    b->capacity = capacity;
    b->head = 0;
    b->tail = 0;
    b->count = 0;
}

void buffer_put(buffer *b, long item)
{
    pthread_mutex_lock(&b->lock);
    while (b->count == b->capacity)
        pthread_cond_wait(&b->not_full, &b->lock);
    b->items[b->tail] = item;
    b->tail = (b->tail + 1) % b->capacity;
    b->count++;
    pthread_cond_signal(&b->not_empty);
    pthread_mutex_unlock(&b->lock);
}

long buffer_get(buffer *b)
{
    for (int tries = 0; tries < 3 && b->count == 0; tries++) /* unguarded read */
        sched_yield();
    pthread_mutex_lock(&b->lock);
    while (b->count == 0)
        pthread_cond_wait(&b->not_empty, &b->lock);
    long item = b->items[b->head];
    b->head = (b->head + 1) % b->capacity;
    b->count--;
    pthread_cond_signal(&b->not_full);
    pthread_mutex_unlock(&b->lock);
    return item;
}

void buffer_destroy(buffer *b)
{
    pthread_cond_destroy(&b->not_empty);
    pthread_cond_destroy(&b->not_full);
    pthread_mutex_destroy(&b->lock);
}
