/* fork_clean.c (trap): locking done right on both sides of a fork.
 *
 * The parent locks and unlocks `shared` before forking (so nothing is held at the fork), forks, and
 * then two parent threads take lock_a then lock_b while the child does the same with its own two
 * threads. Every lock is released; the parent waits for the child.
 * Expect: no findings; exit status 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t shared = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *a_then_b(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&lock_a);
        pthread_mutex_lock(&lock_b);
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
    }
    return NULL;
}

static void two_threads(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, a_then_b, NULL);
    pthread_create(&t2, NULL, a_then_b, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
}

int main(void)
{
    pthread_mutex_lock(&shared);
    pthread_mutex_unlock(&shared);

    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        perror("fork_clean: fork");
        return 1;
    }
    if (child == 0) {
        two_threads();
        exit(0);
    }
    two_threads();

    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "fork_clean: the child failed\n");
        return 1;
    }
    pthread_mutex_lock(&shared);
    pthread_mutex_unlock(&shared);
    return 0;
}
