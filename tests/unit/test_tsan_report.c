/* test_tsan_report.c: the ThreadSanitizer report reader (detector/tsan_report.h) against
 *   - real TSan output, the .txt files in tests/unit/fixtures/tsan/ (clang 14; each file says how it was
 *     captured and, for the small programs, holds their source): exact kinds, counts, threads,
 *     locks, cycles, accesses and first frames, and the raw block byte for byte;
 *   - every prefix of every fixture (a report cut anywhere), seeded random bytes and mutated
 *     fixtures: never a crash, every report either found or skipped, the result always valid JSON;
 *   - a few hand-written frame and section forms the fixtures do not have;
 *   - the lab binaries, when they are built: run under TSan now and read back from log_path files;
 *   - rl_is_tsan_binary on binaries compiled at test time (clang -fsanitize=thread, cc), a stripped
 *     one, files that are not ELF, and the labs.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsan_report.h"

#define HEADER "WARNING: ThreadSanitizer:"

/* ---- helpers ---- */

static char *fixture_path(const char *name)
{
    char here[PATH_MAX];
    snprintf(here, sizeof here, "%s", __FILE__);
    char *path = NULL;
    cr_assert(gt(int, asprintf(&path, "%s/fixtures/tsan/%s", dirname(here), name), 0));
    return path;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    cr_assert(ne(ptr, in, NULL), "cannot open %s", path);
    cr_assert(eq(int, fseek(in, 0, SEEK_END), 0));
    long size = ftell(in);
    rewind(in);
    char *text = malloc((size_t)size + 1);
    cr_assert(ne(ptr, text, NULL));
    cr_assert(eq(sz, fread(text, 1, (size_t)size, in), (size_t)size));
    text[size] = 0;
    fclose(in);
    *len = (size_t)size;
    return text;
}

static char *read_fixture(const char *name, size_t *len)
{
    char *path = fixture_path(name);
    char *text = read_all(path, len);
    free(path);
    return text;
}

/* The findings of one fixture, checking the number found and skipped. */
static json_t *parse_fixture(const char *name, size_t expect_found)
{
    size_t len, skipped = 0;
    char *text = read_fixture(name, &len);
    json_t *findings = json_array();
    size_t found = rl_tsan_parse(text, len, -1, findings, &skipped);
    free(text);
    cr_assert(eq(sz, found, expect_found), "%s", name);
    cr_assert(eq(sz, json_array_size(findings), expect_found));
    cr_assert(eq(sz, skipped, 0), "%s", name);
    return findings;
}

/* jansson's json_is_* are macros that criterion's cr_assert cannot take directly */
static bool is_true(json_t *j) { return json_is_true(j); }
static bool is_false(json_t *j) { return json_is_false(j); }
static bool is_object(json_t *j) { return json_is_object(j); }
static bool is_string(json_t *j) { return json_is_string(j); }
static bool is_array(json_t *j) { return json_is_array(j); }
static bool is_integer(json_t *j) { return json_is_integer(j); }

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(missing)";
}

static long long num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    cr_assert(is_integer(v), "\"%s\" is not an integer", key);
    return json_integer_value(v);
}

static json_t *item(json_t *o, const char *key, size_t i)
{
    json_t *a = json_object_get(o, key);
    cr_assert(is_array(a), "\"%s\" is not an array", key);
    cr_assert(lt(sz, i, json_array_size(a)), "\"%s\" has no item %zu", key, i);
    return json_array_get(a, i);
}

static size_t count(json_t *o, const char *key)
{
    json_t *a = json_object_get(o, key);
    return json_is_array(a) ? json_array_size(a) : 0;
}

/* Frame i of stack: checks function, line (0: none) and that a file is there exactly when expected. */
static void check_frame(json_t *stack, size_t i, const char *function, long long line, bool has_file)
{
    cr_assert(lt(sz, i, json_array_size(stack)));
    json_t *f = json_array_get(stack, i);
    cr_assert(eq(str, (char *)str(f, "function"), (char *)function));
    if (line)
        cr_assert(eq(i64, num(f, "line"), line));
    else
        cr_assert(eq(ptr, json_object_get(f, "line"), NULL));
    cr_assert(eq(int, json_object_get(f, "file") != NULL, has_file));
    cr_assert(eq(int, strncmp(str(f, "pc"), "0x", 2), 0));
}

static int count_substr(const char *text, size_t len, const char *what)
{
    int n = 0;
    size_t k = strlen(what);
    for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), what, k)); p += k)
        n++;
    return n;
}

/* ---- the fixtures ---- */

