/* main_pthread_exit.c (trap): main ends with pthread_exit instead of returning.
 *
 *   main_pthread_exit alone    main prints and calls pthread_exit: it is the last thread, so the
 *                              process ends with status 0 (glibc calls exit(0) for the last thread)
 *   main_pthread_exit worker   main starts a detached worker that takes a lock main has just used,
 *                              then calls pthread_exit; the worker prints and returns, the last
 *                              thread, so the process ends with status 0
 * racelab's own watchdog thread must not keep the process alive once the program's threads are gone.
 * Expect: no findings; stdout "main done\n" (alone) or "worker done\n" (worker); exit status 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    pthread_mutex_lock(&m);
    puts("worker done");
    pthread_mutex_unlock(&m);
    return arg;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "worker") == 0) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_mutex_lock(&m);
        pthread_t t;
        pthread_create(&t, &attr, worker, NULL);
        pthread_mutex_unlock(&m);
        pthread_attr_destroy(&attr);
    } else {
        puts("main done");
        fflush(stdout);
    }
    pthread_exit(NULL);
}
