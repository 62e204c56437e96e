/* buffer.c: reference solution. The mutex guards every field; each wait is in a while loop that
 * checks the condition again after waking (another thread may have taken the slot or the item first);
 * each change is signalled while holding the mutex. */
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
