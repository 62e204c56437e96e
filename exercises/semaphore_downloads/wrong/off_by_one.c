/* downloads.c, WRONG: the semaphore starts with limit + 1 permits ("one for the one already running"),
 * so one download too many runs at once. */
#include <semaphore.h>

#include "downloads.h"

static sem_t slots;

void downloads_init(int limit)
{
    sem_init(&slots, 0, (unsigned)limit + 1);
}

void download(int n)
{
    sem_wait(&slots);
    fetch(n);
    sem_post(&slots);
}

void downloads_finish(void)
{
    sem_destroy(&slots);
}
