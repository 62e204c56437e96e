/* sem_ok.c (trap): two threads hand a turn back and forth with semaphores.
 *
 * `ping` starts at 0 and `pong` at 0. The pinger posts ping and waits for pong; the ponger waits for
 * ping and posts pong; 1000 rounds. A semaphore is posted by one thread and waited for by another
 * by design: that is not an unlock by a foreign thread.
 * Expect: no findings; exit status 0.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

enum { ROUNDS = 1000 };

static sem_t ping, pong;
static int rally; /* handed over with the turn: only the thread whose turn it is touches it */

static void *pinger(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        rally++;
        sem_post(&ping);
        while (sem_wait(&pong) != 0)
            ; /* interrupted by a signal: wait again */
    }
    return NULL;
}

static void *ponger(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        while (sem_wait(&ping) != 0)
            ;
        rally++;
        sem_post(&pong);
    }
    return NULL;
}

int main(void)
{
    sem_init(&ping, 0, 0);
    sem_init(&pong, 0, 0);
    pthread_t a, b;
    pthread_create(&a, NULL, pinger, NULL);
    pthread_create(&b, NULL, ponger, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    sem_destroy(&ping);
    sem_destroy(&pong);
    if (rally != 2 * ROUNDS) {
        fprintf(stderr, "sem_ok: rally %d, expected %d\n", rally, 2 * ROUNDS);
        return 1;
    }
    return 0;
}