Test(tsan_report, data_race_on_a_global)
{
    json_t *all = parse_fixture("data_race_counter.txt", 1), *f = json_array_get(all, 0);
    cr_assert(eq(str, (char *)str(f, "kind"), "data-race"));
    cr_assert(eq(str, (char *)str(f, "source"), "tsan"));
    cr_assert(eq(str, (char *)str(f, "summary"), "data race on 'counter' at racelab_store (racelab.h:57)"));
    cr_assert(eq(i64, num(f, "pid"), 26142));
    cr_assert(eq(str, (char *)str(f, "variable"), "counter"));
    cr_assert(eq(sz, count(f, "locks"), 0));
    cr_assert(eq(sz, count(f, "threads"), 2));
    cr_assert(eq(i64, num(item(f, "threads", 0), "id"), 1));
    cr_assert(eq(str, (char *)str(item(f, "threads", 0), "name"), "T1"));
    cr_assert(eq(i64, num(item(f, "threads", 0), "parent"), 0));
    check_frame(json_object_get(item(f, "threads", 0), "created_at"), 0, "pthread_create", 0, false);
    check_frame(json_object_get(item(f, "threads", 0), "created_at"), 1, "main", 103, true);
    cr_assert(eq(i64, num(item(f, "threads", 1), "id"), 2));

    cr_assert(eq(sz, count(f, "accesses"), 2));
    json_t *a = item(f, "accesses", 0), *b = item(f, "accesses", 1);
    cr_assert(eq(i64, num(a, "thread"), 1));
    cr_assert(eq(i64, num(b, "thread"), 2));
    cr_assert(eq(str, (char *)str(a, "op"), "write"));
    cr_assert(eq(str, (char *)str(b, "op"), "read"));
    cr_assert(eq(i64, num(a, "size"), 8));
    cr_assert(eq(str, (char *)str(a, "address"), "0x55fb7ae52bc8"));
    cr_assert(is_false(json_object_get(a, "atomic")));
    cr_assert(eq(ptr, json_object_get(a, "holds"), NULL));
    json_t *frame = json_array_get(json_object_get(a, "stack"), 0);
    cr_assert(eq(str, (char *)str(frame, "function"), "racelab_store"));
    cr_assert(eq(str, (char *)str(frame, "file"), "/work/main/include/racelab.h"));
    cr_assert(eq(i64, num(frame, "line"), 57));
    cr_assert(eq(str, (char *)str(frame, "module"), "unsafe_counter-tsan"));
    cr_assert(eq(str, (char *)str(frame, "pc"), "0xd0604"));
    cr_assert(eq(sz, json_object_size(frame), 5));
    /* the inlined caller, printed without a BuildId */
    frame = json_array_get(json_object_get(a, "stack"), 1);
    cr_assert(eq(str, (char *)str(frame, "function"), "increment"));
    cr_assert(eq(str, (char *)str(frame, "file"), "/work/main/labs/unsafe_counter/main.c"));
    cr_assert(eq(i64, num(frame, "line"), 44));
    cr_assert(eq(str, (char *)str(frame, "pc"), "0xd0604"));
    check_frame(json_object_get(b, "stack"), 0, "racelab_load", 49, true);
    check_frame(json_object_get(b, "stack"), 1, "increment", 43, true);
    json_decref(all);
}

/* tsan_text is the block from the opening to the closing separator, byte for byte. */
Test(tsan_report, raw_text_is_the_block)
{
    size_t len;
    char *text = read_fixture("data_race_counter.txt", &len);
    const char *start = strstr(text, "==================\nWARNING");
    const char *end = strstr(start + 1, "\n==================\n");
    cr_assert(ne(ptr, (void *)start, NULL));
    cr_assert(ne(ptr, (void *)end, NULL));
    size_t n = (size_t)(end - start) + strlen("\n==================\n");
    json_t *all = json_array();
    cr_assert(eq(sz, rl_tsan_parse(text, len, 0, all, NULL), 1));
    const char *raw = str(json_array_get(all, 0), "tsan_text");
    cr_assert(eq(sz, strlen(raw), n));
    cr_assert(eq(int, memcmp(raw, start, n), 0));
    json_decref(all);
    free(text);
}

Test(tsan_report, data_races_heap_mutex_held_and_atomic)
{
    json_t *all = parse_fixture("data_race_heap_atomic.txt", 2);
    json_t *heap = json_array_get(all, 0), *atomic = json_array_get(all, 1);

    cr_assert(eq(str, (char *)str(heap, "kind"), "data-race"));
    cr_assert(eq(ptr, json_object_get(heap, "variable"), NULL));
    cr_assert(eq(str, (char *)str(heap, "detail"), "heap block of size 16 at 0x7b0400000000 allocated by main thread"));
    cr_assert(eq(str, (char *)str(heap, "summary"), "data race at main (race.c:29)"));
    cr_assert(eq(sz, count(heap, "threads"), 2));
    cr_assert(eq(i64, num(item(heap, "threads", 0), "id"), 0)); /* "main thread" */
    cr_assert(eq(str, (char *)str(item(heap, "threads", 0), "name"), "T0"));
    cr_assert(eq(i64, num(item(heap, "threads", 1), "id"), 1)); /* Thread T1 'writer' */
    json_t *read = item(heap, "accesses", 0), *write = item(heap, "accesses", 1);
    cr_assert(eq(i64, num(read, "thread"), 0));
    cr_assert(eq(str, (char *)str(read, "op"), "read"));
    cr_assert(eq(i64, num(read, "size"), 4));
    cr_assert(eq(ptr, json_object_get(read, "holds"), NULL));
    check_frame(json_object_get(read, "stack"), 0, "main", 29, true);
    cr_assert(eq(i64, num(write, "thread"), 1));
    check_frame(json_object_get(write, "stack"), 0, "writer", 15, true);
    /* the writer held M0, which TSan describes afterwards */
    cr_assert(eq(sz, count(heap, "locks"), 1));
    json_t *m0 = item(heap, "locks", 0);
    cr_assert(eq(str, (char *)str(m0, "name"), "M0"));
    cr_assert(eq(str, (char *)str(m0, "address"), "0x55e501458258"));
    check_frame(json_object_get(m0, "init"), 0, "pthread_mutex_init", 0, false);
    check_frame(json_object_get(m0, "init"), 1, "main", 23, true);
    cr_assert(eq(sz, count(write, "holds"), 1));
    cr_assert(eq(i64, num(item(write, "holds", 0), "lock"), num(m0, "id")));
    cr_assert(eq(str, (char *)str(item(write, "holds", 0), "mode"), "write"));

    cr_assert(eq(str, (char *)str(atomic, "variable"), "flag"));
    cr_assert(is_false(json_object_get(item(atomic, "accesses", 0), "atomic")));
    cr_assert(is_true(json_object_get(item(atomic, "accesses", 1), "atomic")));
    cr_assert(eq(str, (char *)str(item(atomic, "accesses", 1), "op"), "write"));
    cr_assert(eq(sz, count(atomic, "locks"), 0));
    json_decref(all);
}

