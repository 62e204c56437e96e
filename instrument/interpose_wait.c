/* interpose_wait.c: wait(), waitpid(), wait3(), wait4() and waitid(): when the program itself reaps a child that ended,
 * a W line records how (exit status or signal), so the report can say how every followed child
 * ended even though racelab never sees the status of a child its parent waits for. The real
 * function's result and errno are returned unchanged.
 * These may be called from a SIGCHLD handler: nothing here takes a lock or allocates; the line is
 * built on the stack and written with one write(2). The real functions are looked up once with
 * dlsym (a benign race: every thread stores the same pointer). */
#include <dlfcn.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "rt.h"

typedef pid_t (*wait4_fn)(pid_t, int *, int, struct rusage *);
static _Atomic(wait4_fn) real_wait4;

static wait4_fn wait4_real(void)
{
    wait4_fn f = atomic_load_explicit(&real_wait4, memory_order_relaxed);
    if (!f) {
        f = (wait4_fn)dlsym(RTLD_NEXT, "wait4");
        atomic_store_explicit(&real_wait4, f, memory_order_relaxed);
    }
    return f;
}

static void log_reaped(pid_t pid, int status)
{
    if (pid <= 0 || !atomic_load_explicit(&rt.ready, memory_order_acquire) ||
        !(WIFEXITED(status) || WIFSIGNALED(status)))
        return;
    int saved = errno;
    rt_line ln;
    rt_line_start(&ln, "W");
    rt_line_u64(&ln, (uint64_t)pid);
    rt_line_i64(&ln, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    rt_line_u64(&ln, WIFSIGNALED(status) ? (uint64_t)WTERMSIG(status) : 0);
    rt_line_end(&ln);
    errno = saved;
}

RT_EXPORT pid_t wait4(pid_t pid, int *wstatus, int options, struct rusage *usage)
{
    wait4_fn real = wait4_real();
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    int status = 0;
    pid_t got = real(pid, &status, options, usage);
    if (got > 0) {
        log_reaped(got, status);
        if (wstatus)
            *wstatus = status;
    }
    return got;
}

RT_EXPORT pid_t waitpid(pid_t pid, int *wstatus, int options) { return wait4(pid, wstatus, options, NULL); }

RT_EXPORT pid_t wait(int *wstatus) { return wait4(-1, wstatus, 0, NULL); }

/* (dash, and so system() and popen() children, reap with wait3) */
RT_EXPORT pid_t wait3(int *wstatus, int options, struct rusage *usage) { return wait4(-1, wstatus, options, usage); }

typedef int (*waitid_fn)(idtype_t, id_t, siginfo_t *, int);
static _Atomic(waitid_fn) real_waitid;

RT_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
    waitid_fn real = atomic_load_explicit(&real_waitid, memory_order_relaxed);
    if (!real) {
        real = (waitid_fn)dlsym(RTLD_NEXT, "waitid");
        atomic_store_explicit(&real_waitid, real, memory_order_relaxed);
    }
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    int rc = real(idtype, id, info, options);
    if (rc == 0 && info && info->si_pid > 0 && !(options & WNOWAIT)) { /* WNOWAIT: it is still to be reaped */
        if (info->si_code == CLD_EXITED)
            log_reaped(info->si_pid, W_EXITCODE(info->si_status, 0));
        else if (info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED)
            log_reaped(info->si_pid, info->si_status); /* a status that WIFSIGNALED reads as that signal */
    }
    return rc;
}
