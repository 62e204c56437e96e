/* replay_main.c: runs a fuzz target's LLVMFuzzerTestOneInput once on each file given (a directory:
 * each regular file in it, in name order), without libFuzzer. This is how every build (gcc or clang,
 * with or without ASan) checks the seed corpus and the regression inputs of tests/fuzz/. Prints how
 * many inputs it ran; a crash or sanitizer report is the failure. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *g = realloc(buf, cap);
            if (!g) {
                fclose(f);
                free(buf);
                return -1;
            }
            buf = g;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        if (r == 0)
            break;
        len += r;
    }
    fclose(f);
    /* an exact-size copy, so that ASan sees reads past the input's end */
    unsigned char *exact = malloc(len ? len : 1);
    if (exact && len)
        memcpy(exact, buf, len);
    free(buf);
    if (!exact)
        return -1;
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t ran = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue; /* e.g. no regression inputs yet */
        if (!S_ISDIR(st.st_mode)) {
            failed |= run_file(argv[i]) != 0;
            ran++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char **g = realloc(names, (n + 1) * sizeof *g);
            if (!g)
                break;
            names = g;
            names[n++] = strdup(e->d_name);
        }
        if (d)
            closedir(d);
        if (n > 1)
            qsort(names, n, sizeof *names, by_name);
        for (size_t k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]);
            free(names[k]);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                failed |= run_file(path) != 0;
                ran++;
            }
        }
        free(names);
    }
    printf("%zu inputs replayed%s\n", ran, failed ? " (some could not be read)" : "");
    return failed;
}
