/* test_symbolize.c: the symbolizer against real modules: this test binary itself (PIE, built -O0 or
 * -O2 -g), the libc it runs with, and a fixture program (tests/unit/fixtures/symbolize_fixture_*.c)
 * that the test compiles with `cc`, runs, and symbolizes after it has exited, as the CLI does.
 * The fixture covers a non-PIE -O2 main, a PIE -O0 main, a shared library whose first PT_LOAD is
 * not at address 0 (the case that tells dlpi_addr from the mapping start) and one without -g. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dlfcn.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../detector/symbolize.h"

#if defined(__clang__)
#define TEST_NOIPA __attribute__((noinline))
#else
#define TEST_NOIPA __attribute__((noipa)) /* no inlining, cloning or interprocedural shortcuts */
#endif

/* clang's ASan (not GCC's) grows each global's ELF symbol by its right redzone, so st_size is no
 * longer a multiple of the element size and indices become offsets ("test_forks+120"). The
 * fixture program, built without sanitizers, checks index naming in every configuration. */
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_GLOBALS_PADDED 1
#endif
#endif
#ifndef TEST_GLOBALS_PADDED
#define TEST_GLOBALS_PADDED 0
#endif

/* ---- code and data in this binary, at known lines ---- */

static pthread_mutex_t test_forks[5];
static struct {
    long a;
    pthread_mutex_t m;
} accts[4];
pthread_mutex_t test_global_lock = PTHREAD_MUTEX_INITIALIZER;

static TEST_NOIPA uintptr_t return_address(void)
{
    return (uintptr_t)__builtin_return_address(0);
}

/* Returns the return address of a call made at *line. */
static TEST_NOIPA uintptr_t known_site(int *line)
{
    *line = __LINE__ + 1;
    uintptr_t pc = return_address();
    __asm__ volatile("" ::: "memory"); /* keeps the call from becoming a tail call */
    return pc;
}

static inline __attribute__((always_inline)) uintptr_t inlined_site(int *line)
{
    *line = __LINE__ + 1;
    uintptr_t pc = return_address();
    __asm__ volatile("" ::: "memory");
    return pc;
}

static TEST_NOIPA uintptr_t inlining_caller(int *inner_line, int *call_line)
{
    *call_line = __LINE__ + 1;
    uintptr_t pc = inlined_site(inner_line);
    __asm__ volatile("" ::: "memory");
    return pc;
}

/* ---- helpers ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static const char MODULES_EXE_ONLY[] = "(the executable)";

struct module_list {
    rl_symbolizer *s;
    const char *only; /* add only modules whose path contains this; NULL: all */
    char libc_path[PATH_MAX];
    char exe_path[PATH_MAX];
};

static int add_loaded_module(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct module_list *ml = arg;
    const char *path = info->dlpi_name;
    if (!ml->exe_path[0]) { /* the main program comes first, with an empty name */
        ssize_t n = readlink("/proc/self/exe", ml->exe_path, sizeof ml->exe_path - 1);
        cr_assert(gt(sz, (size_t)(n > 0 ? n : 0), 0));
        ml->exe_path[n] = '\0';
        path = ml->exe_path;
    }
    if (strstr(path, "libc.so"))
        snprintf(ml->libc_path, sizeof ml->libc_path, "%s", path);
    bool wanted = !ml->only || (ml->only == MODULES_EXE_ONLY ? path == ml->exe_path
                                                              : strstr(path, ml->only) != NULL);
    if (path[0] && wanted)
        rl_symbolizer_add_module(ml->s, path, info->dlpi_addr); /* the vdso fails: no file */
    return 0;
}

/* Declares this process's modules: those whose path contains `only`, the executable alone
 * (MODULES_EXE_ONLY) or all (NULL). */
static void add_own_modules(rl_symbolizer *s, const char *only, struct module_list *ml)
{
    memset(ml, 0, sizeof *ml);
    ml->s = s;
    ml->only = only;
    dl_iterate_phdr(add_loaded_module, ml);
    cr_assert(ne(str, ml->exe_path, ""));
}

static int first_module_bias(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    *(uint64_t *)arg = info->dlpi_addr;
    return 1; /* stop: the main program comes first */
}

static uint64_t exe_bias(void)
{
    uint64_t bias = 0;
    dl_iterate_phdr(first_module_bias, &bias);
    return bias;
}

/* ---- this binary ---- */

Test(symbolize, return_address_gives_the_line_of_the_call)
{
    rl_symbolizer *s = rl_symbolizer_new();
    cr_assert(ne(ptr, s, NULL));
    struct module_list ml;
    add_own_modules(s, NULL, &ml);

    int line = 0;
    uintptr_t pc = known_site(&line);
    rl_frame f;
    cr_assert(eq(int, rl_symbolize_code(s, pc, true, &f), 0));
    cr_expect(eq(u64, f.pc, (uint64_t)pc));
    cr_expect(eq(str, f.function, "known_site"));
    cr_expect(eq(str, (char *)base_name(f.file), "test_symbolize.c"));
    cr_expect(eq(int, f.line, line));
    cr_expect(eq(str, f.module, ml.exe_path));
    rl_symbolizer_free(s);
}

