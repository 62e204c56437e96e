/* event.h: what the harness (main.c) and your event.c share. Do not change this file. */
#ifndef EVENT_H
#define EVENT_H

#include <pthread.h>
#include <stdbool.h>

/* An event, as Python's threading.Event: a flag that threads can wait for. `lock` guards is_set;
 * waiters sleep on `changed`. */
typedef struct event {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool is_set;
} event;

void event_init(event *e);     /* not set */
void event_set(event *e);      /* sets the flag and wakes EVERY thread waiting for it */
void event_clear(event *e);    /* clears the flag: later waits block again */
void event_wait(event *e);     /* returns at once if the flag is set; otherwise sleeps until it is set */
bool event_is_set(event *e);
void event_destroy(event *e);

#endif
