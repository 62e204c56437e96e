/* buffer.c, WRONG: get() takes the NEWEST item (the slot before tail), like a stack, instead of the oldest.
 * Every number still comes out once, but not first in, first out: a producer's numbers overtake each
 * other. */
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
    pthread_mutex_lock(&b->lock);
    while (b->count == 0)
        pthread_cond_wait(&b->not_empty, &b->lock);
    b->tail = (b->tail + b->capacity - 1) % b->capacity;
    long item = b->items[b->tail];
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
