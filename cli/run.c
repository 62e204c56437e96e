/* run.c: `racelab run [OPTIONS] -- PROGRAM [ARGS...]`: checks the program can be started, runs it with
 * the runtime preloaded and a fresh event-log directory, follows every process it forks (racelab
 * becomes their subreaper, so orphans are waited for too), then builds the report from the logs,
 * prints it and writes the JSON (to FILE.tmp, renamed when complete). */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "eventlog.h"
#include "report.h"
#include "tsan_report.h"

typedef struct run_options {
#define RL_OPTION(kind, field, name, takes, rt, help) RL_OPT_##kind field;
#define RL_OPT_STR const char *
#define RL_OPT_BOOL int
#include "options.inc"
#undef RL_OPTION
} run_options;

void rl_cli_run_options_help(FILE *out)
{
    fprintf(out, "Options (also accepted as RACELAB_OPTIONS=\"name=value:name=value\"):\n");
#define RL_OPTION(kind, field, name, takes, rt, help) \
    fprintf(out, "  --%-14s %s\n", takes ? name " VALUE" : name, help);
#include "options.inc"
#undef RL_OPTION
    fprintf(out, "  --%-14s %s\n", "help", "this help");
}

/* Sets one option; returns 0, or -1 if the name is unknown. */
static int set_option(run_options *o, const char *name, const char *value)
{
#define RL_OPTION(kind, field, oname, takes, rt, help)                        \
    if (strcmp(name, oname) == 0) {                                          \
        RL_SET_##kind(o->field, value);                                      \
        return 0;                                                            \
    }
#define RL_SET_STR(f, v) (f) = (v)
#define RL_SET_BOOL(f, v) (f) = !(v) || (strcmp((v), "0") != 0 && strcmp((v), "false") != 0)
#include "options.inc"
#undef RL_OPTION
    return -1;
}

static bool option_takes_value(const char *name)
{
#define RL_OPTION(kind, field, oname, takes, rt, help) \
    if (strcmp(name, oname) == 0)                     \
        return takes;
#include "options.inc"
#undef RL_OPTION
    return false;
}

