/* fork_child_cycle.c: a lock-order inversion that happens only in a child process.
 *
 * The parent takes no locks: it forks and waits for the child. The child runs two threads that take
 * lock_a, lock_b and lock_b, lock_a, kept apart by a barrier so that the child always finishes. The
 * finding belongs to the child, so its pid is the child's, not the main process's.
 * Expect: findings {potential-deadlock} with the child's pid; exit status 0 (racelab: 66).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t thread1_done;

static void *thread1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    pthread_barrier_wait(&thread1_done);
    return NULL;
}

static void *thread2(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&thread1_done);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a); /* opposite order */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static int child_main(void)
{
    pthread_barrier_init(&thread1_done, NULL, 2);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_barrier_destroy(&thread1_done);
    return 0;
}

int main(void)
{
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        perror("fork_child_cycle: fork");
        return 1;
    }
    if (child == 0)
        exit(child_main()); /* exit(), not _exit(): the child ends like any process */

    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "fork_child_cycle: the child failed\n");
        return 1;
    }
    return 0;
}
