/* pool.c, WRONG: cuts the numbers into `workers` blocks of n / workers. When n is not a multiple of
 * workers, the last n % workers numbers belong to no block and are never squared. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

/* Writes all of buf, or returns -1. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads exactly len bytes, or returns -1. */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int pool_square(const long *in, long *out, size_t n, int workers)
{
    int *fds = calloc((size_t)workers, sizeof *fds);
    pid_t *pids = calloc((size_t)workers, sizeof *pids);
    int rc = 0, started = 0;
    if (!fds || !pids)
        rc = -1;
    for (int w = 0; w < workers && rc == 0; w++) {
        int p[2];
        if (pipe(p) != 0) {
            rc = -1;
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            rc = -1;
            break;
        }
        if (pid == 0) { /* the worker */
            close(p[0]);
            for (int k = 0; k < w; k++)
                close(fds[k]);
            size_t block = n / (size_t)workers;
            for (size_t i = (size_t)w * block; i < (size_t)(w + 1) * block; i++) {
                long square = slow_square(in[i]);
                if (write_all(p[1], &square, sizeof square) != 0)
                    _exit(1);
            }
            _exit(0);
        }
        close(p[1]);
        fds[w] = p[0];
        pids[w] = pid;
        started++;
    }
    for (int w = 0; w < started; w++) {
        size_t block = n / (size_t)workers;
        for (size_t i = (size_t)w * block; i < (size_t)(w + 1) * block && rc == 0; i++)
            if (read_all(fds[w], &out[i], sizeof out[i]) != 0)
                rc = -1;
        close(fds[w]);
    }
    for (int w = 0; w < started; w++) {
        int status;
        while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = -1;
    }
    free(fds);
    free(pids);
    return rc;
}
