/* robust_owner_died.c: robust mutexes whose owner dies holding them, recovered with
 * pthread_mutex_consistent().
 *
 * 1. Main locks and unlocks the robust mutex `robust_lock`. A thread locks it and returns holding
 *    it. Main's next lock (of a lock and lock order racelab already knows) returns
 *    EOWNERDEAD: main now holds it, marks it consistent, unlocks, and locks and unlocks it again.
 * 2. A forked child locks the process-shared robust mutex in shared memory and _exit()s holding it
 *    (it runs no end-of-process code). The parent's next lock returns EOWNERDEAD, and it recovers.
 * The thread in part 1 did end holding a lock: held-at-exit, once. The recoveries are correct: no
 * double-lock, unlock-unlocked or unlock-foreign. Each EOWNERDEAD is noted in the report.
 * Expect: findings {held-at-exit} on robust_lock, exactly one; a runtime note about EOWNERDEAD;
 * exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t robust_lock;

static void *dies_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust_lock);
    return NULL;
}

/* Locks m, recovering it if its owner died; returns 1 if it had to. */
static int lock_recovering(pthread_mutex_t *m)
{
    int rc = pthread_mutex_lock(m);
    if (rc == EOWNERDEAD) {
        pthread_mutex_consistent(m);
        return 1;
    }
    return rc == 0 ? 0 : -1;
}

static void init_robust(pthread_mutex_t *m, int pshared)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setpshared(&attr, pshared);
    pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
}

int main(void)
{
    init_robust(&robust_lock, PTHREAD_PROCESS_PRIVATE);
    pthread_mutex_lock(&robust_lock); /* main has taken it before: its later lock is a known one */
    pthread_mutex_unlock(&robust_lock);
    pthread_t t;
    pthread_create(&t, NULL, dies_holding, NULL);
    pthread_join(t, NULL);
    int recovered_thread = lock_recovering(&robust_lock);
    pthread_mutex_unlock(&robust_lock);
    int again = lock_recovering(&robust_lock);
    pthread_mutex_unlock(&robust_lock);

    pthread_mutex_t *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return 2;
    init_robust(shared, PTHREAD_PROCESS_SHARED);
    pid_t child = fork();
    if (child == 0) {
        pthread_mutex_lock(shared);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    int recovered_process = lock_recovering(shared);
    pthread_mutex_unlock(shared);
    printf("recovered from a dead thread: %d, then a clean lock: %d, from a dead process: %d\n",
           recovered_thread, again == 0, recovered_process);
    return recovered_thread == 1 && again == 0 && recovered_process == 1 ? 0 : 1;
}