/* The options the runtime reads, as "name=value:..." (names with '_' as the runtime spells them). */
static void runtime_options(const run_options *o, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = 0;
#define RL_OPTION(kind, field, oname, takes, rt, help)                                             \
    if (rt && o->field) {                                                                          \
        char nm[32];                                                                               \
        snprintf(nm, sizeof nm, "%s", oname);                                                      \
        for (char *c = nm; *c; c++)                                                                \
            if (*c == '-')                                                                         \
                *c = '_';                                                                          \
        at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s=%s", at ? ":" : "", nm,        \
                               RL_STR_##kind(o->field));                                           \
    }
#define RL_STR_STR(v) (v)
#define RL_STR_BOOL(v) ((v) ? "1" : "0")
#include "options.inc"
#undef RL_OPTION
    if (o->html && !o->timeline) /* the HTML report shows the timeline: record one */
        snprintf(buf + at, at < n ? n - at : 0, "%stimeline=1", at ? ":" : "");
}

/* The numbers the runtime reads (instrument/options.c): plain decimal digits, nothing else (no sign,
 * space, 0x), up to max. A space would split the value inside RACELAB_OPTIONS, and the runtime cannot
 * say no: whatever it cannot read would silently become another number. */
static bool valid_decimal(const char *v, uint64_t max)
{
    if (!v || !*v)
        return false;
    uint64_t n = 0;
    for (; *v; v++) {
        if (*v < '0' || *v > '9')
            return false;
        uint64_t digit = (uint64_t)(*v - '0');
        if (n > (max - digit) / 10)
            return false;
        n = n * 10 + digit;
    }
    return true;
}

static int validate_options(const run_options *o)
{
    if (o->schedule && strcmp(o->schedule, "native") && strcmp(o->schedule, "random") &&
        strcmp(o->schedule, "pct") && strcmp(o->schedule, "serial")) {
        rl_cli_error("unknown schedule '%s' (native, random, pct or serial)", o->schedule);
        return -1;
    }
    /* the seed goes into the JSON report, whose integers are signed 64-bit: 0 to 2^63-1 (jansson's
     * json_int_t), so that the report's seed and its rerun command are the same number */
    const struct { const char *value, *name; uint64_t max; } nums[] = {
        { o->seed, "seed", INT64_MAX },
        { o->pct_depth, "pct-depth", INT_MAX },
        { o->pct_steps, "pct-steps", UINT64_MAX },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (nums[i].value && !valid_decimal(nums[i].value, nums[i].max)) {
            rl_cli_error("--%s needs a number from 0 to %llu in decimal digits, not '%s'", nums[i].name,
                         (unsigned long long)nums[i].max, nums[i].value);
            return -1;
        }
    return 0;
}

static int parse_env_options(run_options *o, char *buf)
{
    char *save = NULL;
    for (char *tok = strtok_r(buf, ": ", &save); tok; tok = strtok_r(NULL, ": ", &save)) {
        char *eq = strchr(tok, '=');
        if (eq)
            *eq = 0;
        for (char *c = tok; *c; c++) /* pct_depth and pct-depth alike */
            if (*c == '_')
                *c = '-';
        if (set_option(o, tok, eq ? eq + 1 : NULL) != 0) {
            rl_cli_error("unknown option '%s' in RACELAB_OPTIONS", tok);
            return -1;
        }
    }
    return 0;
}

/* Finds PROGRAM like execvp would. Returns 0, or the exit status to use (with the message printed). */
static int resolve_program(const char *prog, char *out, size_t n)
{
    struct stat st;
    if (strchr(prog, '/')) {
        snprintf(out, n, "%s", prog);
    } else {
        const char *path = getenv("PATH");
        bool found = false;
        for (const char *p = path ? path : "/usr/bin:/bin"; p && *p && !found;) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);
            snprintf(out, n, "%.*s/%s", (int)len, len ? p : ".", prog);
            found = stat(out, &st) == 0 && S_ISREG(st.st_mode);
            p = colon ? colon + 1 : NULL;
        }
        if (!found) {
            rl_cli_error("cannot find program '%s' (not in PATH)", prog);
            return RL_EXIT_NOT_FOUND;
        }
    }
    if (stat(out, &st) != 0) {
        rl_cli_error("cannot find program '%s': %s", prog, strerror(errno));
        return RL_EXIT_NOT_FOUND;
    }
    if (!S_ISREG(st.st_mode) || access(out, X_OK) != 0) {
        rl_cli_error("cannot run '%s': %s", prog, S_ISDIR(st.st_mode) ? "it is a directory" : "not executable");
        return RL_EXIT_NOT_EXECUTABLE;
    }
    return 0;
}

/* An ELF executable without a program interpreter is statically linked: LD_PRELOAD cannot work. */
static bool is_static_elf(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    Elf64_Ehdr eh;
    bool is_static = false;
    if (read(fd, &eh, sizeof eh) == (ssize_t)sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
        eh.e_ident[EI_CLASS] == ELFCLASS64) {
        bool interp = false;
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize)) != (ssize_t)sizeof ph)
                break;
            if (ph.p_type == PT_INTERP)
                interp = true;
        }
        is_static = !interp;
    }
    close(fd);
    return is_static;
}

/* A set-user-ID or set-group-ID program that really changes identity when run (owner or group not
 * ours, file system not mounted nosuid) runs in the loader's secure mode, which ignores LD_PRELOAD. */
static bool is_secure_exec(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    bool changes_uid = (st.st_mode & S_ISUID) && st.st_uid != getuid();
    bool changes_gid = (st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP) && st.st_gid != getgid();
    if (!changes_uid && !changes_gid)
        return false;
    struct statvfs fs;
    return !(statvfs(path, &fs) == 0 && (fs.f_flag & ST_NOSUID));
}

static int runtime_path(char *out, size_t n)
{
    const char *env = getenv("RACELAB_RUNTIME");
    if (env && *env) {
        snprintf(out, n, "%s", env);
    } else {
        char self[PATH_MAX];
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len <= 0)
            return -1;
        self[len] = 0;
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0;
        snprintf(out, n, "%s/../lib/libracelab.so", self);
    }
    char resolved[PATH_MAX];
    if (!realpath(out, resolved))
        return -1;
    snprintf(out, n, "%s", resolved);
    return 0;
}

static volatile sig_atomic_t child_pid_for_signals;