Test(symbolize, function_entry_is_not_adjusted)
{
    rl_symbolizer *s = rl_symbolizer_new();
    struct module_list ml;
    add_own_modules(s, NULL, &ml);

    rl_frame f;
    cr_assert(eq(int, rl_symbolize_code(s, (uintptr_t)&known_site, false, &f), 0));
    cr_expect(eq(str, f.function, "known_site"));
    cr_expect(eq(str, (char *)base_name(f.file), "test_symbolize.c"));
    cr_expect(gt(int, f.line, 0));
    rl_symbolizer_free(s);
}

Test(symbolize, inlined_code_names_the_inlined_function_and_its_caller)
{
    rl_symbolizer *s = rl_symbolizer_new();
    struct module_list ml;
    add_own_modules(s, NULL, &ml);

    int inner_line = 0, call_line = 0;
    uintptr_t pc = inlining_caller(&inner_line, &call_line);

    rl_frame f;
    cr_assert(eq(int, rl_symbolize_code(s, pc, true, &f), 0));
    cr_expect(eq(str, f.function, "inlined_site"));
    cr_expect(eq(int, f.line, inner_line));

    rl_frame frames[4];
    size_t n = rl_symbolize_code_inlined(s, pc, true, frames, 4);
    cr_assert(eq(sz, n, 2));
    cr_expect(eq(str, frames[0].function, "inlined_site"));
    cr_expect(eq(int, frames[0].line, inner_line));
    cr_expect(eq(str, frames[1].function, "inlining_caller"));
    cr_expect(eq(str, (char *)base_name(frames[1].file), "test_symbolize.c"));
    cr_expect(eq(int, frames[1].line, call_line));
    cr_expect(eq(u64, frames[1].pc, (uint64_t)pc));
    cr_expect(eq(str, frames[1].module, ml.exe_path));

    /* Room for one frame: still reports that two exist, writes one. */
    rl_frame one[1];
    cr_expect(eq(sz, rl_symbolize_code_inlined(s, pc, true, one, 1), 2));
    cr_expect(eq(str, one[0].function, "inlined_site"));
    rl_symbolizer_free(s);
}

Test(symbolize, global_locks_are_named_by_symbol_index_or_offset)
{
    rl_symbolizer *s = rl_symbolizer_new();
    struct module_list ml;
    add_own_modules(s, NULL, &ml);
    const size_t mutex = sizeof(pthread_mutex_t);
    char buf[64];

    char want[64];
    cr_assert(eq(int, rl_symbolize_data(s, (uintptr_t)&test_forks[3], mutex, buf, sizeof buf), 0));
    if (TEST_GLOBALS_PADDED)
        snprintf(want, sizeof want, "test_forks+%zu", 3 * mutex);
    else
        snprintf(want, sizeof want, "test_forks[3]");
    cr_expect(eq(str, buf, want));
    cr_assert(eq(int, rl_symbolize_data(s, (uintptr_t)&test_forks[0], mutex, buf, sizeof buf), 0));
    /* element 0 of an array is named as an element, like the others */
    cr_expect(eq(str, buf, TEST_GLOBALS_PADDED ? "test_forks" : "test_forks[0]"));
    cr_assert(eq(int, rl_symbolize_data(s, (uintptr_t)&test_forks[2], 0, buf, sizeof buf), 0));
    cr_expect(eq(str, buf, "test_forks+80"));

    /* sizeof accts[0] == 48, not a multiple of the mutex size: offsets, not indices. */
    uintptr_t a1 = (uintptr_t)&accts[1];
    cr_assert(eq(int, rl_symbolize_data(s, a1, mutex, buf, sizeof buf), 0));
    snprintf(want, sizeof want, "accts+%zu", sizeof accts[0]);
    cr_expect(eq(str, buf, want));
    cr_assert(eq(int, rl_symbolize_data(s, (uintptr_t)&accts[1].m, mutex, buf, sizeof buf), 0));
    snprintf(want, sizeof want, "accts+%zu", sizeof accts[0] + offsetof(__typeof__(accts[0]), m));
    cr_expect(eq(str, buf, want));

    cr_assert(eq(int, rl_symbolize_data(s, (uintptr_t)&test_global_lock, mutex, buf, sizeof buf), 0));
    cr_expect(eq(str, buf, "test_global_lock"));

    /* Truncation keeps a terminated prefix. */
    char small[6];
    cr_expect(eq(int, rl_symbolize_data(s, (uintptr_t)&test_forks[2], mutex, small, sizeof small), 0));
    cr_expect(eq(str, small, "test_"));
    rl_symbolizer_free(s);
}

