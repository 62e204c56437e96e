/* buffer.h: what the harness (main.c) and your buffer.c share. Do not change this file. */
#ifndef BUFFER_H
#define BUFFER_H

#include <pthread.h>

#define BUFFER_MAX 64

/* A bounded buffer of longs: a ring of `capacity` slots. `lock` guards every other field; a producer
 * that finds it full waits on `not_full`, a consumer that finds it empty waits on `not_empty`. */
typedef struct buffer {
    pthread_mutex_t lock;
    pthread_cond_t not_full;
    pthread_cond_t not_empty;
    long items[BUFFER_MAX];
    int capacity;   /* slots in use, 1 .. BUFFER_MAX */
    int head;       /* the slot the next item is taken from */
    int tail;       /* the slot the next item is put into */
    int count;      /* items in the buffer */
} buffer;

void buffer_init(buffer *b, int capacity);
/* Puts item in; waits (without using the CPU) while the buffer is full. */
void buffer_put(buffer *b, long item);
/* Takes the oldest item out; waits (without using the CPU) while the buffer is empty. */
long buffer_get(buffer *b);
void buffer_destroy(buffer *b);

#endif
