/* poll_without_point.c (schedule trap): a thread that keeps calling functions racelab wraps, none of
 * them a point of the schedule, while it waits for another thread.
 *
 * main polls an atomic flag (racelab does not see C11 atomics) that a worker sets, calling
 * sem_init/sem_destroy on a scratch semaphore each time round. Under `--schedule serial` or `pct` the
 * running thread keeps the token until its next point; the watchdog must hand the token on when no
 * point is reached for a while, even though the thread keeps entering racelab's wrappers, or the
 * worker never runs and the run never ends.
 * Expect: no findings; exit status 0; under serial and pct the report counts at least one fallback.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>

static atomic_int flag;

static void *worker(void *arg)
{
    (void)arg;
    atomic_store(&flag, 1);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load(&flag)) {
        sem_t scratch;
        sem_init(&scratch, 0, 0);
        sem_destroy(&scratch);
    }
    pthread_join(t, NULL);
    return 0;
}