Test(symbolize, non_data_addresses_have_no_data_name)
{
    rl_symbolizer *s = rl_symbolizer_new();
    struct module_list ml;
    add_own_modules(s, NULL, &ml);
    char buf[64] = "junk";

    cr_expect(eq(int, rl_symbolize_data(s, (uintptr_t)&known_site, 8, buf, sizeof buf), -1));
    cr_expect(eq(str, buf, ""));
    int *heap = malloc(sizeof *heap);
    strcpy(buf, "junk");
    cr_expect(eq(int, rl_symbolize_data(s, (uintptr_t)heap, 8, buf, sizeof buf), -1));
    cr_expect(eq(str, buf, ""));
    free(heap);
    rl_symbolizer_free(s);
}

Test(symbolize, unknown_code_address_gives_empty_frame)
{
    rl_symbolizer *s = rl_symbolizer_new();
    struct module_list ml;
    add_own_modules(s, NULL, &ml);

    rl_frame f;
    memset(&f, 'x', sizeof f);
    cr_expect(eq(int, rl_symbolize_code(s, 0x10, true, &f), -1));
    cr_expect(eq(u64, f.pc, 0x10));
    cr_expect(eq(str, f.function, ""));
    cr_expect(eq(str, f.file, ""));
    cr_expect(eq(int, f.line, 0));
    cr_expect(eq(str, f.module, ""));
    cr_expect(eq(int, rl_symbolize_code(s, 0, true, &f), -1)); /* no pc-1 underflow */
    rl_symbolizer_free(s);
}

/* ---- libc, a shared library at a real bias ---- */

Test(symbolize, libc_function)
{
    rl_symbolizer *s = rl_symbolizer_new();
    struct module_list ml;
    add_own_modules(s, NULL, &ml);
    cr_assert(ne(str, ml.libc_path, ""));

    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    cr_assert(ne(ptr, libc, NULL));
    void *fn = dlsym(libc, "qsort");
    cr_assert(ne(ptr, fn, NULL));

    rl_frame f;
    cr_assert(eq(int, rl_symbolize_code(s, (uintptr_t)fn, false, &f), 0));
    /* The name may be any alias (symbol table) or the DWARF name (libc6-dbg installed): either
     * way it must be a name of this very function. */
    cr_expect(eq(ptr, dlsym(libc, f.function), fn), "qsort symbolized as \"%s\"", f.function);
    cr_expect(eq(str, f.module, ml.libc_path));
    dlclose(libc);
    rl_symbolizer_free(s);
}

Test(symbolize, modules_added_after_a_lookup_are_seen)
{
    rl_symbolizer *s = rl_symbolizer_new();
    struct module_list exe, libc_only;
    add_own_modules(s, MODULES_EXE_ONLY, &exe);

    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    cr_assert(ne(ptr, libc, NULL));
    void *fn = dlsym(libc, "qsort");
    rl_frame f;
    int line = 0;
    cr_assert(eq(int, rl_symbolize_code(s, known_site(&line), true, &f), 0));
    cr_expect(eq(int, rl_symbolize_code(s, (uintptr_t)fn, false, &f), -1));
    cr_expect(eq(str, f.module, ""));

    cr_expect(eq(int, rl_symbolizer_add_module(s, "/nonexistent/libnothing.so", 0x100000), -1));
    add_own_modules(s, "libc.so", &libc_only);
    cr_assert(eq(int, rl_symbolize_code(s, (uintptr_t)fn, false, &f), 0));
    cr_expect(eq(str, f.module, libc_only.libc_path));
    cr_expect(eq(ptr, dlsym(libc, f.function), fn), "qsort symbolized as \"%s\"", f.function);
    /* and the executable is still there, also when declared again */
    cr_expect(eq(int, rl_symbolizer_add_module(s, exe.exe_path, exe_bias()), 0));
    cr_assert(eq(int, rl_symbolize_code(s, known_site(&line), true, &f), 0));
    cr_expect(eq(str, f.function, "known_site"));
    cr_expect(eq(int, f.line, line));
    dlclose(libc);
    rl_symbolizer_free(s);
}

/* ---- a fixture program, symbolized after it exited ---- */

/* Compiles the fixture into a fresh temp dir (main with main_flags, library with lib_flags), runs
 * it, and checks every record it printed. */