/* A stopped program (it stopped itself, or was stopped by a ^Z racelab did not see) keeps a forwarded
 * SIGTERM pending until it is continued: so it is continued too, and the signal acts. */
static void forward_signal(int sig)
{
    if (child_pid_for_signals > 0) {
        kill(child_pid_for_signals, sig);
        kill(child_pid_for_signals, SIGCONT);
    }
}

/* Once the program has ended a signal is for racelab itself (a `timeout` around it, a Ctrl-C while a
 * big report is built): stop at once, leaving no report behind (only the temporary file existed). */
static char abandon_tmp_path[PATH_MAX];
static char abandon_log_dir[PATH_MAX];

/* Removes the event-log directory (the runtime's flat files: racelab.PID.log, TSan's tsan.PID) with
 * system calls only, so that the signal handler below can use it too. */
static void remove_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        static _Alignas(8) char buf[4096]; /* one caller at a time: run_command, or the handler that ends it */
        ssize_t n;
        while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
            for (ssize_t at = 0; at < n;) {
                struct dirent64 *e = (struct dirent64 *)(buf + at);
                if (!(e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))))
                    unlinkat(fd, e->d_name, 0);
                at += e->d_reclen;
            }
        }
        close(fd);
    }
    rmdir(dir);
}

static void abandon_report(int sig)
{
    static const char msg[] = "racelab: interrupted after the program ended; no report written\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do about it */ }
    if (abandon_tmp_path[0])
        unlink(abandon_tmp_path);
    if (abandon_log_dir[0] && !getenv("RACELAB_KEEP_LOGS")) /* getenv only reads: safe here */
        remove_dir(abandon_log_dir);
    _exit(128 + sig);
}

/* The report as one buffer, then written in full: jansson's json_dumpfd makes one write(2) per token. */
static int write_json_report(const json_t *report, int fd)
{
    char *text = json_dumps(report, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the terminator: json_dumps' buffer is not reused as a string */
    size_t done = 0;
    while (done < len + 1) {
        ssize_t w = write(fd, text + done, len + 1 - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            free(text);
            return -1;
        }
        done += (size_t)w;
    }
    free(text);
    return 0;
}

/* Waits for the remaining descendants (we are their subreaper), up to a bound. */
static void reap_descendants(rl_child_status **kids, size_t *n_kids)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p > 0) {
            rl_child_status *g = realloc(*kids, (*n_kids + 1) * sizeof *g);
            if (g) {
                *kids = g;
                g[*n_kids].pid = p;
                g[*n_kids].status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
                g[*n_kids].signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
                (*n_kids)++;
            }
            continue;
        }
        if (p < 0)
            return; /* ECHILD: none left */
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 10) {
            rl_cli_error("processes forked by the program were still running 10 s after it ended; reporting without them");
            return;
        }
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

/* The program's environment: racelab's, less every variable named in ours[] (NAME=VALUE; NULL entries
 * are skipped) and the one named drop, then ours[]. Only the pointer array is allocated. */
static char **program_environment(char *ours[], size_t n_ours, const char *drop)
{
    extern char **environ;
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **envp = malloc((n + n_ours + 1) * sizeof *envp);
    if (!envp)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = environ[i];
        size_t name_len = strcspn(e, "=");
        bool replaced = name_len == strlen(drop) && strncmp(e, drop, name_len) == 0;
        for (size_t j = 0; j < n_ours && !replaced; j++)
            replaced = ours[j] && strncmp(e, ours[j], name_len + 1) == 0;
        if (!replaced)
            envp[k++] = environ[i];
    }
    for (size_t j = 0; j < n_ours; j++)
        if (ours[j])
            envp[k++] = ours[j];
    envp[k] = NULL;
    return envp;
}

/* Starts the program with vfork(2) and execve(2): the child borrows racelab's memory until the exec, so
 * no page table is copied (fork did that for all of racelab's libraries: about 1 ms a run here). Between
 * the two the child only sets the memory limit (limit_mb > 0, for the program alone: nothing of racelab's
 * allocates under it) and on failure leaves the errno where the parent finds it. Returns the child's pid;
 * -1 with *exec_errno set if the exec failed (the child is reaped), -1 with errno set if vfork did. */
