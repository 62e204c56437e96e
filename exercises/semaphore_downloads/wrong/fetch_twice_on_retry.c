/* downloads.c, WRONG: "retries" every download once more, to be safe: each file is fetched twice. */
#include <semaphore.h>

#include "downloads.h"

static sem_t slots;

void downloads_init(int limit)
{
    sem_init(&slots, 0, (unsigned)limit);
}

void download(int n)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        sem_wait(&slots);
        fetch(n);
        sem_post(&slots);
    }
}

void downloads_finish(void)
{
    sem_destroy(&slots);
}
