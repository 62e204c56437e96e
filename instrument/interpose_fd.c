/* interpose_fd.c: close, dup2, dup3, close_range and closefrom. A program that closes every descriptor
 * (a daemon's idiom) or reuses descriptor numbers must not close or take over the runtime's event log:
 * the report would silently lose everything logged after, or the log would land in the program's own
 * file. So the log's descriptor is kept: closing it pretends to succeed, dup2/dup3 onto it first move
 * the log to another number (under rt.lock, where single lines are written; a thread flushing its
 * batch at that very moment may still write to the old number), and close_range/closefrom leave it
 * out. Other descriptors go straight to the C library. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "rt.h"

typedef struct real_fd_fns {
    int (*close)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*close_range)(unsigned, unsigned, int); /* glibc 2.34+ */
    void (*closefrom)(int);                      /* glibc 2.34+ */
} real_fd_fns;

static real_fd_fns real_fd;

static void resolve(void)
{
    if (__atomic_load_n(&real_fd.close, __ATOMIC_ACQUIRE))
        return;
    *(void **)&real_fd.dup2 = dlsym(RTLD_NEXT, "dup2");
    *(void **)&real_fd.dup3 = dlsym(RTLD_NEXT, "dup3");
    *(void **)&real_fd.close_range = dlsym(RTLD_NEXT, "close_range");
    *(void **)&real_fd.closefrom = dlsym(RTLD_NEXT, "closefrom");
    void *close_fn = dlsym(RTLD_NEXT, "close");
    __atomic_store_n((void **)&real_fd.close, close_fn, __ATOMIC_RELEASE);
}

static bool is_log(int fd) { return fd >= 0 && fd == __atomic_load_n(&rt.log_fd, __ATOMIC_RELAXED); }

/* Before the program's descriptor `fd` is replaced: if it is the log, the log moves elsewhere. */
static void move_log_off(int fd)
{
    if (!is_log(fd))
        return;
    rt_real_resolve();
    rt_real.mutex_lock(&rt.lock);
    if (is_log(fd)) {
        int moved = fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);
        /* no free descriptor: the program's call wins, and the log stops rather than go astray */
        __atomic_store_n(&rt.log_fd, moved, __ATOMIC_RELAXED);
    }
    rt_real.mutex_unlock(&rt.lock);
}

RT_EXPORT int close(int fd)
{
    resolve();
    if (__builtin_expect(is_log(fd), 0))
        return 0; /* kept open; the program's next open() gets another number */
    return real_fd.close(fd);
}

RT_EXPORT int dup2(int oldfd, int newfd)
{
    resolve();
    if (__builtin_expect(oldfd != newfd && is_log(newfd), 0))
        move_log_off(newfd);
    return real_fd.dup2(oldfd, newfd);
}

RT_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    resolve();
    if (__builtin_expect(oldfd != newfd && is_log(newfd), 0))
        move_log_off(newfd);
    return real_fd.dup3(oldfd, newfd, flags);
}

RT_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
    resolve();
    if (!real_fd.close_range) {
        errno = ENOSYS;
        return -1;
    }
    int log = __atomic_load_n(&rt.log_fd, __ATOMIC_RELAXED);
    /* CLOSE_RANGE_CLOEXEC closes nothing (the log is close-on-exec already) */
    if (log < 0 || (unsigned)log < first || (unsigned)log > last || first > last || (flags & CLOSE_RANGE_CLOEXEC))
        return real_fd.close_range(first, last, flags);
    /* the log alone, as close-on-exec: the kernel still checks the flags and unshares when asked */
    int rc = real_fd.close_range((unsigned)log, (unsigned)log, flags | CLOSE_RANGE_CLOEXEC);
    if (rc == 0 && (unsigned)log > first)
        rc = real_fd.close_range(first, (unsigned)log - 1, flags);
    if (rc == 0 && (unsigned)log < last)
        rc = real_fd.close_range((unsigned)log + 1, last, flags);
    return rc;
}

RT_EXPORT void closefrom(int lowfd)
{
    resolve();
    int log = __atomic_load_n(&rt.log_fd, __ATOMIC_RELAXED);
    if (log < 0 || log < lowfd || !real_fd.close_range) {
        if (real_fd.closefrom)
            real_fd.closefrom(lowfd);
        return;
    }
    if (log > lowfd)
        real_fd.close_range((unsigned)lowfd, (unsigned)log - 1, 0);
    real_fd.closefrom(log + 1);
}