/* The lab's two-lock inversion: cycle, edges and their threads; no second stack by default. */
Test(tsan_report, lock_order_inversion)
{
    json_t *all = parse_fixture("lock_order_inversion.txt", 1), *f = json_array_get(all, 0);
    cr_assert(eq(str, (char *)str(f, "kind"), "potential-deadlock"));
    cr_assert(eq(str, (char *)str(f, "summary"),
                 "lock-order-inversion (potential deadlock): M0 -> M1 -> M0 at transfer (main.c:61)"));
    cr_assert(eq(i64, num(f, "pid"), 12358));
    cr_assert(eq(sz, count(f, "locks"), 2));
    json_t *m0 = item(f, "locks", 0), *m1 = item(f, "locks", 1);
    cr_assert(eq(str, (char *)str(m0, "name"), "M0"));
    cr_assert(eq(str, (char *)str(m0, "address"), "0x556c2d5782e0"));
    cr_assert(eq(str, (char *)str(m1, "address"), "0x556c2d578308"));
    cr_assert(ne(i64, num(m0, "id"), num(m1, "id")));
    cr_assert(eq(ptr, json_object_get(m0, "init"), NULL)); /* TSan prints none here */
    cr_assert(eq(sz, count(f, "cycle"), 2));
    cr_assert(eq(i64, json_integer_value(item(f, "cycle", 0)), num(m0, "id")));
    cr_assert(eq(i64, json_integer_value(item(f, "cycle", 1)), num(m1, "id")));

    cr_assert(eq(sz, count(f, "edges"), 2));
    json_t *e0 = item(f, "edges", 0), *e1 = item(f, "edges", 1);
    cr_assert(eq(i64, num(e0, "from"), num(m0, "id")));
    cr_assert(eq(i64, num(e0, "to"), num(m1, "id")));
    cr_assert(eq(i64, num(e0, "thread"), 1));
    cr_assert(eq(i64, num(e1, "from"), num(m1, "id")));
    cr_assert(eq(i64, num(e1, "to"), num(m0, "id")));
    cr_assert(eq(i64, num(e1, "thread"), 2));
    json_t *to = json_object_get(e0, "to_stack");
    cr_assert(eq(sz, json_array_size(to), 3));
    check_frame(to, 0, "pthread_mutex_lock", 0, false);
    check_frame(to, 1, "transfer", 61, true);
    check_frame(to, 2, "thread1", 73, true);
    cr_assert(eq(sz, count(e0, "from_stack"), 0));
    check_frame(json_object_get(e1, "to_stack"), 2, "thread2", 85, true);

    cr_assert(eq(sz, count(f, "threads"), 2));
    cr_assert(eq(i64, num(item(f, "threads", 0), "id"), 1));
    cr_assert(eq(i64, num(item(f, "threads", 1), "id"), 2));
    check_frame(json_object_get(item(f, "threads", 1), "created_at"), 1, "main", 154, true);
    json_decref(all);
}

Test(tsan_report, lock_order_inversion_with_second_deadlock_stack)
{
    json_t *all = parse_fixture("lock_order_inversion_second_stack.txt", 1), *f = json_array_get(all, 0);
    cr_assert(eq(sz, count(f, "edges"), 2));
    for (size_t i = 0; i < 2; i++) {
        json_t *e = item(f, "edges", i);
        check_frame(json_object_get(e, "to_stack"), 1, "transfer", 61, true);
        cr_assert(eq(sz, count(e, "from_stack"), 3));
        check_frame(json_object_get(e, "from_stack"), 1, "transfer", 55, true);
        check_frame(json_object_get(e, "from_stack"), 2, i == 0 ? "thread1" : "thread2", i == 0 ? 73 : 85, true);
    }
    json_decref(all);
}

Test(tsan_report, three_lock_cycle)
{
    json_t *all = parse_fixture("lock_order_cycle3.txt", 1), *f = json_array_get(all, 0);
    cr_assert(eq(str, (char *)str(f, "kind"), "potential-deadlock"));
    cr_assert(eq(sz, count(f, "cycle"), 3));
    cr_assert(eq(sz, count(f, "locks"), 3));
    cr_assert(eq(sz, count(f, "edges"), 3));
    for (size_t i = 0; i < 3; i++) {
        json_t *e = item(f, "edges", i);
        cr_assert(eq(i64, num(e, "thread"), (long long)i + 1));
        cr_assert(eq(i64, num(e, "from"), json_integer_value(item(f, "cycle", i))));
        cr_assert(eq(i64, num(e, "to"), json_integer_value(item(f, "cycle", (i + 1) % 3))));
        cr_assert(eq(i64, num(item(f, "threads", i), "id"), (long long)i + 1));
    }
    /* an inlined frame printed without a BuildId */
    json_t *inl = json_array_get(json_object_get(item(f, "edges", 2), "to_stack"), 2);
    cr_assert(eq(str, (char *)str(inl, "function"), "edge"));
    cr_assert(eq(i64, num(inl, "line"), 18));
    cr_assert(eq(str, (char *)str(inl, "module"), "cycle3"));
    cr_assert(eq(str, (char *)str(inl, "pc"), "0xd021c"));
    cr_assert(eq(str, (char *)str(f, "summary"),
                 "lock-order-inversion (potential deadlock): M0 -> M1 -> M2 -> M0 at lock_pair (cycle3.c:10)"));
    json_decref(all);
}

