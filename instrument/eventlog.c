/* eventlog.c: the event log the runtime writes for the racelab CLI: $RACELAB_LOG_DIR/racelab.<pid>.log,
 * one record per text line, each line a single write(2) on an O_APPEND descriptor, so a line is never
 * torn and a crash loses nothing already written. The lines one event produces under rt.lock (a new
 * chain: its stack, gate set and edges) may be gathered in the thread's batch and written by one
 * write(2) right after rt.lock is released: fewer system calls, none of them under rt.lock, and nothing
 * is held back once the runtime returns to the program. No stdio, no malloc. The record format is
 * documented in docs/eventlog.md and parsed by detector/eventlog_read.c. */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "rt.h"

void rt_line_start(rt_line *ln, const char *tag)
{
    ln->len = 0;
    rt_line_str(ln, tag);
}

size_t rt_line_room(const rt_line *ln) { return sizeof ln->buf - 2 - ln->len; }

void rt_line_str(rt_line *ln, const char *s)
{
    if (ln->len && ln->buf[ln->len - 1] != ' ' && ln->len < sizeof ln->buf - 2)
        ln->buf[ln->len++] = ' ';
    while (*s && ln->len < sizeof ln->buf - 2) {
        char c = *s++;
        ln->buf[ln->len++] = (c == '\n' || c == '\r') ? ' ' : c;
    }
}

static void put_digits(rt_line *ln, uint64_t v, unsigned base, const char *prefix)
{
    char tmp[32];
    int n = 0;
    const char *digits = "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    char out[40];
    size_t k = 0;
    while (*prefix)
        out[k++] = *prefix++;
    while (n)
        out[k++] = tmp[--n];
    out[k] = 0;
    rt_line_str(ln, out);
}

void rt_line_u64(rt_line *ln, uint64_t v) { put_digits(ln, v, 10, ""); }
void rt_line_hex(rt_line *ln, uint64_t v) { put_digits(ln, v, 16, "0x"); }
void rt_line_i64(rt_line *ln, int64_t v)
{
    if (v < 0)
        put_digits(ln, (uint64_t)(-(v + 1)) + 1, 10, "-");
    else
        put_digits(ln, (uint64_t)v, 10, "");
}

/* The raw system call, not write(): write() is a cancellation point, and a thread with a cancel
 * pending must not be cancelled inside the runtime while it holds rt.lock. */
static void write_all(int fd, const char *p, size_t n)
{
    int saved = errno;
    while (n) {
        ssize_t w = syscall(SYS_write, fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        n -= (size_t)w;
    }
    errno = saved;
}

void rt_line_end(rt_line *ln)
{
    ln->buf[ln->len++] = '\n';
    if (rt.log_fd < 0)
        return;
    rt_thread *t = rt_tls_self;
    if (t && t->log_batching) {
        if (t->log_batch_len + ln->len > RT_LOG_BATCH) { /* full: what came before goes first */
            write_all(rt.log_fd, t->log_batch, t->log_batch_len);
            t->log_batch_len = 0;
        }
        _Static_assert(sizeof ln->buf <= RT_LOG_BATCH, "a line fits in an empty batch");
        memcpy(t->log_batch + t->log_batch_len, ln->buf, ln->len);
        t->log_batch_len += ln->len;
        return;
    }
    write_all(rt.log_fd, ln->buf, ln->len);
}

/* A batch is t's own buffer, so it can be written after rt.lock is released: the lines of one chain
 * then cost the other threads no system call's wait. Within the file, a batch's lines stay together
 * and in order (one write(2) on an O_APPEND descriptor); between batches of different threads the
 * file order may differ from rt.lock's, which the reader does not depend on (it joins records by
 * their ids). */
void rt_log_batch_begin(rt_thread *t)
{
    /* no buffer after the thread's end (its TLS destructors may still lock): nothing would unmap it */
    if (!t->log_batch && (t->ended || !(t->log_batch = rt_pages_alloc(RT_LOG_BATCH))))
        return; /* then every line is written as it comes, as before batching */
    t->log_batching = 1;
}

void rt_log_batch_end(rt_thread *t) { t->log_batching = 0; }

void rt_log_batch_flush(rt_thread *t)
{
    if (t->log_batch_len && rt.log_fd >= 0)
        write_all(rt.log_fd, t->log_batch, t->log_batch_len);
    t->log_batch_len = 0;
}

void rt_log_batch_free(rt_thread *t)
{
    rt_log_batch_flush(t);
    if (t->log_batch)
        rt_pages_free(t->log_batch, RT_LOG_BATCH);
    t->log_batch = NULL;
}

void rt_say(const char *msg)
{
    if (rt.quiet)
        return;
    write_all(2, "racelab: ", 9);
    write_all(2, msg, strlen(msg));
    write_all(2, "\n", 1);
}

static size_t append(char *dst, size_t at, size_t cap, const char *src)
{
    while (*src && at + 1 < cap)
        dst[at++] = *src++;
    dst[at] = 0;
    return at;
}

void rt_log_open(void)
{
    rt.log_fd = -1;
    if (!rt.log_dir[0]) { /* the first open, at start: later ones (in forked children) reuse it */
        const char *env = getenv("RACELAB_LOG_DIR");
        if (!env || !*env || strlen(env) >= sizeof rt.log_dir)
            return;
        append(rt.log_dir, 0, sizeof rt.log_dir, env);
    }
    const char *dir = rt.log_dir;
    char pid[24], rev[24];
    int n = 0;
    for (unsigned long v = (unsigned long)getpid(); v || !n; v /= 10)
        rev[n++] = (char)('0' + v % 10);
    for (int i = 0; i < n; i++)
        pid[i] = rev[n - 1 - i];
    pid[n] = 0;
    char path[4096];
    size_t at = append(path, 0, sizeof path, dir);
    at = append(path, at, sizeof path, "/racelab.");
    at = append(path, at, sizeof path, pid);
    at = append(path, at, sizeof path, ".log");
    if (at + 1 >= sizeof path)
        return;
    rt.log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static int log_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    char exe[4096];
    const char *name = info->dlpi_name;
    if (!name || !*name) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return 0;
        exe[n] = 0;
        name = exe;
    }
    if (strncmp(name, "linux-vdso", 10) == 0)
        return 0;
    rt_line ln;
    rt_line_start(&ln, "M");
    rt_line_hex(&ln, (uint64_t)info->dlpi_addr);
    rt_line_str(&ln, name);
    rt_line_end(&ln);
    return 0;
}

static int read_adds(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(unsigned long long *)data = info->dlpi_adds;
    return 1;
}

void rt_modules_log_if_changed(void)
{
    unsigned long long adds = 0;
    dl_iterate_phdr(read_adds, &adds);
    if (adds == __atomic_load_n(&rt.modules_seen, __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&rt.modules_seen, adds, __ATOMIC_RELAXED);
    dl_iterate_phdr(log_module, NULL);
}

void rt_log_process_header(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    rt_line ln;
    rt_line_start(&ln, "P");
    rt_line_u64(&ln, (uint64_t)getpid());
    rt_line_u64(&ln, (uint64_t)getppid());
    rt_line_hex(&ln, rt.incarnation);
    rt_line_u64(&ln, (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec);
    rt_line_str(&ln, exe);
    rt_line_end(&ln);
    rt.modules_seen = 0;
    rt_modules_log_if_changed();
}
