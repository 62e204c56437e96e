/* downloads.c: reference solution. A counting semaphore starts with `limit` permits; each download
 * takes one before fetching and gives it back after, so at most `limit` fetch at once, and as soon as
 * one finishes the next waiting download may start. */
#include <semaphore.h>

#include "downloads.h"

static sem_t slots;

void downloads_init(int limit)
{
    sem_init(&slots, 0, (unsigned)limit);
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
