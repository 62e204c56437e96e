/* recursive_ok.c (trap): a recursive mutex relocked by its owner, correctly.
 *
 * Two threads each call a function that locks `tree_lock` and recurses three levels deep, locking it
 * again at every level and unlocking on the way out. A recursive mutex allows that; every lock has
 * its unlock.
 * Expect: no findings; exit status 0.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t tree_lock;
static long visits; /* guarded by tree_lock */

static void visit(int depth)
{
    pthread_mutex_lock(&tree_lock);
    visits++;
    if (depth > 0)
        visit(depth - 1); /* locks tree_lock again while holding it */
    pthread_mutex_unlock(&tree_lock);
}

static void *walker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++)
        visit(2);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&tree_lock, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_t t1, t2;
    pthread_create(&t1, NULL, walker, NULL);
    pthread_create(&t2, NULL, walker, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_mutex_destroy(&tree_lock);
    if (visits != 2 * 1000 * 3) {
        fprintf(stderr, "recursive_ok: %ld visits, expected %d\n", visits, 2 * 1000 * 3);
        return 1;
    }
    return 0;
}
