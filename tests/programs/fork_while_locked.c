/* fork_while_locked.c: fork() while other threads hold locks; the child keeps working.
 *
 * Two parent threads each lock one of locks[0] and locks[1] and keep them while main forks (a
 * barrier makes sure they hold them). In the child only the forking thread exists: the two locks stay
 * locked forever there, so the child checks that trylock says EBUSY, then uses their siblings
 * locks[2] and locks[3]: two child threads, one after the other, take locks[2] -> locks[3] and
 * locks[3] -> locks[2] (the planted cycle), and it exits 0. The parent releases its locks, joins its
 * threads and waits for the child.
 * Expect: findings {potential-deadlock} (exactly one, locks[2] and locks[3], with the child's pid, not
 * the parent's); no held-at-exit for the parent threads' locks in the child; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t locks[4] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                                    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };
static pthread_barrier_t holding, forked;

static void *holder(void *arg)
{
    pthread_mutex_t *mine = arg;
    pthread_mutex_lock(mine);
    pthread_barrier_wait(&holding); /* main forks now */
    pthread_barrier_wait(&forked);
    pthread_mutex_unlock(mine);
    return NULL;
}

static void *two_then_three(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[2]);
    pthread_mutex_lock(&locks[3]);
    pthread_mutex_unlock(&locks[3]);
    pthread_mutex_unlock(&locks[2]);
    return NULL;
}

static void *three_then_two(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[3]);
    pthread_mutex_lock(&locks[2]); /* the opposite order */
    pthread_mutex_unlock(&locks[2]);
    pthread_mutex_unlock(&locks[3]);
    return NULL;
}

static int child_main(void)
{
    for (int i = 0; i < 2; i++)
        if (pthread_mutex_trylock(&locks[i]) != EBUSY) {
            fprintf(stderr, "fork_while_locked: locks[%d] is not locked in the child\n", i);
            return 1;
        }
    pthread_t t;
    pthread_create(&t, NULL, two_then_three, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, three_then_two, NULL);
    pthread_join(t, NULL);
    return 0;
}

int main(void)
{
    pthread_barrier_init(&holding, NULL, 3);
    pthread_barrier_init(&forked, NULL, 3);
    pthread_t h[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&h[i], NULL, holder, &locks[i]);
    pthread_barrier_wait(&holding);
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        perror("fork_while_locked: fork");
        return 1;
    }
    if (child == 0)
        exit(child_main());
    pthread_barrier_wait(&forked);
    for (int i = 0; i < 2; i++)
        pthread_join(h[i], NULL);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "fork_while_locked: the child failed\n");
        return 1;
    }
    return 0;
}
