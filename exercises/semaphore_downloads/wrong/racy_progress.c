/* downloads.c, WRONG: the semaphore is right, but download() also counts the downloads in progress in
 * a plain int, for a progress line, without any lock. Threads update it at the same time: a data race
 * on plain memory, which racelab's own checker does not watch but ThreadSanitizer does. */
#include <semaphore.h>
#include <stdio.h>

#include "downloads.h"

static sem_t slots;
static int in_progress;

void downloads_init(int limit)
{
    sem_init(&slots, 0, (unsigned)limit);
}

void download(int n)
{
    sem_wait(&slots);
    in_progress++;
    fetch(n);
    in_progress--;
    sem_post(&slots);
}

void downloads_finish(void)
{
    printf("downloads still in progress: %d\n", in_progress);
    sem_destroy(&slots);
}
