/* grade_sandbox.c: runs the commands a grading needs (compilers, `racelab run`) on a student's code
 * without trusting it: resource limits, a wall-clock time limit, output captured and capped, and,
 * when the grader runs as root, a user id of its own.
 *
 * Each command runs in its own process group, with stdin from /dev/null and stdout+stderr into one
 * pipe that the grader drains (the first output_limit bytes are kept, the rest counted). In the child,
 * before exec: RLIMIT_AS (memory), RLIMIT_CPU, RLIMIT_FSIZE (files written), RLIMIT_NPROC (fork bombs),
 * RLIMIT_CORE 0; then, as root, setgroups/setgid/setuid to the sandbox user: RLIMIT_NPROC is not
 * enforced for root, and the sandbox user cannot write outside its own directories nor signal the
 * grader. The id is 0x52000000 + the grader's pid: no other live grader has it, and it is in no
 * /etc/passwd. When root cannot drop (racelab's files unreadable by other users), commands run as
 * root and rl_sandbox.note says so.
 *
 * Should the grader die (killed, even with SIGKILL, by a platform's time limit), a reaper process it
 * starts first, in a session of its own, kills the commands' process groups and the sandbox user's
 * processes and removes the directory.
 *
 * At the time limit, with spare_leader, every other process of the command is killed first and the
 * leader (`racelab run`) gets a few seconds to write its report, so a hang still yields racelab's
 * findings (a deadlock report, say). Once the leader has ended, whatever it left behind is killed:
 * its process group, and as the sandbox user every process of that user (kill(-1), which also finds
 * processes that left the group with setsid).
 *
 * Failure contract: rl_sandbox_run never fails as such; a command that could not be started has
 * started = false and the reason in its output.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grade.h"

#define SANDBOX_UID_BASE 0x52000000u
#define LEADER_GRACE_SECONDS 5.0 /* after the time limit: racelab run writes its report meanwhile */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void drop_privileges(const rl_sandbox *sb)
{
    if (setgroups(0, NULL) != 0 || setgid(sb->gid) != 0 || setuid(sb->uid) != 0)
        _exit(126);
}

/* In a child running as the sandbox user: can it execute exe and read every path in paths? */
static bool sandbox_can_use(const rl_sandbox *sb, const char *exe, const char *const *paths)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        drop_privileges(sb);
        if (exe && access(exe, X_OK) != 0)
            _exit(1);
        for (size_t i = 0; paths && paths[i]; i++)
            if (access(paths[i], R_OK) != 0)
                _exit(2 + (int)(i < 100 ? i : 100));
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void kill_sandbox_user(const rl_sandbox *sb);

/* The reaper: in a session of its own (a kill of the grader's process group misses it), it reads the
 * process group of every command the grader starts, and when the pipe ends (the grader closed it, or
 * died, even by SIGKILL) kills those groups and the sandbox user's processes and removes the
 * directory. Never returns. */
static void reaper_main(const rl_sandbox *sb, int fd)
{
    setsid();
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    pid_t groups[4096];
    size_t n = 0;
    pid_t pg;
    ssize_t got;
    while ((got = read(fd, &pg, sizeof pg)) != 0) {
        if (got == (ssize_t)sizeof pg && n < sizeof groups / sizeof *groups)
            groups[n++] = pg;
        else if (got < 0 && errno != EINTR)
            break;
    }
    for (size_t i = 0; i < n; i++)
        kill(-groups[i], SIGKILL);
    kill_sandbox_user(sb);
    rl_remove_tree(sb->root);
    _exit(0);
}

static void start_reaper(rl_sandbox *sb)
{
    int p[2];
    sb->reaper_fd = -1;
    /* a socket pair rather than a pipe: send(MSG_NOSIGNAL) to a dead reaper fails, it raises no SIGPIPE */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) != 0)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        for (int fd = 3; fd < 1024; fd++) /* nothing of the grader's but the pipe */
            if (fd != p[0])
                close(fd);
        reaper_main(sb, p[0]);
    }
    close(p[0]);
    if (pid < 0) {
        close(p[1]);
        return;
    }
    sb->reaper = pid;
    sb->reaper_fd = p[1];
}

