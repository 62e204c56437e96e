/* waits_on_an_ended_holder.c (deadlock wording): a thread waits for a mutex that a thread which has
 * ended still holds, so nothing will ever release it; main joins the waiter.
 *   lock: T1 locks m and ends; T2 then locks m.
 *   cond: T1 waits on c with m; T2 locks m, signals c and ends holding m, so T1, woken, can never take
 *         m back.
 * The stall used to be described only as "T1 waits in pthread_cond_wait(c)" (or lock(m)), without the
 * mutex or its holder.
 * Expect: a deadlock (stall) whose summary says m is still held by the thread that ended; a
 * held-at-exit finding for that thread; exit status 66 (ended by racelab).
 */
#include <pthread.h>
#include <string.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int waiting, woken; /* guarded by m */

static void *ends_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    return NULL;
}

static void *signals_and_ends_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    woken = 1;
    pthread_cond_signal(&c);
    return NULL;
}

static void *locks(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *waits(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    waiting = 1;
    while (!woken)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t first, second;
    if (argc > 1 && strcmp(argv[1], "cond") == 0) {
        pthread_create(&first, NULL, waits, NULL);
        for (int seen = 0; !seen;) { /* until the waiter is inside pthread_cond_wait (it set waiting under m) */
            pthread_mutex_lock(&m);
            seen = waiting;
            pthread_mutex_unlock(&m);
        }
        pthread_create(&second, NULL, signals_and_ends_holding, NULL);
        pthread_join(second, NULL);
        pthread_join(first, NULL);
    } else {
        pthread_create(&first, NULL, ends_holding, NULL);
        pthread_join(first, NULL);
        pthread_create(&second, NULL, locks, NULL);
        pthread_join(second, NULL);
    }
    return 0;
}