Test(tsan_report, mutex_misuse)
{
    json_t *all = parse_fixture("mutex_misuse.txt", 3);
    json_t *dbl = json_array_get(all, 0), *unl = json_array_get(all, 1), *des = json_array_get(all, 2);

    cr_assert(eq(str, (char *)str(dbl, "kind"), "double-lock"));
    cr_assert(eq(str, (char *)str(dbl, "variable"), "m"));
    cr_assert(eq(sz, count(dbl, "locks"), 1));
    cr_assert(eq(str, (char *)str(item(dbl, "locks", 0), "name"), "m")); /* the global is the mutex */
    cr_assert(eq(str, (char *)str(item(dbl, "locks", 0), "address"), "0x55c876b68258"));
    check_frame(json_object_get(item(dbl, "locks", 0), "init"), 1, "hold", 9, true);
    check_frame(json_object_get(dbl, "stack"), 0, "pthread_mutex_lock", 0, false);
    check_frame(json_object_get(dbl, "stack"), 1, "main", 29, true);
    cr_assert(eq(sz, count(dbl, "threads"), 0));
    cr_assert(eq(str, (char *)str(dbl, "summary"), "double lock of a mutex on 'm' at main (misuse.c:29)"));

    cr_assert(eq(str, (char *)str(unl, "kind"), "unlock-unlocked"));
    cr_assert(eq(str, (char *)str(unl, "variable"), "never_locked"));
    cr_assert(eq(str, (char *)str(item(unl, "locks", 0), "name"), "never_locked"));
    check_frame(json_object_get(unl, "stack"), 1, "main", 31, true);

    cr_assert(eq(str, (char *)str(des, "kind"), "destroy-locked"));
    cr_assert(eq(ptr, json_object_get(des, "variable"), NULL));
    cr_assert(eq(str, (char *)str(des, "detail"), "stack of thread T2"));
    cr_assert(eq(str, (char *)str(item(des, "locks", 0), "name"), "M0"));
    check_frame(json_object_get(des, "stack"), 0, "pthread_mutex_destroy", 0, false);
    check_frame(json_object_get(des, "stack"), 1, "destroy_held", 17, true);
    cr_assert(eq(sz, count(des, "other_stacks"), 1)); /* "and:" where it was locked */
    check_frame(item(des, "other_stacks", 0), 1, "destroy_held", 16, true);
    cr_assert(eq(sz, count(des, "threads"), 1));
    cr_assert(eq(i64, num(item(des, "threads", 0), "id"), 2));

    /* three different mutexes: three different ids */
    long long a = num(item(dbl, "locks", 0), "id"), b = num(item(unl, "locks", 0), "id"),
              c = num(item(des, "locks", 0), "id");
    cr_assert(a != b && b != c && a != c);
    json_decref(all);
}

Test(tsan_report, thread_leaks)
{
    json_t *all = parse_fixture("thread_leak.txt", 2);
    json_t *three = json_array_get(all, 0), *one = json_array_get(all, 1);
    cr_assert(eq(str, (char *)str(three, "kind"), "thread-leak"));
    cr_assert(eq(i64, num(three, "count"), 3));
    cr_assert(eq(sz, count(three, "threads"), 1));
    cr_assert(eq(i64, num(item(three, "threads", 0), "id"), 1));
    check_frame(json_object_get(three, "stack"), 1, "main", 11, true);
    cr_assert(eq(str, (char *)str(three, "summary"), "thread leak: T1 created at main (leak.c:11); 2 more similar"));
    cr_assert(eq(ptr, json_object_get(one, "count"), NULL));
    cr_assert(eq(i64, num(item(one, "threads", 0), "id"), 4));
    check_frame(json_object_get(one, "stack"), 1, "main", 12, true);
    json_decref(all);
}

/* Includes a C++ frame with spaces in its name and an object file instead of file:line, a line
 * without a column, and a title racelab has no kind for. */
Test(tsan_report, signal_reports)
{
    json_t *all = parse_fixture("signal_unsafe.txt", 3);
    cr_assert(eq(str, (char *)str(json_array_get(all, 0), "kind"), "signal-unsafe"));
    cr_assert(eq(str, (char *)str(json_array_get(all, 1), "kind"), "signal-unsafe"));
    cr_assert(eq(str, (char *)str(json_array_get(all, 2), "kind"), "tsan-signal-handler-spoils-errno"));
    json_t *stack = json_object_get(json_array_get(all, 0), "stack");
    cr_assert(eq(sz, json_array_size(stack), 4));
    check_frame(stack, 0, "malloc", 0, false);
    check_frame(stack, 1, "on_alarm", 8, true);
    json_t *cpp = json_array_get(stack, 2);
    cr_assert(eq(str, (char *)str(cpp, "function"),
                 "__tsan::CallUserSignalHandler(__tsan::ThreadState*, bool, bool, int, "
                 "__sanitizer::__sanitizer_siginfo*, void*)"));
    cr_assert(eq(str, (char *)str(cpp, "file"), "tsan_interceptors_posix.cpp.o"));
    cr_assert(eq(ptr, json_object_get(cpp, "line"), NULL));
    check_frame(json_object_get(json_array_get(all, 2), "stack"), 0, "on_alarm", 8, true); /* "sig.c:8" */
    json_decref(all);
}

Test(tsan_report, use_after_free)
{
    json_t *all = parse_fixture("use_after_free.txt", 1), *f = json_array_get(all, 0);
    cr_assert(eq(str, (char *)str(f, "kind"), "use-after-free"));
    cr_assert(eq(sz, count(f, "accesses"), 2));
    cr_assert(eq(i64, num(item(f, "accesses", 0), "thread"), 1));
    cr_assert(eq(i64, num(item(f, "accesses", 1), "thread"), 0));
    check_frame(json_object_get(item(f, "accesses", 1), "stack"), 0, "free", 0, false);
    check_frame(json_object_get(item(f, "accesses", 1), "stack"), 1, "main", 14, true);
    json_decref(all);
}

