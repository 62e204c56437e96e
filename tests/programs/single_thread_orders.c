/* single_thread_orders.c (trap): one thread alone takes two locks in both orders.
 *
 * The only thread takes lock_a then lock_b, releases both, and later takes lock_b then lock_a. A
 * deadlock needs a second thread holding the other lock, and there is none.
 * Expect: no findings; a suppressed-cycle note with reason "single-thread" for {lock_a, lock_b};
 * exit status 0.
 */
#include <pthread.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);

    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return 0;
}
