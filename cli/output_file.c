/* output_file.c: the CLI's output files (--json, --html, report -o, confirm --json, grade --out) are
 * written whole to FILE.tmp and renamed to FILE when complete; this names FILE.tmp, and checks, before
 * any long work (running the program, grading), that FILE.tmp can be created at all, so that an
 * unwritable path is reported at once and not after minutes of runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

char *rl_cli_tmp_name(const char *path)
{
    size_t n = strlen(path) + sizeof ".tmp";
    char *tmp = malloc(n);
    if (!tmp) {
        rl_cli_error("out of memory");
        return NULL;
    }
    snprintf(tmp, n, "%s.tmp", path);
    return tmp;
}

int rl_cli_probe_output(const char *path, const char *what)
{
    if (!path[0]) {
        rl_cli_error("%s needs a file name, not ''", what);
        return RL_EXIT_USAGE;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        rl_cli_error("cannot write %s '%s': it is a directory", what, path);
        return RL_EXIT_REPORT_UNWRITABLE;
    }
    char *tmp = rl_cli_tmp_name(path);
    if (!tmp)
        return RL_EXIT_INTERNAL;
    bool existed = access(tmp, F_OK) == 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    int saved = errno;
    if (fd >= 0) {
        close(fd);
        if (!existed)
            unlink(tmp);
    }
    free(tmp);
    if (fd < 0) {
        rl_cli_error("cannot write %s '%s': %s", what, path, strerror(saved));
        return RL_EXIT_REPORT_UNWRITABLE;
    }
    return 0;
}