int rl_sandbox_open(rl_sandbox *sb, const char *exe, const char *const *paths, char *err, size_t err_len)
{
    memset(sb, 0, sizeof *sb);
    sb->reaper_fd = -1;
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(sb->root, sizeof sb->root, "%s/racelab-grade.XXXXXX", tmp);
    if (!mkdtemp(sb->root)) {
        snprintf(err, err_len, "cannot create a directory in %s: %s", tmp, strerror(errno));
        sb->root[0] = 0;
        return -1;
    }
    chmod(sb->root, 0711); /* the sandbox user may pass through, not list */
    if (geteuid() == 0) {
        sb->uid = sb->gid = SANDBOX_UID_BASE + (unsigned)getpid();
        sb->drop = true;
        if (!sandbox_can_use(sb, exe, paths)) {
            snprintf(sb->note, sizeof sb->note,
                     "running as root without a sandbox user (racelab's files are not usable by other users): "
                     "RLIMIT_NPROC is not enforced for root");
            sb->drop = false;
        }
    }
    start_reaper(sb);
    return 0;
}

int rl_sandbox_mkdir(const rl_sandbox *sb, const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    if (sb->drop && chown(dir, sb->uid, sb->gid) != 0)
        return -1;
    return 0;
}

/* Tasks (threads) the user owns now: RLIMIT_NPROC counts them all, so a non-root grader's limit is
 * this plus what the command may add. */
static long tasks_of_user(uid_t uid)
{
    long n = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300];
        struct stat st;
        snprintf(path, sizeof path, "/proc/%s/task", e->d_name);
        if (stat(path, &st) != 0 || st.st_uid != uid)
            continue;
        DIR *t = opendir(path);
        if (!t)
            continue;
        struct dirent *te;
        while ((te = readdir(t)))
            n += te->d_name[0] != '.';
        closedir(t);
    }
    closedir(d);
    return n;
}

/* Sends sig to every process in process group pgid, and (drop) to every process of the sandbox user,
 * except keep. Returns how many were signalled. */
