/* run_racelab.c: the integration tests' runner (fork/exec with a timeout, output captured in files)
 * and their read-only queries on racelab's JSON report. Contract in run_racelab.h.
 */
#include "run_racelab.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS 64
#define TAIL_CHARS 2000 /* how much of stdout and stderr rl_describe() shows */

struct rl_owned {
    struct rl_owned *next;
    char text[];
};

/* ---- owned strings ---------------------------------------------------------------------------- */

static char *owned_alloc(rl_run *run, size_t len)
{
    struct rl_owned *o = malloc(sizeof *o + len + 1);
    if (!o)
        abort(); /* a test helper: out of memory is not worth handling */
    o->next = run->owned;
    run->owned = o;
    o->text[0] = '\0';
    return o->text;
}

static char *owned_copy(rl_run *run, const char *s)
{
    size_t len = strlen(s);
    char *copy = owned_alloc(run, len);
    memcpy(copy, s, len + 1);
    return copy;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts names[0..n), drops repeats when `unique`, and returns them joined with ','. */
static char *join_sorted(rl_run *run, const char **names, size_t n, bool unique)
{
    qsort(names, n, sizeof *names, compare_strings);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 1;
    char *out = owned_alloc(run, len);
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        if (unique && i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        if (p != out)
            *p++ = ',';
        size_t l = strlen(names[i]);
        memcpy(p, names[i], l);
        p += l;
    }
    *p = '\0';
    return out;
}

/* ---- running ---------------------------------------------------------------------------------- */

double rl_run_timeout_seconds(void)
{
    const char *scale = getenv("RACELAB_TEST_TIMEOUT_SCALE");
    double k = scale ? atof(scale) : 1.0;
    return RL_RUN_TIMEOUT_SECONDS * (k >= 1.0 ? k : 1.0);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whole file as a NUL-terminated malloc'ed string; "" when it cannot be read. */
static char *slurp(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        char buf[8192];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
            char *grown = realloc(text, len + got + 1);
            if (!grown)
                abort();
            text = grown;
            memcpy(text + len, buf, got);
            len += got;
        }
        fclose(f);
    }
    if (!text && !(text = malloc(1)))
        abort();
    text[len] = '\0';
    return text;
}

/* Zeroes run and creates its directory; on failure sets setup_error. */
static void prepare(rl_run *run)
{
    memset(run, 0, sizeof *run);
    run->status = -1;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(run->dir, sizeof run->dir, "%s/racelab-test-XXXXXX", tmp);
    if (!mkdtemp(run->dir)) {
        snprintf(run->setup_error, sizeof run->setup_error, "mkdtemp %s: %s", run->dir,
                 strerror(errno));
        run->dir[0] = '\0'; /* nothing for rl_run_free() to remove */
        return;
    }
    snprintf(run->out_path, sizeof run->out_path, "%s/stdout.txt", run->dir);
    snprintf(run->err_path, sizeof run->err_path, "%s/stderr.txt", run->dir);
    snprintf(run->report_path, sizeof run->report_path, "%s/report.json", run->dir);
}

/* environ plus extra ("NAME=VALUE"), an extra replacing an inherited entry of the same name. */
static char **make_env(const char *const extra[])
{
    size_t n_env = 0, n_extra = 0;
    while (environ[n_env])
        n_env++;
    while (extra && extra[n_extra])
        n_extra++;
    char **env = calloc(n_env + n_extra + 1, sizeof *env);
    if (!env)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < n_env; i++) {
        bool replaced = false;
        for (size_t j = 0; j < n_extra && !replaced; j++) {
            size_t name_len = strcspn(extra[j], "=");
            replaced = strncmp(environ[i], extra[j], name_len) == 0 && environ[i][name_len] == '=';
        }
        if (!replaced)
            env[n++] = environ[i];
    }
    for (size_t j = 0; j < n_extra; j++)
        env[n++] = (char *)extra[j];
    env[n] = NULL;
    return env;
}

/* In the child: redirect, detach into its own process group, exec. On failure, sends errno through
 * err_pipe (close-on-exec, so the parent reads nothing when exec succeeds). Never returns. */