static pid_t spawn_program(const char *program, char *const argv[], char *const envp[], long limit_mb,
                           int *exec_errno)
{
    volatile int child_errno = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        if (limit_mb > 0) {
            struct rlimit lim = { (rlim_t)limit_mb << 20, (rlim_t)limit_mb << 20 };
            setrlimit(RLIMIT_AS, &lim);
        }
        execve(program, argv, envp);
        child_errno = errno ? errno : ENOEXEC;
        _exit(127);
    }
    if (pid > 0 && child_errno) {
        *exec_errno = child_errno;
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

/* `racelab run` with the RACELAB_OPTIONS text env_opts (parsed in place, NULL if none). */
static int run_command(int argc, char **argv, char *env_opts)
{
    run_options opt = { 0 };
    int rc;
    if (env_opts && parse_env_options(&opt, env_opts) != 0)
        return RL_EXIT_USAGE;
    int i = 0;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: racelab run [OPTIONS] -- PROGRAM [ARGS...]\n\n");
            rl_cli_run_options_help(stdout);
            return 0;
        }
        if (strncmp(a, "--", 2) != 0) {
            rl_cli_error("expected '--' before the program: racelab run [OPTIONS] -- %s ...", a);
            return RL_EXIT_USAGE;
        }
        char name[64];
        const char *eq = strchr(a + 2, '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq ? (size_t)(eq - a - 2) : strlen(a + 2)), a + 2);
        const char *value = eq ? eq + 1 : NULL;
        if (option_takes_value(name) && !value) {
            if (i + 1 >= argc || strcmp(argv[i + 1], "--") == 0) {
                rl_cli_error("option --%s needs a value", name);
                return RL_EXIT_USAGE;
            }
            value = argv[++i];
        }
        if (set_option(&opt, name, value) != 0) {
            rl_cli_error("unknown option '%s' (try: racelab run --help)", a);
            return RL_EXIT_USAGE;
        }
    }
    if (validate_options(&opt) != 0)
        return RL_EXIT_USAGE;
    if (opt.json && (rc = rl_cli_probe_output(opt.json, "the JSON report")) != 0)
        return rc;
    if (opt.html && (rc = rl_cli_probe_output(opt.html, "the HTML report")) != 0)
        return rc;
    if (i >= argc) {
        rl_cli_error("expected '--' and a program: racelab run [OPTIONS] -- PROGRAM [ARGS...]");
        return RL_EXIT_USAGE;
    }
    if (i + 1 >= argc) {
        rl_cli_error("no program given after '--'");
        return RL_EXIT_USAGE;
    }
    char **prog_argv = argv + i + 1;
    int prog_argc = argc - i - 1;

    char program[PATH_MAX];
    rc = resolve_program(prog_argv[0], program, sizeof program);
    if (rc)
        return rc;
    /* A ThreadSanitizer build intercepts the same pthread functions as racelab's runtime, and TSan
     * must be the first thing to initialise in its process: the runtime is not preloaded into it.
     * TSan's own report goes to the log directory and is merged into racelab's. */
    bool tsan = rl_is_tsan_binary(program);
    bool is_static = !tsan && is_static_elf(program);
    bool is_setid = !tsan && !is_static && is_secure_exec(program);
    bool instrumented = !tsan && !is_static && !is_setid;
    const char *unchecked_why = NULL;
    if (is_static) {
        unchecked_why = "the program is statically linked, so racelab could not preload its checker into it: nothing was checked";
        fprintf(stderr, "racelab: warning: '%s' is statically linked, so racelab cannot preload its checker into it; "
                        "running it unchecked (link it dynamically to check it)\n", prog_argv[0]);
    } else if (is_setid) {
        unchecked_why = "the program is set-user-ID or set-group-ID, so the dynamic loader ignored racelab's preload: nothing was checked";
        fprintf(stderr, "racelab: warning: '%s' is set-user-ID or set-group-ID, so the dynamic loader ignores LD_PRELOAD "
                        "for it; running it unchecked (check a copy without that bit)\n", prog_argv[0]);
    }

    char tmp_json[PATH_MAX] = "";
    int json_fd = -1;
    if (opt.json) {
        snprintf(tmp_json, sizeof tmp_json, "%s.tmp", opt.json);
        json_fd = open(tmp_json, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (json_fd < 0) {
            rl_cli_error("cannot write the report to '%s': %s", opt.json, strerror(errno));
            return RL_EXIT_REPORT_UNWRITABLE;
        }
    }
    char runtime[PATH_MAX];
    if (runtime_path(runtime, sizeof runtime) != 0) {
        rl_cli_error("cannot find the runtime libracelab.so next to racelab (set RACELAB_RUNTIME)");
        if (json_fd >= 0) { close(json_fd); unlink(tmp_json); }
        return RL_EXIT_INTERNAL;
    }
    const char *tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char logdir[PATH_MAX];
    snprintf(logdir, sizeof logdir, "%s/racelab.XXXXXX", tmpdir);
    if (!mkdtemp(logdir)) {
        rl_cli_error("cannot create a temporary directory in %s: %s", tmpdir, strerror(errno));
        if (json_fd >= 0) { close(json_fd); unlink(tmp_json); }
        return RL_EXIT_INTERNAL;
    }
    /* an absolute path: with a relative TMPDIR, a program that changes directory would lose it */
    char absolute_logdir[PATH_MAX];
    if (logdir[0] != '/' && realpath(logdir, absolute_logdir))
        snprintf(logdir, sizeof logdir, "%s", absolute_logdir);

    prctl(PR_SET_CHILD_SUBREAPER, 1);
    /* the program's environment: racelab's own variables replace any the user had */
    char preload[2 * PATH_MAX + 16], tsan_opts[PATH_MAX + 1024], logdir_var[PATH_MAX + 32], rtopts[1100];
    const char *old = getenv("LD_PRELOAD");
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s%s%s", runtime, old && *old ? ":" : "", old && *old ? old : "");
    const char *user_tsan = getenv("TSAN_OPTIONS");
    snprintf(tsan_opts, sizeof tsan_opts, "TSAN_OPTIONS=%s%slog_path=%s/tsan", user_tsan && *user_tsan ? user_tsan : "",
             user_tsan && *user_tsan ? " " : "", logdir);
    snprintf(logdir_var, sizeof logdir_var, "RACELAB_LOG_DIR=%s", logdir);
    memcpy(rtopts, "RACELAB_OPTIONS=", 16);
    runtime_options(&opt, rtopts + 16, sizeof rtopts - 16);
    /* the grader's memory limit for the program alone, when racelab cannot run under it (grade.c) */
    const char *memory_mb = getenv("RACELAB_PROGRAM_MEMORY_MB");
    long limit_mb = memory_mb ? atol(memory_mb) : 0;
    char *ours[] = { logdir_var, rtopts, instrumented ? preload : NULL, tsan ? tsan_opts : NULL };
    char **envp = program_environment(ours, sizeof ours / sizeof ours[0], "RACELAB_PROGRAM_MEMORY_MB");
    if (!envp) {
        rl_cli_error("out of memory");
        remove_dir(logdir);
        if (json_fd >= 0) { close(json_fd); unlink(tmp_json); }
        return RL_EXIT_INTERNAL;
    }
    fflush(NULL);
    int exec_errno = 0;
    pid_t child = spawn_program(program, prog_argv, envp, limit_mb, &exec_errno);
    free(envp);
    if (child < 0 && !exec_errno) {
        rl_cli_error("cannot start the program: vfork: %s", strerror(errno));
        remove_dir(logdir);
        if (json_fd >= 0) { close(json_fd); unlink(tmp_json); }
        return RL_EXIT_INTERNAL;
    }
    if (child < 0) {
        rl_cli_error("cannot run '%s': %s", prog_argv[0], strerror(exec_errno));
        remove_dir(logdir);
        if (json_fd >= 0) { close(json_fd); unlink(tmp_json); }
        return exec_errno == ENOENT ? RL_EXIT_NOT_FOUND : RL_EXIT_NOT_EXECUTABLE;
    }
    child_pid_for_signals = child;
    struct sigaction sa = { 0 };
    sa.sa_handler = forward_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);

    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    snprintf(abandon_tmp_path, sizeof abandon_tmp_path, "%s", tmp_json);
    snprintf(abandon_log_dir, sizeof abandon_log_dir, "%s", logdir);
    sa.sa_handler = abandon_report;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    rl_child_status *kids = NULL;
    size_t n_kids = 0;
    reap_descendants(&kids, &n_kids);

    rl_eventlog log = { 0 };
    rl_eventlog_read_dir(logdir, &log);
    char cwd[PATH_MAX];
    rl_run_info info = {
        .program = program,
        .args = prog_argv + 1,
        .n_args = prog_argc - 1,
        .main_pid = child,
        .exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1,
        .exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0,
        .instrumented = instrumented,
        .source_root = getcwd(cwd, sizeof cwd) ? cwd : NULL,
        .children = kids,
        .n_children = n_kids,
        .schedule = opt.schedule,
        .seed = opt.seed ? strtoull(opt.seed, NULL, 10) : 1, /* validated digits; 1 is the runtime's default */
    };
    bool main_seen = false;
    for (size_t k = 0; k < log.n_procs; k++)
        main_seen |= log.procs[k].pid == child;
    /* processes without an exit record that are still alive (a daemon the program left behind, still
     * running when racelab stopped waiting for it) are not "crashed or killed" */
    int *still_running = calloc(log.n_procs + 1, sizeof *still_running);
    for (size_t k = 0; still_running && k < log.n_procs; k++)
        if (!log.procs[k].exit_how[0] && log.procs[k].pid != child && kill(log.procs[k].pid, 0) == 0)
            still_running[info.n_still_running++] = log.procs[k].pid;
    info.still_running = still_running;
    if (instrumented && !main_seen) {
        /* the runtime never started in the program: nothing was checked, say so rather than "clean" */
        fprintf(stderr, "racelab: warning: racelab's runtime did not start inside '%s' (the preload failed?): "
                        "nothing was checked\n", prog_argv[0]);
        info.instrumented = false;
        unchecked_why = "racelab's runtime did not start inside the program (the preload failed?): nothing was checked";
    }
    json_t *report = rl_report_build(&log, &info);
    free(still_running);
    if (unchecked_why)
        json_array_append_new(json_object_get(report, "notes"),
                              json_pack("{s:s,s:s}", "kind", "runtime", "summary", unchecked_why));
    if (tsan) {
        size_t skipped = 0;
        json_t *tsan_findings = json_array();
        rl_tsan_parse_dir(logdir, "tsan", tsan_findings, &skipped);
        json_array_extend(json_object_get(report, "findings"), tsan_findings);
        json_decref(tsan_findings);
        json_object_set_new(report, "tsan", json_true());
        json_array_append_new(json_object_get(report, "notes"),
            json_pack("{s:s,s:s}", "kind", "runtime", "summary",
                      "this is a ThreadSanitizer build: racelab's own checker is not preloaded into it (both "
                      "intercept the pthread functions, and TSan must start first in its process), so the findings "
                      "are ThreadSanitizer's, merged here with \"source\": \"tsan\""));
        if (skipped)
            json_array_append_new(json_object_get(report, "notes"),
                json_pack("{s:s,s:s}", "kind", "runtime", "summary", "some ThreadSanitizer output could not be parsed"));
    }
    size_t findings = rl_report_finding_count(report);
    if (!opt.quiet)
        rl_report_render_text(report, stderr);
    int result = findings ? RL_EXIT_FINDINGS : info.exit_signal ? 128 + info.exit_signal : info.exit_status;
    if (json_fd >= 0) {
        if (write_json_report(report, json_fd) != 0 || close(json_fd) != 0 || rename(tmp_json, opt.json) != 0) {
            rl_cli_error("cannot write the report to '%s': %s", opt.json, strerror(errno));
            unlink(tmp_json);
            result = RL_EXIT_REPORT_UNWRITABLE;
        }
    }
    if (opt.html && rl_cli_write_report(report, "html", opt.html) != 0) /* --html FILE: after the JSON */
        result = RL_EXIT_REPORT_UNWRITABLE;
    json_decref(report);
    rl_eventlog_free(&log);
    free(kids);
    if (!getenv("RACELAB_KEEP_LOGS"))
        remove_dir(logdir);
    else
        rl_cli_error("event logs kept in %s", logdir);
    return result;
}

int rl_cli_run(int argc, char **argv)
{
    const char *env = getenv("RACELAB_OPTIONS");
    char *env_opts = env ? strdup(env) : NULL;
    if (env && !env_opts) {
        rl_cli_error("out of memory");
        return RL_EXIT_INTERNAL;
    }
    int rc = run_command(argc, argv, env_opts);
    free(env_opts);
    return rc;
}
