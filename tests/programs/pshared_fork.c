/* pshared_fork.c (trap): a PTHREAD_PROCESS_SHARED mutex in shared memory, used by a parent and the
 * child it forks.
 *
 * The mutex and a counter live in a MAP_SHARED mapping. The parent locks the mutex and forks while
 * holding it: the child shares that very lock (it does not get a copy of its own), so the child does
 * not hold it; it waits until the parent unlocks. Each process then adds 1000 to the counter, one
 * locked increment at a time. racelab follows both processes; the child's lock is not a relock.
 * Expect: no findings; exit status 0; two processes in the report.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
    pthread_mutex_t counter_lock;
    long counter;
};

static void add_1000(struct shared *s)
{
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&s->counter_lock);
        s->counter++;
        pthread_mutex_unlock(&s->counter_lock);
    }
}

int main(void)
{
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        return 2;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->counter_lock, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_mutex_lock(&s->counter_lock);
    pid_t child = fork();
    if (child < 0)
        return 2;
    if (child == 0) {
        add_1000(s); /* its first lock waits until the parent unlocks */
        _exit(0);
    }
    pthread_mutex_unlock(&s->counter_lock);
    add_1000(s);
    int status = 0;
    waitpid(child, &status, 0);
    printf("counter %ld\n", s->counter);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && s->counter == 2000 ? 0 : 1;
}