/* TSan on stderr in colour, between the program's own lines. */
Test(tsan_report, colour_and_program_output)
{
    json_t *all = parse_fixture("stderr_colour.txt", 1), *f = json_array_get(all, 0);
    cr_assert(eq(str, (char *)str(f, "kind"), "potential-deadlock"));
    cr_assert(eq(i64, num(f, "pid"), 16090));
    cr_assert(eq(sz, count(f, "cycle"), 2));
    cr_assert(eq(sz, count(f, "edges"), 2));
    check_frame(json_object_get(item(f, "edges", 0), "to_stack"), 0, "pthread_mutex_lock", 0, false);
    const char *raw = str(f, "tsan_text");
    cr_assert(eq(ptr, strchr(raw, '\x1b'), NULL));
    cr_assert(eq(int, strncmp(raw, "==================\nWARNING: ThreadSanitizer: lock-order-inversion", 63), 0));
    cr_assert(eq(ptr, strstr(raw, "balances"), NULL)); /* program output after the block stays out */
    json_decref(all);
}

Test(tsan_report, clean_run)
{
    json_t *all = parse_fixture("clean_run.txt", 0);
    json_decref(all);
}

/* ---- lock ids ---- */

Test(tsan_report, lock_ids_continue_after_the_report_and_are_shared_by_address)
{
    json_t *all = json_array();
    json_array_append_new(all, json_pack("{s:s,s:[{s:i,s:s}]}", "kind", "deadlock", "locks", "id", 41, "name", "a"));
    size_t len;
    char *one = read_fixture("lock_order_inversion.txt", &len);
    char *twice = malloc(2 * len);
    memcpy(twice, one, len);
    memcpy(twice + len, one, len);
    /* the same process twice in one call: the same two mutexes, the same two ids */
    cr_assert(eq(sz, rl_tsan_parse(twice, 2 * len, 0, all, NULL), 2));
    json_t *a = json_array_get(all, 1), *b = json_array_get(all, 2);
    cr_assert(eq(i64, num(item(a, "locks", 0), "id"), 42));
    cr_assert(eq(i64, num(item(a, "locks", 1), "id"), 43));
    cr_assert(eq(i64, num(item(b, "locks", 0), "id"), 42));
    cr_assert(eq(i64, num(item(b, "locks", 1), "id"), 43));
    /* a later call does not reuse them */
    cr_assert(eq(sz, rl_tsan_parse(one, len, 0, all, NULL), 1));
    cr_assert(eq(i64, num(item(json_array_get(all, 3), "locks", 0), "id"), 44));
    free(one);
    free(twice);
    json_decref(all);
}

/* ---- forms the fixtures lack ---- */

static const char synthetic[] =
    "==================\n"
    "WARNING: ThreadSanitizer: data race\n" /* no pid: the caller's */
    "  Atomic read of size 1 at 0x7f0000000010 by thread T3 (mutexes: write M7, read M9):\n"
    "    #0 <null> <null> (libfoo.so+0x1234)\n"
    "    #1 f(int, char const*) /home/my dir/src/a b.c:12 (prog+0x10)\n"
    "    #2 g (prog+0x20)\n"
    "    #3 h <null> (<unknown module>)\n"
    "    #4 k /x/y.c:7:3 (0x7f0012345678)\n"
    "\n"
    "  Previous read of size 2 at 0x7f0000000010 by thread T12:\n"
    "    [failed to restore the stack]\n"
    "\n"
    "  Location is global 'buf' of size 64 at 0x7f0000000000 (prog+0x3000)\n"
    "\n"
    "  Mutex M7 (0x7f0000000008) created at:\n"
    "    #0 pthread_mutex_init <null> (prog+0x40)\n"
    "\n"
    "  Mutex M9 is already destroyed.\n"
    "\n"
    "  Thread T3 'worker' (tid=99, running) created by thread T12 at:\n"
    "    #0 pthread_create <null> (prog+0x50)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: data race /x/y.c:7:3 in k\n"
    "==================\n"
    "==================\n"
    "WARNING: ThreadSanitizer: read lock of a write locked mutex (pid=5)\n"
    "    #0 pthread_rwlock_rdlock <null> (prog+0x60)\n"
    "\n"
    "==================\n";

