/* spawn_exec.c: a child started by fork+exec, vfork+exec or posix_spawn, while the parent's threads
 * hold locks; the exec'd child has a lock-order cycle of its own.
 *
 * Usage: spawn_exec fork|vfork|spawn. A parent thread holds `parent_lock` while main starts the child
 * (a barrier makes sure it does), which runs this same program (/proc/self/exe) as `spawn_exec
 * target`. The target's two threads, one after the other, take lock_a -> lock_b and lock_b -> lock_a
 * and it exits 0. The parent then releases its lock and waits for the child.
 * Expect: findings {potential-deadlock} (exactly one, lock_a and lock_b, with the child's pid, in its
 * exec'd image `spawn_exec target`); exit status 0 (racelab: 66).
 */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plant_cycle.h"

extern char **environ;

static pthread_mutex_t parent_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t holding, started;

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&parent_lock);
    pthread_barrier_wait(&holding);
    pthread_barrier_wait(&started);
    pthread_mutex_unlock(&parent_lock);
    return NULL;
}

static int target(void)
{
    plant_lock_order_cycle();
    return 0;
}

static pid_t start_child(const char *how, char *self)
{
    char *args[] = { self, "target", NULL };
    pid_t pid = -1;
    if (strcmp(how, "spawn") == 0) {
        if (posix_spawn(&pid, self, NULL, NULL, args, environ) != 0)
            return -1;
        return pid;
    }
    fflush(NULL);
    pid = strcmp(how, "vfork") == 0 ? vfork() : fork();
    if (pid == 0) {
        execv(self, args);
        _exit(127);
    }
    return pid;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "target") == 0)
        return target();
    if (argc != 2 || (strcmp(argv[1], "fork") && strcmp(argv[1], "vfork") && strcmp(argv[1], "spawn"))) {
        fprintf(stderr, "usage: spawn_exec fork|vfork|spawn\n");
        return 2;
    }
    static char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = 0;
    pthread_barrier_init(&holding, NULL, 2);
    pthread_barrier_init(&started, NULL, 2);
    pthread_t h;
    pthread_create(&h, NULL, holder, NULL);
    pthread_barrier_wait(&holding);
    pid_t child = start_child(argv[1], self);
    pthread_barrier_wait(&started);
    pthread_join(h, NULL);
    int status;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawn_exec: the child failed\n");
        return 1;
    }
    return 0;
}
