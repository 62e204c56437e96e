/* reuse_after_destroy.c (trap): a new mutex at the address of a destroyed one is a new lock.
 *
 * 1. Heap: a thread takes mutexes A then B. Both are destroyed and freed; two new mutexes are
 *    malloc'ed, which glibc hands out at the same two addresses, and another thread takes them in the
 *    opposite address order. A detector that keyed locks by address alone would see a -> b -> a.
 * 2. Static storage: slot_a and slot_b are taken slot_a then slot_b, destroyed, initialised again
 *    and taken slot_b then slot_a by another thread. Same addresses for certain.
 * Each thread is joined before its mutexes are destroyed. The lock pairs of the two halves of each
 * part are different locks, so there is no cycle at all.
 * Expect: no findings, no suppressed-cycle note; exit status 0.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct pair {
    pthread_mutex_t *first, *second;
};

static pthread_mutex_t slot_a, slot_b;

static void *take_in_order(void *arg)
{
    struct pair *p = arg;
    pthread_mutex_lock(p->first);
    pthread_mutex_lock(p->second);
    pthread_mutex_unlock(p->second);
    pthread_mutex_unlock(p->first);
    return NULL;
}

/* Runs take_in_order on a new thread and waits for it. */
static void in_new_thread(pthread_mutex_t *first, pthread_mutex_t *second)
{
    struct pair p = {first, second};
    pthread_t t;
    pthread_create(&t, NULL, take_in_order, &p);
    pthread_join(t, NULL);
}

static pthread_mutex_t *new_mutex(void)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m) {
        perror("reuse_after_destroy: malloc");
        exit(1);
    }
    pthread_mutex_init(m, NULL);
    return m;
}

static void delete_mutex(pthread_mutex_t *m)
{
    pthread_mutex_destroy(m);
    free(m);
}

int main(void)
{
    pthread_mutex_t *a = new_mutex(), *b = new_mutex();
    in_new_thread(a, b);
    uintptr_t old_a = (uintptr_t)a, old_b = (uintptr_t)b;
    delete_mutex(b);
    delete_mutex(a);                                      /* freed last, handed out first */
    pthread_mutex_t *new_a = new_mutex(), *new_b = new_mutex();
    in_new_thread(new_b, new_a);                          /* old_b's address, then old_a's */
    printf("heap mutexes reused their addresses: %s\n",
           (uintptr_t)new_a == old_a && (uintptr_t)new_b == old_b ? "yes" : "no");
    delete_mutex(new_a);
    delete_mutex(new_b);

    pthread_mutex_init(&slot_a, NULL);
    pthread_mutex_init(&slot_b, NULL);
    in_new_thread(&slot_a, &slot_b);
    pthread_mutex_destroy(&slot_a);
    pthread_mutex_destroy(&slot_b);
    pthread_mutex_init(&slot_a, NULL);
    pthread_mutex_init(&slot_b, NULL);
    in_new_thread(&slot_b, &slot_a);
    pthread_mutex_destroy(&slot_a);
    pthread_mutex_destroy(&slot_b);
    return 0;
}