Test(tsan_report, synthetic_forms)
{
    json_t *all = json_array();
    size_t skipped = 0;
    cr_assert(eq(sz, rl_tsan_parse(synthetic, sizeof synthetic - 1, 777, all, &skipped), 2));
    cr_assert(eq(sz, skipped, 0));
    json_t *f = json_array_get(all, 0);
    cr_assert(eq(i64, num(f, "pid"), 777));
    cr_assert(eq(str, (char *)str(f, "variable"), "buf"));
    json_t *a = item(f, "accesses", 0);
    cr_assert(is_true(json_object_get(a, "atomic")));
    cr_assert(eq(str, (char *)str(a, "op"), "read"));
    cr_assert(eq(i64, num(a, "size"), 1));
    cr_assert(eq(i64, num(a, "thread"), 3));
    json_t *stack = json_object_get(a, "stack");
    cr_assert(eq(sz, json_array_size(stack), 5));
    json_t *fr = json_array_get(stack, 0);
    cr_assert(eq(sz, json_object_size(fr), 2)); /* pc and module only */
    cr_assert(eq(str, (char *)str(fr, "pc"), "0x1234"));
    cr_assert(eq(str, (char *)str(fr, "module"), "libfoo.so"));
    fr = json_array_get(stack, 1);
    cr_assert(eq(str, (char *)str(fr, "function"), "f(int, char const*)"));
    cr_assert(eq(str, (char *)str(fr, "file"), "/home/my dir/src/a b.c"));
    cr_assert(eq(i64, num(fr, "line"), 12));
    fr = json_array_get(stack, 2);
    cr_assert(eq(str, (char *)str(fr, "function"), "g"));
    cr_assert(eq(ptr, json_object_get(fr, "file"), NULL));
    fr = json_array_get(stack, 3);
    cr_assert(eq(str, (char *)str(fr, "function"), "h"));
    cr_assert(eq(str, (char *)str(fr, "pc"), "0x0"));
    cr_assert(eq(ptr, json_object_get(fr, "module"), NULL));
    fr = json_array_get(stack, 4);
    cr_assert(eq(str, (char *)str(fr, "pc"), "0x7f0012345678"));
    cr_assert(eq(i64, num(fr, "line"), 7));
    cr_assert(eq(str, (char *)str(fr, "file"), "/x/y.c"));

    cr_assert(eq(i64, num(item(f, "accesses", 1), "thread"), 12));
    cr_assert(eq(sz, count(item(f, "accesses", 1), "stack"), 0));
    /* M7 lies inside 'buf' (offset 8), M9 has no address */
    cr_assert(eq(sz, count(f, "locks"), 2));
    cr_assert(eq(str, (char *)str(item(f, "locks", 0), "name"), "buf+8"));
    cr_assert(eq(str, (char *)str(item(f, "locks", 1), "name"), "M9"));
    cr_assert(eq(ptr, json_object_get(item(f, "locks", 1), "address"), NULL));
    cr_assert(eq(sz, count(a, "holds"), 2));
    cr_assert(eq(str, (char *)str(item(a, "holds", 1), "mode"), "read"));
    cr_assert(eq(i64, num(item(a, "holds", 1), "lock"), num(item(f, "locks", 1), "id")));
    json_t *t3 = item(f, "threads", 0);
    cr_assert(eq(i64, num(t3, "id"), 3));
    cr_assert(eq(i64, num(t3, "parent"), 12));

    json_t *g = json_array_get(all, 1);
    cr_assert(eq(str, (char *)str(g, "kind"), "tsan-read-lock-of-a-write-locked-mutex"));
    cr_assert(eq(i64, num(g, "pid"), 5));
    json_decref(all);
}

/* ---- garbage ---- */

Test(tsan_report, empty_and_invalid_arguments)
{
    json_t *all = json_array();
    size_t skipped = 0;
    cr_assert(eq(sz, rl_tsan_parse("", 0, 1, all, &skipped), 0));
    cr_assert(eq(sz, rl_tsan_parse(NULL, 0, 1, all, &skipped), 0));
    cr_assert(eq(sz, rl_tsan_parse(NULL, 10, 1, all, &skipped), 0));
    cr_assert(eq(sz, rl_tsan_parse(synthetic, sizeof synthetic - 1, 1, NULL, &skipped), 0));
    json_t *obj = json_object();
    cr_assert(eq(sz, rl_tsan_parse(synthetic, sizeof synthetic - 1, 1, obj, &skipped), 0));
    const char *separators = "==================\n==================\n";
    cr_assert(eq(sz, rl_tsan_parse(separators, strlen(separators), 1, all, NULL), 0));
    cr_assert(eq(sz, skipped, 0));
    cr_assert(eq(sz, json_array_size(all), 0));
    /* a title line and nothing else */
    const char *title_only = "WARNING: ThreadSanitizer: data race (pid=1)";
    cr_assert(eq(sz, rl_tsan_parse(title_only, strlen(title_only), 1, all, &skipped), 0));
    cr_assert(eq(sz, skipped, 1));
    /* a complete block without a title */
    const char *untitled = "==================\nWARNING: ThreadSanitizer:   \n==================\n";
    cr_assert(eq(sz, rl_tsan_parse(untitled, strlen(untitled), 1, all, &skipped), 0));
    cr_assert(eq(sz, skipped, 2));
    json_decref(obj);
    json_decref(all);
}

/* Every finding is a well-formed object and the whole array serialises. */
static void check_wellformed(json_t *all, size_t from)
{
    for (size_t i = from; i < json_array_size(all); i++) {
        json_t *f = json_array_get(all, i);
        cr_assert(is_object(f));
        cr_assert(is_string(json_object_get(f, "kind")));
        cr_assert(is_string(json_object_get(f, "summary")));
        cr_assert(eq(str, (char *)str(f, "source"), "tsan"));
        cr_assert(is_array(json_object_get(f, "threads")));
        cr_assert(is_array(json_object_get(f, "locks")));
        cr_assert(is_string(json_object_get(f, "tsan_text")));
    }
    char *dump = json_dumps(all, 0);
    cr_assert(ne(ptr, dump, NULL));
    free(dump);
}

