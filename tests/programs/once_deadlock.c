/* once_deadlock.c (deadlock): a once initialiser that needs a lock the other caller holds.
 *
 * main locks m and starts a thread that calls pthread_once(&config_once, init_config); the initialiser
 * says it has started (a semaphore), then locks m. main, once it has started, calls pthread_once on
 * the same control: it must wait for the initialiser to finish, which waits for m, which main holds.
 * Expect: a deadlock whose cause is a cycle, main waiting in pthread_once ("once") and thread 1 in
 * lock(m); racelab ends the program (status 66).
 */
#include <pthread.h>
#include <semaphore.h>

static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static sem_t init_started;

static void init_config(void)
{
    sem_post(&init_started);
    pthread_mutex_lock(&m); /* main holds it, and waits for this initialiser */
    pthread_mutex_unlock(&m);
}

static void *configure(void *arg)
{
    (void)arg;
    pthread_once(&config_once, init_config);
    return NULL;
}

int main(void)
{
    sem_init(&init_started, 0, 0);
    pthread_mutex_lock(&m);
    pthread_t t;
    pthread_create(&t, NULL, configure, NULL);
    sem_wait(&init_started);
    pthread_once(&config_once, init_config);
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    return 0;
}
