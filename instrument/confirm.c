/* confirm.c: deadlock confirmation inside the program (`racelab confirm`, after DeadlockFuzzer, Joshi
 * et al., PLDI 2009). The CLI names the call sites where a reported cycle's threads take their second
 * lock ($RACELAB_CONFIRM_FILE: one "OFFSET MODULE-PATH" per line). A thread that reaches one of those
 * sites while holding a lock pauses there, up to RT_CONFIRM_PAUSE_MS, until as many threads as the
 * cycle has edges ("edges N" in the file) are paused at such sites; then they all go on. If the cycle
 * can really happen, they now deadlock, and the watchdog reports it; if something else keeps them
 * apart (a gate lock, a join), the pause times out and the run ends normally. Each thread pauses at
 * most once per run. */
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

#define RT_CONFIRM_MAX 64
#define RT_CONFIRM_PAUSE_MS 1000

/* Per-process confirmation state: written at init, read-only after (but for the counters). */
static struct {
    uintptr_t pcs[RT_CONFIRM_MAX];
    int n;
    int need;                  /* threads that must be paused at once: the cycle's edges */
    _Atomic int arrived;
    char paths[RT_CONFIRM_MAX][512];
    uint64_t offsets[RT_CONFIRM_MAX];
    int n_sites;
} cf;

int rt_confirm_sites;

static int resolve(struct dl_phdr_info *info, size_t size, void *data)
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
    for (int i = 0; i < cf.n_sites; i++)
        if (strcmp(cf.paths[i], name) == 0 && cf.n < RT_CONFIRM_MAX)
            cf.pcs[cf.n++] = info->dlpi_addr + cf.offsets[i];
    return 0;
}

void rt_confirm_init(void)
{
    const char *file = getenv("RACELAB_CONFIRM_FILE");
    if (!file || !*file)
        return;
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    static char buf[65536];
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0)
        return;
    buf[len] = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line && cf.n_sites < RT_CONFIRM_MAX; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "edges ", 6) == 0) {
            cf.need = (int)strtol(line + 6, NULL, 10);
            continue;
        }
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = 0;
        cf.offsets[cf.n_sites] = strtoull(line, NULL, 0);
        size_t pl = strlen(sp + 1);
        if (pl >= sizeof cf.paths[0])
            continue;
        memcpy(cf.paths[cf.n_sites], sp + 1, pl + 1);
        cf.n_sites++;
    }
    dl_iterate_phdr(resolve, NULL);
    rt_confirm_sites = cf.n;
}

void rt_confirm_point(rt_thread *t, uintptr_t pc)
{
    if (t->n_held == 0)
        return;
    int k = -1;
    for (int i = 0; i < cf.n; i++)
        if (cf.pcs[i] == pc)
            k = i;
    if (k < 0 || t->confirm_paused)
        return;
    t->confirm_paused = 1; /* each thread pauses once per run */
    int need = cf.need > 0 ? cf.need : cf.n_sites;
    atomic_fetch_add(&cf.arrived, 1);
    for (int waited = 0; atomic_load(&cf.arrived) < need && waited < RT_CONFIRM_PAUSE_MS; waited++) {
        struct timespec ms = { 0, 1000 * 1000 };
        syscall(SYS_nanosleep, &ms, NULL); /* not a cancellation point */
    }
}
