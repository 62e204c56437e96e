/* static_hello.c: a statically linked program (built with -static; tests/programs/CMakeLists.txt).
 *
 * LD_PRELOAD needs the dynamic loader, so racelab cannot put its runtime into this program. It takes
 * and releases a mutex in a thread and prints a line.
 * Expect: racelab says in one line that it runs it unchecked; the report says "instrumented": false
 * and has no findings; exit status 0 (the program's own).
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void *hello(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&print_lock);
    printf("hello from a statically linked program\n");
    pthread_mutex_unlock(&print_lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, hello, NULL);
    pthread_join(t, NULL);
    return 0;
}
