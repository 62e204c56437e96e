/* buffer.c, WRONG: put() signals not_empty only when the buffer was empty before (and get() signals
 * not_full only when it was full), to save signals. With several consumers that loses wake-ups: two
 * consumers wait, two items arrive, one signal: the second consumer sleeps on next to an item, and at
 * the end, with the stop markers, everyone can end up waiting for ever. */
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
    if (b->count == 1)
        pthread_cond_signal(&b->not_empty);
    pthread_mutex_unlock(&b->lock);
}

long buffer_get(buffer *b)
{
    pthread_mutex_lock(&b->lock);
    while (b->count == 0)
        pthread_cond_wait(&b->not_empty, &b->lock);
    long item = b->items[b->head];
    b->head = (b->head + 1) % b->capacity;
    b->count--;
    if (b->count == b->capacity - 1)
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