static void check_fixture(const char *main_flags, const char *lib_flags)
{
    /* The sources sit beside this file; CMake compiles it by absolute path. */
    char here[PATH_MAX], fixtures[PATH_MAX + 16], source[PATH_MAX + 64];
    snprintf(here, sizeof here, "%s", __FILE__);
    snprintf(fixtures, sizeof fixtures, "%s/fixtures", dirname(here));
    snprintf(source, sizeof source, "%s/symbolize_fixture_main.c", fixtures);
    cr_assert(eq(int, access(source, R_OK), 0), "fixture source not found: %s", source);
    char dir[] = "/tmp/rl_symbolize_XXXXXX";
    cr_assert(ne(ptr, mkdtemp(dir), NULL));

    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "cc %s -fPIC -shared -o %s/libsymfix.so %s/symbolize_fixture_lib.c && "
             "cc %s -o %s/fixture %s/symbolize_fixture_main.c -L%s -lsymfix -Wl,-rpath,%s",
             lib_flags, dir, fixtures, main_flags, dir, fixtures, dir, dir);
    cr_assert(eq(int, system(cmd), 0), "fixture build failed: %s", cmd);

    snprintf(cmd, sizeof cmd, "%s/fixture", dir);
    FILE *run = popen(cmd, "r");
    cr_assert(ne(ptr, run, NULL));
    char records[64][600];
    size_t nrecords = 0;
    while (nrecords < 64 && fgets(records[nrecords], sizeof records[0], run))
        nrecords++;
    cr_assert(eq(int, pclose(run), 0));

    /* The process is gone now: symbolize from the files. */
    rl_symbolizer *s = rl_symbolizer_new();
    size_t ncode = 0, ndata = 0;
    for (size_t i = 0; i < nrecords; i++) {
        const char *r = records[i];
        uint64_t addr = 0;
        char path[512], function[256], file[256];
        int is_return = 0, line = 0;
        size_t elem = 0;
        if (sscanf(r, "module %" SCNx64 " %511s", &addr, path) == 2) {
            rl_symbolizer_add_module(s, path, addr);
        } else if (sscanf(r, "code %" SCNx64 " %d %255s %255s %d", &addr, &is_return, function,
                          file, &line) == 5) {
            rl_frame f;
            cr_expect(eq(int, rl_symbolize_code(s, addr, is_return, &f), 0), "%s", r);
            cr_expect(eq(str, f.function, function), "%s", r);
            cr_expect(eq(str, (char *)base_name(f.file), strcmp(file, "-") ? file : ""), "%s", r);
            if (line >= 0)
                cr_expect(eq(int, f.line, line), "%s", r);
            cr_expect(eq(str, (char *)base_name(f.module),
                         strstr(function, "lib_") ? "libsymfix.so" : "fixture"), "%s", r);
            ncode++;
        } else if (sscanf(r, "data %" SCNx64 " %zu %255s", &addr, &elem, function) == 3) {
            char buf[256];
            cr_expect(eq(int, rl_symbolize_data(s, addr, elem, buf, sizeof buf), 0), "%s", r);
            cr_expect(eq(str, buf, function), "%s", r);
            ndata++;
        }
    }
    cr_expect(eq(sz, ncode, 3));
    cr_expect(eq(sz, ndata, 5));
    rl_symbolizer_free(s);

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect(eq(int, system(cmd), 0));
}

/* The library's first PT_LOAD is at 0x10000000: ld.so maps it there (dlpi_addr 0) or elsewhere;
 * either way only bias = dlpi_addr semantics find its symbols. */
Test(symbolize, fixture_non_pie_O2_with_lib_at_nonzero_vaddr, .timeout = 60)
{
    check_fixture("-g -O2 -fno-pie -no-pie", "-g -O2 -Wl,-Ttext-segment=0x10000000");
}

Test(symbolize, fixture_pie_O0_with_lib_without_debug_info, .timeout = 60)
{
    check_fixture("-g -O0 -fPIE -pie", "-O0 -DFIXTURE_NO_DEBUG_INFO");
}

/* ---- paths ---- */

Test(symbolize, path_relative)
{
    cr_expect(eq(str, (char *)rl_path_relative("/a/b/src/x.c", "/a/b"), "src/x.c"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/b/src/x.c", "/a/b/"), "src/x.c"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/b//src/x.c", "/a/b"), "src/x.c"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/bc/x.c", "/a/b"), "/a/bc/x.c"));
    cr_expect(eq(str, (char *)rl_path_relative("/usr/include/x.h", "/a/b"), "/usr/include/x.h"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/b", "/a/b"), "/a/b"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/b/", "/a/b"), "/a/b/"));
    cr_expect(eq(str, (char *)rl_path_relative("x.c", "/a/b"), "x.c"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/x.c", ""), "/a/x.c"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/x.c", NULL), "/a/x.c"));
    cr_expect(eq(str, (char *)rl_path_relative("/a/x.c", "/"), "a/x.c"));
    const char *p = "/a/b/c.c";
    cr_expect(eq(ptr, (void *)rl_path_relative(p, "/a"), (void *)(p + 3)));
}