static void exec_child(const rl_run *run, const char *const argv[], char **env, int err_pipe)
{
    int in = open("/dev/null", O_RDONLY);
    int out = open(run->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(run->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        goto fail;
    setpgid(0, 0);
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); /* keep the test runner's descriptors to ourselves */
    execve(argv[0], (char *const *)argv, env);
fail:;
    int e = errno;
    if (write(err_pipe, &e, sizeof e) < 0) {
        /* nothing more we can do: the parent then sees a plain exit 127 */
    }
    _exit(127);
}

static void execute(rl_run *run, const char *const argv[], const char *const env_extra[])
{
    size_t used = 0;
    for (size_t i = 0; argv[i] && used + 1 < sizeof run->command; i++)
        used += (size_t)snprintf(run->command + used, sizeof run->command - used, "%s%s",
                                 i ? " " : "", argv[i]);
    if (run->setup_error[0])
        goto done;

    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        snprintf(run->setup_error, sizeof run->setup_error, "pipe2: %s", strerror(errno));
        goto done;
    }
    char **env = make_env(env_extra);
    double start = now_seconds();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_child(run, argv, env, pipe_fds[1]);
    free(env);
    close(pipe_fds[1]);
    if (pid < 0) {
        close(pipe_fds[0]);
        snprintf(run->setup_error, sizeof run->setup_error, "fork: %s", strerror(errno));
        goto done;
    }
    setpgid(pid, pid); /* also done by the child; whichever runs first wins, both are harmless */

    int exec_errno = 0;
    ssize_t got;
    do
        got = read(pipe_fds[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(pipe_fds[0]);
    run->started = got == 0;
    if (!run->started)
        snprintf(run->setup_error, sizeof run->setup_error, "cannot run %s: %s", argv[0],
                 got == (ssize_t)sizeof exec_errno ? strerror(exec_errno) : "setup failed");

    /* Wait without reaping (WNOWAIT), so that the pid, which is also the process group id, cannot
     * be reused before the group is killed below. */
    siginfo_t info;
    for (;;) {
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno != EINTR)
            break;
        if (info.si_pid == pid)
            break;
        if (now_seconds() - start > rl_run_timeout_seconds()) {
            run->timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
        nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
    }
    run->seconds = now_seconds() - start;
    kill(-pid, SIGKILL); /* anything the command left behind in its group */

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    if (WIFEXITED(status)) {
        run->status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        run->status = -1;
        run->term_signal = WTERMSIG(status);
    }
    if (!run->started)
        run->status = -1;

done:
    run->out = slurp(run->out_path);
    run->err = slurp(run->err_path);
    struct stat st;
    if (run->report_path[0] == '\0' || stat(run->report_path, &st) != 0) {
        snprintf(run->report_error, sizeof run->report_error, "no report file");
        return;
    }
    json_error_t error;
    run->report = json_load_file(run->report_path, 0, &error);
    if (!run->report)
        snprintf(run->report_error, sizeof run->report_error, "report.json line %d: %s",
                 error.line, error.text);
}

void rl_run_command(rl_run *run, const char *const argv[], const char *const env[])
{
    prepare(run);
    execute(run, argv, env);
}

/* RACELAB_BIN, then args (RL_REPORT replaced by the report path), then `program args2` if program
 * is not NULL. */
static void run_racelab_with(rl_run *run, const char *const args[], const char *program,
                             const char *const args2[])
{
    const char *argv[MAX_ARGS + 1];
    size_t n = 0;
    argv[n++] = RACELAB_BIN;
    for (size_t i = 0; args && args[i] && n < MAX_ARGS; i++)
        argv[n++] = strcmp(args[i], RL_REPORT) == 0 ? run->report_path : args[i];
    if (program && n < MAX_ARGS)
        argv[n++] = program;
    for (size_t i = 0; args2 && args2[i] && n < MAX_ARGS; i++)
        argv[n++] = args2[i];
    argv[n] = NULL;
    execute(run, argv, NULL);
}

void rl_run_racelab(rl_run *run, const char *const args[])
{
    prepare(run);
    run_racelab_with(run, args, NULL, NULL);
}

void rl_run_program(rl_run *run, const char *program, const char *const args[])
{
    static const char *const cli[] = {"run", "--json", RL_REPORT, "--", NULL};
    prepare(run);
    run_racelab_with(run, cli, program, args);
}

/* rl_run_program() on dir/name (or name itself when it contains '/') with the NULL-terminated
 * variadic arguments. */
static void run_from_dir(rl_run *run, const char *dir, const char *name, va_list ap)
{
    const char *args[MAX_ARGS + 1];
    size_t n = 0;
    const char *arg;
    while ((arg = va_arg(ap, const char *)) != NULL && n < MAX_ARGS)
        args[n++] = arg;
    args[n] = NULL;
    char path[PATH_MAX];
    if (strchr(name, '/'))
        snprintf(path, sizeof path, "%s", name);
    else
        snprintf(path, sizeof path, "%s/%s", dir, name);
    rl_run_program(run, path, args);
}

void rl_run_test_program(rl_run *run, const char *name, ...)
{
    va_list ap;
    va_start(ap, name);
    run_from_dir(run, RACELAB_TEST_PROGRAMS, name, ap);
    va_end(ap);
}

void rl_run_lab(rl_run *run, const char *name, ...)
{
    va_list ap;
    va_start(ap, name);
    run_from_dir(run, RACELAB_LAB_DIR, name, ap);
    va_end(ap);
}

void rl_run_free(rl_run *run)
{
    free(run->out);
    free(run->err);
    json_decref(run->report);
    while (run->owned) {
        struct rl_owned *next = run->owned->next;
        free(run->owned);
        run->owned = next;
    }
    if (run->dir[0]) {
        unlink(run->out_path);
        unlink(run->err_path);
        unlink(run->report_path);
        rmdir(run->dir);
    }
    memset(run, 0, sizeof *run);
}

/* ---- queries ---------------------------------------------------------------------------------- */

static const char *tail(const char *text)
{
    size_t len = text ? strlen(text) : 0;
    return !text ? "" : len > TAIL_CHARS ? text + len - TAIL_CHARS : text;
}

const char *rl_describe(rl_run *run)
{
    char ended[640];
    if (!run->started)
        snprintf(ended, sizeof ended, "not started: %s", run->setup_error);
    else if (run->timed_out)
        snprintf(ended, sizeof ended, "TIMED OUT after %.0f s and killed", rl_run_timeout_seconds());
    else if (run->term_signal)
        snprintf(ended, sizeof ended, "killed by signal %d (%s)", run->term_signal,
                 strsignal(run->term_signal));
    else
        snprintf(ended, sizeof ended, "exit status %d", run->status);

    const char *out = tail(run->out), *err = tail(run->err);
    const char *kinds = rl_kinds(run);
    size_t len = strlen(run->command) + strlen(ended) + strlen(run->dir) + strlen(kinds) +
                 strlen(run->report_error) + strlen(out) + strlen(err) + 512;
    char *text = owned_alloc(run, len);
    snprintf(text, len + 1,
             "\n  command:  %s\n  ended:    %s after %.2f s\n  files:    %s (kept when a test fails)\n"
             "  findings: %s%s%s\n  --- stdout (end) ---\n%s\n  --- stderr (end) ---\n%s",
             run->command, ended, run->seconds, run->dir, kinds,
             run->report_error[0] ? "; " : "", run->report_error, out, err);
    return text;
}

static json_t *findings(rl_run *run)
{
    json_t *f = run->report ? json_object_get(run->report, "findings") : NULL;
    return json_is_array(f) ? f : NULL;
}

static const char *kind_of(const json_t *item)
{
    const char *k = json_string_value(json_object_get(item, "kind"));
    return k ? k : "<no kind>";
}

char *rl_kinds(rl_run *run)
{
    if (!run->report)
        return owned_copy(run, "<no report>");
    json_t *all = findings(run);
    size_t n = all ? json_array_size(all) : 0;
    const char **kinds = calloc(n + 1, sizeof *kinds);
    if (!kinds)
        abort();
    for (size_t i = 0; i < n; i++)
        kinds[i] = kind_of(json_array_get(all, i));
    char *joined = join_sorted(run, kinds, n, true);
    free(kinds);
    return joined;
}

size_t rl_count(rl_run *run, const char *kind)
{
    json_t *all = findings(run);
    size_t count = 0, i;
    json_t *item;
    if (all)
        json_array_foreach(all, i, item) count += strcmp(kind_of(item), kind) == 0;
    return count;
}

json_t *rl_finding(rl_run *run, const char *kind, size_t index)
{
    json_t *all = findings(run);
    size_t i;
    json_t *item;
    if (all)
        json_array_foreach(all, i, item) {
            if (strcmp(kind_of(item), kind) == 0 && index-- == 0)
                return item;
        }
    return NULL;
}

json_t *rl_note(rl_run *run, const char *reason)
{
    json_t *notes = run->report ? json_object_get(run->report, "notes") : NULL;
    size_t i;
    json_t *note;
    if (json_is_array(notes))
        json_array_foreach(notes, i, note) {
            const char *r = json_string_value(json_object_get(note, "reason"));
            if (strcmp(kind_of(note), "suppressed-cycle") == 0 && r && strcmp(r, reason) == 0)
                return note;
        }
    return NULL;
}

static const char *lock_name(const json_t *lock)
{
    const char *name = json_string_value(json_object_get(lock, "name"));
    return name ? name : "<unnamed>";
}

char *rl_lock_names(rl_run *run, const json_t *finding)
{
    json_t *locks = json_object_get(finding, "locks");
    size_t n = json_is_array(locks) ? json_array_size(locks) : 0;
    const char **names = calloc(n + 1, sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < n; i++)
        names[i] = lock_name(json_array_get(locks, i));
    char *joined = join_sorted(run, names, n, false);
    free(names);
    return joined;
}

char *rl_cycle_lock_names(rl_run *run, const json_t *finding)
{
    json_t *cycle = json_object_get(finding, "cycle");
    json_t *locks = json_object_get(finding, "locks");
    size_t n = json_is_array(cycle) ? json_array_size(cycle) : 0;
    const char **names = calloc(n + 1, sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_int_t id = json_integer_value(json_array_get(cycle, i));
        names[i] = NULL;
        size_t j;
        json_t *lock;
        if (json_is_array(locks))
            json_array_foreach(locks, j, lock) {
                if (json_integer_value(json_object_get(lock, "id")) == id) {
                    names[i] = lock_name(lock);
                    break;
                }
            }
        if (!names[i]) {
            char buf[48];
            snprintf(buf, sizeof buf, "<id %lld>", (long long)id);
            names[i] = owned_copy(run, buf);
        }
    }
    char *joined = join_sorted(run, names, n, false);
    free(names);
    return joined;
}

char *rl_note_lock_names(rl_run *run, const json_t *note)
{
    json_t *locks = json_object_get(note, "locks");
    size_t n = json_is_array(locks) ? json_array_size(locks) : 0;
    const char **names = calloc(n + 1, sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(locks, i));
        names[i] = s ? s : "<not a string>";
    }
    char *joined = join_sorted(run, names, n, false);
    free(names);
    return joined;
}

/* The value at a dotted path below root, or NULL. */
static json_t *at_path(rl_run *run, const json_t *root, const char *path)
{
    json_t *node = (json_t *)(root ? root : run->report);
    char part[128];
    while (node && *path) {
        size_t len = strcspn(path, ".");
        if (len >= sizeof part)
            return NULL;
        memcpy(part, path, len);
        part[len] = '\0';
        path += len + (path[len] == '.');
        if (json_is_array(node) && len > 0 && strspn(part, "0123456789") == len)
            node = json_array_get(node, strtoul(part, NULL, 10));
        else
            node = json_object_get(node, part);
    }
    return node;
}

long long rl_int_at(rl_run *run, const json_t *root, const char *path)
{
    json_t *v = at_path(run, root, path);
    return json_is_integer(v) ? (long long)json_integer_value(v) : RL_MISSING;
}

char *rl_str_at(rl_run *run, const json_t *root, const char *path)
{
    const char *s = json_string_value(at_path(run, root, path));
    return owned_copy(run, s ? s : "<missing>");
}

int rl_bool_at(rl_run *run, const json_t *root, const char *path)
{
    json_t *v = at_path(run, root, path);
    return json_is_boolean(v) ? json_is_true(v) : RL_MISSING;
}

/* ---- expectations ----------------------------------------------------------------------------- */

bool rl_has_report(const rl_run *run)
{
    return run->started && !run->timed_out && run->report != NULL;
}

void rl_expect_normal_exit(rl_run *run, const char *kinds)
{
    rl_expect_report(run);
    rl_expect(run, eq(str, rl_kinds(run), (char *)kinds));
    rl_expect(run, eq(i64, rl_int_at(run, NULL, "exit.status"), 0));
    rl_expect(run, eq(int, run->status, kinds[0] ? 66 : 0));
}

void rl_expect_ended_by_deadlock(rl_run *run, const char *kinds)
{
    rl_expect_report(run);
    rl_expect(run, eq(str, rl_kinds(run), (char *)kinds));
    rl_expect(run, eq(int, run->status, 66));
    rl_expect(run, eq(i64, rl_int_at(run, NULL, "exit.status"), 66));
    rl_expect(run, eq(str, rl_str_at(run, NULL, "exit.ended_by_racelab"), "deadlock"));
    rl_expect(run, lt(dbl, run->seconds, rl_run_timeout_seconds() / 2.0));
}

long long rl_source_line_of(const char *path, const char *text)
{
    char full[512], line[512];
    snprintf(full, sizeof full, "%s/%s", RACELAB_SOURCE_DIR, path);
    FILE *f = fopen(full, "r");
    cr_assert(ne(ptr, f, NULL), "cannot read %s", full);
    long long n = 0, found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        n++;
        if (strstr(line, text))
            found = n;
    }
    fclose(f);
    cr_assert(gt(i64, found, 0), "no line of %s holds \"%s\"", path, text);
    return found;
}