/* Each fixture cut after every byte: the reports wholly inside are found, the one cut is skipped. */
Test(tsan_report, every_prefix_of_every_fixture, .timeout = 120)
{
    static const char *names[] = {
        "data_race_counter.txt", "data_race_heap_atomic.txt", "lock_order_inversion.txt",
        "lock_order_inversion_second_stack.txt", "lock_order_cycle3.txt", "mutex_misuse.txt",
        "thread_leak.txt", "signal_unsafe.txt", "use_after_free.txt", "stderr_colour.txt", "clean_run.txt",
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t len;
        char *text = read_fixture(names[k], &len);
        /* where each report's title begins to count, and where its closing separator ends */
        size_t starts[16], ends[16], n = 0;
        for (const char *p = text; n < 16 && (p = memmem(p, len - (size_t)(p - text), HEADER, strlen(HEADER)));) {
            p += strlen(HEADER);
            starts[n] = (size_t)(p - text);
            const char *close = memmem(p, len - (size_t)(p - text), "\n==================", 19);
            cr_assert(ne(ptr, (void *)close, NULL));
            ends[n++] = (size_t)(close - text) + 19;
        }
        for (size_t cut = 0; cut <= len; cut++) {
            size_t want_started = 0, want_found = 0;
            for (size_t i = 0; i < n; i++) {
                want_started += starts[i] <= cut;
                want_found += ends[i] <= cut;
            }
            char *prefix = malloc(cut + 1); /* exactly cut bytes, so that reading past them is caught */
            memcpy(prefix, text, cut);
            json_t *all = json_array();
            size_t skipped = 0;
            size_t found = rl_tsan_parse(prefix, cut, 1, all, &skipped);
            cr_assert(eq(sz, found, want_found), "%s cut at %zu", names[k], cut);
            cr_assert(eq(sz, found + skipped, want_started), "%s cut at %zu", names[k], cut);
            check_wellformed(all, 0);
            json_decref(all);
            free(prefix);
        }
        free(text);
    }
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random bytes (NULs, invalid UTF-8, escapes), random bytes inside real reports, and reports
 * spliced at random: nothing crashes, and whatever comes out is well-formed JSON. */
Test(tsan_report, random_bytes_and_mutations, .timeout = 120)
{
    rng_state = 0x9e3779b97f4a7c15ull;
    size_t flen;
    char *fixture = read_fixture("data_race_heap_atomic.txt", &flen);
    static const char *pieces[] = {
        "==================\n", "WARNING: ThreadSanitizer: data race (pid=3)\n", "    #0 f /a.c:1:2 (m+0x1)\n",
        "  Mutex M1 acquired here while holding mutex M0 in thread T1:\n", "  Cycle in lock order graph: M0 (0x1) => M",
        "  Write of size 4 at 0x10 by thread T1 (mutexes: write M", "  Location is global '", "\x1b[1m", "\xff\xfe",
        "  Mutex M0 (0x8) created at:\n", "  and:\n", "  Thread T", "\n", "(", ")", "\0",
    };
    for (int round = 0; round < 3000; round++) {
        size_t len = rng() % 4096;
        char *buf = malloc(len + 1);
        int mode = round % 3;
        if (mode == 0) { /* bytes */
            for (size_t i = 0; i < len; i++)
                buf[i] = (char)rng();
        } else if (mode == 1) { /* a real report with some bytes changed */
            len = flen;
            buf = realloc(buf, len + 1);
            memcpy(buf, fixture, len);
            for (int m = 0; m < 1 + (int)(rng() % 8); m++)
                buf[rng() % len] = (char)rng();
        } else { /* pieces of reports */
            size_t o = 0;
            while (o < len) {
                const char *p = pieces[rng() % (sizeof pieces / sizeof pieces[0])];
                size_t pl = *p ? strlen(p) : 1;
                if (o + pl > len)
                    break;
                memcpy(buf + o, p, pl);
                o += pl;
            }
            len = o;
        }
        json_t *all = json_array();
        size_t skipped = 0;
        size_t found = rl_tsan_parse(buf, len, round, all, &skipped);
        cr_assert(eq(sz, found, json_array_size(all)));
        if (mode != 2) /* escape codes removed can join a title; only the pieces contain them */
            cr_assert(le(sz, found + skipped, (size_t)count_substr(buf, len, HEADER)));
        check_wellformed(all, 0);
        json_decref(all);
        free(buf);
    }
    free(fixture);
}

/* ---- log_path directories ---- */

static char *make_temp_dir(void)
{
    char *dir = strdup("/tmp/racelab-tsan-XXXXXX");
    cr_assert(ne(ptr, mkdtemp(dir), NULL));
    return dir;
}

static void remove_dir(const char *dir)
{
    char *cmd = NULL;
    cr_assert(gt(int, asprintf(&cmd, "rm -rf '%s'", dir), 0));
    cr_expect(eq(int, system(cmd), 0));
    free(cmd);
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char *path = NULL;
    cr_assert(gt(int, asprintf(&path, "%s/%s", dir, name), 0));
    FILE *out = fopen(path, "wb");
    cr_assert(ne(ptr, out, NULL));
    cr_assert(eq(sz, fwrite(text, 1, len, out), len));
    fclose(out);
    free(path);
}

static void copy_fixture(const char *dir, const char *fixture, const char *name)
{
    size_t len;
    char *text = read_fixture(fixture, &len);
    write_file(dir, name, text, len);
    free(text);
}

Test(tsan_report, parse_dir_reads_prefix_files_in_pid_order)
{
    char *dir = make_temp_dir();
    copy_fixture(dir, "data_race_counter.txt", "tsan.300");
    copy_fixture(dir, "lock_order_inversion.txt", "tsan.20");
    copy_fixture(dir, "thread_leak.txt", "other.5"); /* another prefix */
    const char *no_pid = "==================\nWARNING: ThreadSanitizer: thread leak\n==================\n";
    write_file(dir, "tsan.7", no_pid, strlen(no_pid));
    const char *cut = "==================\nWARNING: ThreadSanitizer: data race (pid=8)\n  Read of";
    write_file(dir, "tsan.8", cut, strlen(cut));
    char *sub = NULL;
    cr_assert(gt(int, asprintf(&sub, "%s/tsan.dir", dir), 0));
    cr_assert(eq(int, mkdir(sub, 0700), 0));

    json_t *all = json_array();
    size_t skipped = 0;
    cr_assert(eq(sz, rl_tsan_parse_dir(dir, "tsan", all, &skipped), 3));
    cr_assert(eq(sz, skipped, 1)); /* tsan.8 */
    cr_assert(eq(i64, num(json_array_get(all, 0), "pid"), 7)); /* from the file name */
    cr_assert(eq(str, (char *)str(json_array_get(all, 0), "kind"), "thread-leak"));
    cr_assert(eq(i64, num(json_array_get(all, 1), "pid"), 12358)); /* from the report */
    cr_assert(eq(str, (char *)str(json_array_get(all, 1), "kind"), "potential-deadlock"));
    cr_assert(eq(str, (char *)str(json_array_get(all, 2), "kind"), "data-race"));

    cr_assert(eq(sz, rl_tsan_parse_dir("/nonexistent/racelab", "tsan", all, &skipped), 0));
    cr_assert(eq(sz, rl_tsan_parse_dir(dir, "nothing-like-this", all, &skipped), 0));
    cr_assert(eq(sz, skipped, 1));
    json_decref(all);
    remove_dir(dir);
    free(sub);
    free(dir);
}

/* ---- live: TSan as installed, on the lab binaries ---- */

/* build/labs/<name>, found from this test binary (build/tests/unit_test_tsan_report); NULL if absent */
static char *lab_binary(const char *name)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = 0;
    char *path = NULL;
    if (asprintf(&path, "%s/../labs/%s", dirname(self), name) < 0)
        return NULL;
    if (access(path, X_OK) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

static json_t *run_under_tsan(const char *binary, const char *args, size_t *skipped)
{
    char *dir = make_temp_dir(), *cmd = NULL;
    cr_assert(gt(int, asprintf(&cmd, "TSAN_OPTIONS='halt_on_error=0 log_path=%s/tsan' '%s' %s >/dev/null 2>&1",
                               dir, binary, args), 0));
    int status = system(cmd);
    cr_assert(ne(int, status, -1));
    json_t *all = json_array();
    rl_tsan_parse_dir(dir, "tsan", all, skipped);
    remove_dir(dir);
    free(cmd);
    free(dir);
    return all;
}

Test(tsan_report, live_labs, .timeout = 120)
{
    char *race = lab_binary("unsafe_counter-tsan"), *order = lab_binary("lock_order_deadlock-tsan");
    if (!race || !order) {
        free(race);
        free(order);
        cr_skip_test("the lab TSan builds are not there (cmake --build --preset default builds them)");
    }
    size_t skipped = 0;
    json_t *all = run_under_tsan(race, "", &skipped);
    cr_assert(eq(sz, skipped, 0));
    cr_assert(ge(sz, json_array_size(all), 1));
    json_t *f = json_array_get(all, 0);
    cr_assert(eq(str, (char *)str(f, "kind"), "data-race"));
    cr_assert(eq(str, (char *)str(f, "variable"), "counter"));
    cr_assert(eq(sz, count(f, "accesses"), 2));
    /* the lab changes; its racing lines are somewhere in the first access's stack */
    bool in_lab = false;
    size_t i;
    json_t *frame;
    json_array_foreach(json_object_get(item(f, "accesses", 0), "stack"), i, frame) {
        const char *file = str(frame, "file"), *tail = "/unsafe_counter/main.c";
        if (strlen(file) >= strlen(tail) && strcmp(file + strlen(file) - strlen(tail), tail) == 0)
            in_lab = true;
    }
    cr_assert(in_lab);
    json_decref(all);

    all = run_under_tsan(order, "--mode apart", &skipped);
    cr_assert(eq(sz, skipped, 0));
    cr_assert(eq(sz, json_array_size(all), 1));
    f = json_array_get(all, 0);
    cr_assert(eq(str, (char *)str(f, "kind"), "potential-deadlock"));
    cr_assert(eq(sz, count(f, "cycle"), 2));
    cr_assert(eq(sz, count(f, "edges"), 2));
    json_decref(all);
    free(race);
    free(order);
}

/* ---- rl_is_tsan_binary ---- */

static bool have(const char *tool)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "command -v %s >/dev/null 2>&1", tool) < 0)
        return false;
    bool ok = system(cmd) == 0;
    free(cmd);
    return ok;
}

