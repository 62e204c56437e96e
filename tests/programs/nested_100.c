/* nested_100.c (trap, and a load test): one thread holds COUNT mutexes at once.
 *
 * usage: nested_100 [COUNT]   (default 100; the tests also run it with 1000)
 * Two threads each lock all COUNT mutexes of one array in index order, then unlock them in reverse.
 * They run at the same time, but with one consistent order there is no cycle.
 * Expect: no findings; stats.locks >= COUNT; exit status 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t *locks;
static long count = 100;

static void *lock_everything(void *arg)
{
    (void)arg;
    for (long i = 0; i < count; i++)
        pthread_mutex_lock(&locks[i]);
    for (long i = count - 1; i >= 0; i--)
        pthread_mutex_unlock(&locks[i]);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--help") == 0)) {
        fprintf(argc > 2 ? stderr : stdout, "usage: %s [COUNT]\n", argv[0]);
        return argc > 2 ? 2 : 0;
    }
    if (argc == 2) {
        char *end;
        count = strtol(argv[1], &end, 10);
        if (*argv[1] == '\0' || *end != '\0' || count < 1 || count > 1000000) {
            fprintf(stderr, "nested_100: COUNT must be 1 to 1000000, not '%s'\n", argv[1]);
            return 2;
        }
    }
    locks = calloc((size_t)count, sizeof *locks);
    if (!locks) {
        perror("nested_100: calloc");
        return 1;
    }
    for (long i = 0; i < count; i++)
        pthread_mutex_init(&locks[i], NULL);

    pthread_t t1, t2;
    pthread_create(&t1, NULL, lock_everything, NULL);
    pthread_create(&t2, NULL, lock_everything, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    for (long i = 0; i < count; i++)
        pthread_mutex_destroy(&locks[i]);
    free(locks);
    return 0;
}