static int kill_all_but(const rl_sandbox *sb, pid_t pgid, pid_t keep, int sig)
{
    int n = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        pid_t pid = (pid_t)atol(e->d_name);
        if (pid == keep || pid == getpid())
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t got = read(fd, buf, sizeof buf - 1);
        struct stat st;
        bool owned = sb->drop && fstat(fd, &st) == 0 && st.st_uid == sb->uid;
        close(fd);
        if (got <= 0)
            continue;
        buf[got] = 0;
        char *close_paren = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
        char state;
        int ppid, pgrp;
        if (!close_paren || sscanf(close_paren + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
            continue;
        if ((pgrp == pgid || owned) && kill(pid, sig) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* As the sandbox user, kills every process of that user (the processes of other users are out of its
 * reach). */
static void kill_sandbox_user(const rl_sandbox *sb)
{
    if (!sb->drop)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        drop_privileges(sb);
        /* kill(-1) walks the process list under the lock fork needs, and a process with SIGKILL
         * pending cannot complete a fork: one sweep gets them all. A second one costs nothing. */
        kill(-1, SIGKILL);
        kill(-1, SIGKILL);
        _exit(0);
    }
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
}

/* Kills everything a command left: its process group, then every process of the sandbox user. */
static void kill_leftovers(const rl_sandbox *sb, pid_t pgid)
{
    if (pgid > 1)
        kill(-pgid, SIGKILL);
    kill_sandbox_user(sb);
}

static void keep_output(rl_proc *out, const char *buf, size_t n, size_t limit)
{
    out->output_total += n;
    if (out->output_len >= limit)
        return;
    size_t take = n < limit - out->output_len ? n : limit - out->output_len;
    memcpy(out->output + out->output_len, buf, take);
    out->output_len += take;
    out->output[out->output_len] = 0;
}

/* In the child: never returns. */
static void exec_child(const rl_sandbox *sb, char *const argv[], char *const env[], const char *cwd,
                       const rl_limits *lim, int out_fd, int err_pipe, pid_t grader)
{
    setpgid(0, 0);
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
        goto fail;
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (cwd && chdir(cwd) != 0)
        goto fail;
    struct rlimit r;
    if (lim->memory_mb > 0) {
        r.rlim_cur = r.rlim_max = (rlim_t)lim->memory_mb << 20;
        setrlimit(RLIMIT_AS, &r);
    }
    if (lim->cpu_seconds > 0) {
        r.rlim_cur = (rlim_t)lim->cpu_seconds;
        r.rlim_max = (rlim_t)lim->cpu_seconds + 5; /* SIGXCPU first, then SIGKILL */
        setrlimit(RLIMIT_CPU, &r);
    }
    if (lim->file_mb > 0) {
        r.rlim_cur = r.rlim_max = (rlim_t)lim->file_mb << 20;
        setrlimit(RLIMIT_FSIZE, &r);
    }
    if (lim->processes > 0) {
        rlim_t n = (rlim_t)lim->processes;
        if (!sb->drop) /* the limit counts every task of this user, the grader's own included */
            n += (rlim_t)tasks_of_user(getuid());
        r.rlim_cur = r.rlim_max = n;
        setrlimit(RLIMIT_NPROC, &r);
    }
    r.rlim_cur = r.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &r);
    if (sb->drop)
        drop_privileges(sb);
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* after setuid, which clears it */
    if (getppid() != grader) /* the grader died before the line above: nobody would clean up after us */
        _exit(127);
    execvpe(argv[0], argv, env);
fail:;
    int e = errno;
    if (write(err_pipe, &e, sizeof e) < 0)
        _exit(127);
    _exit(127);
}

void rl_sandbox_run(const rl_sandbox *sb, char *const argv[], char *const env[], const char *cwd,
                    const rl_limits *lim, rl_proc *out)
{
    memset(out, 0, sizeof *out);
    out->status = -1;
    size_t limit = lim->output_limit > 0 ? (size_t)lim->output_limit : 65536;
    out->output = calloc(1, limit + 1);
    int fds[2], errp[2];
    if (pipe2(fds, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        snprintf(out->output, limit + 1, "cannot start %s: pipe: %s", argv[0], strerror(errno));
        out->output_len = out->output_total = strlen(out->output);
        return;
    }
    double start = now_seconds();
    pid_t grader = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        close(errp[0]);
        exec_child(sb, argv, env, cwd, lim, fds[1], errp[1], grader);
    }
    close(fds[1]);
    close(errp[1]);
    if (pid < 0) {
        close(fds[0]);
        close(errp[0]);
        snprintf(out->output, limit + 1, "cannot start %s: fork: %s", argv[0], strerror(errno));
        out->output_len = out->output_total = strlen(out->output);
        return;
    }
    setpgid(pid, pid);
    if (sb->reaper_fd >= 0 && send(sb->reaper_fd, &pid, sizeof pid, MSG_NOSIGNAL) != (ssize_t)sizeof pid) {
        /* the reaper is gone: the grader still cleans up itself */
    }
    int exec_errno = 0;
    ssize_t got;
    while ((got = read(errp[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
        ;
    close(errp[0]);
    out->started = got == 0;

    char buf[16384];
    bool exited = false, pipe_open = true;
    double killed_at = 0; /* when the time limit hit */
    int status = 0;
    while (!exited) {
        struct pollfd pfd = { fds[0], POLLIN, 0 };
        if (pipe_open && poll(&pfd, 1, 20) > 0) {
            ssize_t n = read(fds[0], buf, sizeof buf);
            if (n > 0)
                keep_output(out, buf, (size_t)n, limit);
            else if (n == 0)
                pipe_open = false;
        } else if (!pipe_open) {
            sleep_ms(10);
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            exited = true;
            break;
        }
        double t = now_seconds() - start;
        if (!out->timed_out && t > lim->seconds) {
            out->timed_out = true;
            killed_at = t;
            if (!lim->spare_leader)
                kill(-pid, SIGKILL);
        }
        if (out->timed_out && lim->spare_leader) {
            if (t - killed_at < LEADER_GRACE_SECONDS)
                kill_all_but(sb, pid, pid, SIGKILL);
            else
                kill(-pid, SIGKILL), kill(pid, SIGKILL);
        }
    }
    kill_leftovers(sb, pid);
    /* Drain what is still in the pipe; something that escaped both kills may hold it open: stop then. */
    double drain_until = now_seconds() + 1.0;
    while (pipe_open && now_seconds() < drain_until) {
        struct pollfd pfd = { fds[0], POLLIN, 0 };
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;
        keep_output(out, buf, (size_t)n, limit);
    }
    close(fds[0]);
    out->seconds = now_seconds() - start;
    if (WIFEXITED(status)) {
        out->status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out->signal = WTERMSIG(status);
    }
    if (!out->started) {
        out->status = -1;
        snprintf(out->output, limit + 1, "cannot run %s: %s", argv[0],
                 got == (ssize_t)sizeof exec_errno ? strerror(exec_errno) : "setup failed in the child");
        out->output_len = out->output_total = strlen(out->output);
    }
}

void rl_proc_free(rl_proc *p)
{
    free(p->output);
    memset(p, 0, sizeof *p);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void rl_remove_tree(const char *path)
{
    nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void rl_sandbox_close(rl_sandbox *sb)
{
    kill_sandbox_user(sb);
    if (sb->root[0])
        rl_remove_tree(sb->root);
    if (sb->reaper_fd >= 0) { /* the reaper finds nothing left to do, and ends */
        close(sb->reaper_fd);
        while (waitpid(sb->reaper, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    sb->reaper_fd = -1;
    sb->root[0] = 0;
}
