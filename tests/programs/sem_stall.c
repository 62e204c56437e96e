/* sem_stall.c (deadlock): two threads each wait on a semaphore that only the other would post after
 * its own wait, so neither ever posts.
 *
 * No signal handler is installed, so nothing outside the two threads can post either: racelab ends
 * the program and reports the stall (sem_post_from_handler.c is the case where a handler can).
 * Expect: a deadlock finding; racelab ends the program with status 66.
 */
#include <pthread.h>
#include <semaphore.h>

static sem_t to_main, to_worker;

static void *worker(void *arg)
{
    (void)arg;
    sem_wait(&to_worker); /* main posts only after its own wait */
    sem_post(&to_main);
    return NULL;
}

int main(void)
{
    sem_init(&to_main, 0, 0);
    sem_init(&to_worker, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&to_main); /* the worker posts only after its own wait */
    sem_post(&to_worker);
    pthread_join(t, NULL);
    return 0;
}