Test(tsan_report, is_tsan_binary, .timeout = 120)
{
    if (!have("clang") || !have("cc"))
        cr_skip_test("needs clang and cc");
    char *dir = make_temp_dir(), *cmd = NULL;
    write_file(dir, "p.c", "int main(void) { return 0; }\n", 29);
    cr_assert(gt(int, asprintf(&cmd,
                               "cd '%s' && clang -fsanitize=thread -g -O1 -o with_tsan p.c && cc -o plain p.c && "
                               "cp with_tsan stripped && strip stripped && head -c 64 with_tsan > elf_header_only",
                               dir), 0));
    cr_assert(eq(int, system(cmd), 0), "%s", cmd);
    free(cmd);
    char path[PATH_MAX];
#define AT(name) (snprintf(path, sizeof path, "%s/%s", dir, name), path)
    cr_assert(rl_is_tsan_binary(AT("with_tsan")));
    cr_assert(rl_is_tsan_binary(AT("stripped"))); /* .dynsym keeps it */
    cr_assert(not(rl_is_tsan_binary(AT("plain"))));
    cr_assert(not(rl_is_tsan_binary(AT("p.c"))));
    cr_assert(not(rl_is_tsan_binary(AT("elf_header_only"))));
    cr_assert(not(rl_is_tsan_binary(AT("missing"))));
    cr_assert(not(rl_is_tsan_binary(dir)));
    cr_assert(not(rl_is_tsan_binary(__FILE__)));
    cr_assert(not(rl_is_tsan_binary(NULL)));
    /* gcc's dynamic libtsan: __tsan_init is an undefined symbol; only if this gcc can link it */
    cr_assert(gt(int, asprintf(&cmd, "cd '%s' && gcc -fsanitize=thread -o gcc_tsan p.c 2>/dev/null", dir), 0));
    if (have("gcc") && system(cmd) == 0)
        cr_assert(rl_is_tsan_binary(AT("gcc_tsan")));
    free(cmd);
#undef AT
    remove_dir(dir);
    free(dir);

    char *lab = lab_binary("unsafe_counter-tsan"), *plain = lab_binary("unsafe_counter");
    if (lab && plain) {
        cr_assert(rl_is_tsan_binary(lab));
        cr_assert(not(rl_is_tsan_binary(plain)));
    }
    free(lab);
    free(plain);
}
