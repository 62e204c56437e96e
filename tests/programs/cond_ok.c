/* cond_ok.c (trap): a correct producer/consumer on a bounded buffer.
 *
 * One producer puts the numbers 1..ITEMS into a 4-slot ring, one consumer takes them out and sums
 * them. Both use the one mutex `buffer_lock`, wait in a while loop that re-checks the predicate, and
 * signal the other side after each change.
 * Expect: no findings; exit status 0.
 */
#include <pthread.h>
#include <stdio.h>

enum { SLOTS = 4, ITEMS = 10000 };

static pthread_mutex_t buffer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static long ring[SLOTS]; /* guarded by buffer_lock, as are head and used */
static int head;         /* next slot to take from */
static int used;         /* filled slots */

static void *producer(void *arg)
{
    (void)arg;
    for (long item = 1; item <= ITEMS; item++) {
        pthread_mutex_lock(&buffer_lock);
        while (used == SLOTS)
            pthread_cond_wait(&not_full, &buffer_lock);
        ring[(head + used) % SLOTS] = item;
        used++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&buffer_lock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long *sum = arg;
    for (long n = 0; n < ITEMS; n++) {
        pthread_mutex_lock(&buffer_lock);
        while (used == 0)
            pthread_cond_wait(&not_empty, &buffer_lock);
        *sum += ring[head];
        head = (head + 1) % SLOTS;
        used--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&buffer_lock);
    }
    return NULL;
}

int main(void)
{
    long sum = 0;
    pthread_t p, c;
    pthread_create(&p, NULL, producer, NULL);
    pthread_create(&c, NULL, consumer, &sum);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    long expected = (long)ITEMS * (ITEMS + 1) / 2;
    if (sum != expected) {
        fprintf(stderr, "cond_ok: sum %ld, expected %ld\n", sum, expected);
        return 1;
    }
    return 0;
}
