/* pool.c: reference solution. Worker w squares the numbers w, w + W, w + 2W, ... (dealt out like cards,
 * so the shares differ by at most one) and writes its squares, in that order, into its own pipe. The
 * parent starts every worker first, then reads each pipe to the end (read() may return less than asked
 * for), then waits for every worker. */
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
            for (size_t i = (size_t)w; i < n; i += (size_t)workers) {
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
        for (size_t i = (size_t)w; i < n && rc == 0; i += (size_t)workers)
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
