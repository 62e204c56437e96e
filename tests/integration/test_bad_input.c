/* test_bad_input.c: every racelab command given bad input. Each case must end with one line on
 * stderr starting "racelab: ", the documented exit status (README.md's table: 2 usage error, 3 an
 * output file cannot be written, 4 an input file is unreadable or malformed, 126/127 for the program
 * of `run`), no crash, no sanitizer report (the asan preset runs this suite too), and no output file
 * left behind as if complete: outputs go to FILE.tmp and are renamed, so after a failure neither FILE
 * nor FILE.tmp exists. Odd but valid names (spaces, unicode, a leading '-', a newline) work.
 *
 * Unreadable-by-permission cases cannot be made as root (root reads a chmod 000 file): they are
 * skipped then, saying so; a directory in place of the file is tested either way.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_racelab.h"

#define TEST_PROGRAM(name) RACELAB_TEST_PROGRAMS "/" name
#define FIXTURE_REPORT RACELAB_SOURCE_DIR "/tests/unit/fixtures/reports/lock_order_deadlock.json"
#define EXERCISE RACELAB_SOURCE_DIR "/exercises/unsafe_counter"

enum { EXIT_USAGE = 2, EXIT_UNWRITABLE = 3, EXIT_BAD_INPUT = 4, EXIT_FINDINGS = 66 };

/* ---- helpers ------------------------------------------------------------------------------------ */

static char scratch_dir[256];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

static void make_scratch(void)
{
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(scratch_dir, sizeof scratch_dir, "%s/racelab-bad-input.XXXXXX", tmp);
    cr_assert(mkdtemp(scratch_dir) != NULL, "mkdtemp failed");
}

static void remove_scratch(void)
{
    if (scratch_dir[0])
        nftw(scratch_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(bad_input, .init = make_scratch, .fini = remove_scratch, .timeout = 120);

/* scratch_dir/name, in a static buffer (one of a few, so that several can be live) */
static const char *in_scratch(const char *name)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 1024, "%s/%s", scratch_dir, name);
    return b;
}

static const char *write_file(const char *name, const char *data, size_t len)
{
    const char *path = in_scratch(name);
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "cannot create %s", path);
    cr_assert(fwrite(data, 1, len, f) == len);
    cr_assert(fclose(f) == 0);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = 0;
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* The run ended by itself with `status` and said why in one line starting "racelab: ". */
static void expect_error(rl_run *run, int status)
{
    rl_expect(run, eq(int, run->timed_out, false));
    rl_expect(run, eq(int, run->term_signal, 0));
    rl_expect(run, eq(int, run->status, status));
    rl_expect(run, eq(int, strncmp(run->err, "racelab: ", 9), 0));
    rl_expect(run, eq(sz, count_lines(run->err), 1));
    rl_expect(run, eq(chr, run->err[strlen(run->err) - 1], '\n'));
}

static void racelab(rl_run *run, const char *const args[])
{
    rl_run_racelab(run, args);
}

/* Neither path nor path.tmp exists. */
static void expect_no_output(rl_run *run, const char *path)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    rl_expect(run, eq(int, exists(path), false));
    rl_expect(run, eq(int, exists(tmp), false));
}

/* path exists, path.tmp does not. */
static void expect_complete_output(rl_run *run, const char *path)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    rl_expect(run, eq(int, exists(path), true));
    rl_expect(run, eq(int, exists(tmp), false));
}

static bool skip_if_root(void)
{
    if (geteuid() == 0) {
        cr_skip_test("running as root: a chmod 000 file is still readable, so unreadable-by-permission cannot be "
                     "tested (the directory-instead-of-file case covers unreadable input)");
        return true;
    }
    return false;
}

/* The first half of a real report: valid JSON up to a point, then cut. */
static const char *truncated_report(void)
{
    size_t len;
    char *text = read_all(FIXTURE_REPORT, &len);
    const char *path = write_file("truncated.json", text, len / 2);
    free(text);
    return path;
}

/* ---- racelab itself ----------------------------------------------------------------------------- */

Test(bad_input, no_command)
{
    rl_run run;
    racelab(&run, (const char *const[]){ NULL });
    expect_error(&run, EXIT_USAGE);
    rl_run_free(&run);
}

Test(bad_input, unknown_command_and_option)
{
    const char *cases[] = { "frobnicate", "--frobnicate", "-x", "", "run\n" };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_run run;
        racelab(&run, (const char *const[]){ cases[i], NULL });
        expect_error(&run, EXIT_USAGE);
        rl_run_free(&run);
    }
}

/* ---- run ---------------------------------------------------------------------------------------- */

Test(bad_input, run_usage_errors)
{
    const char *const *cases[] = {
        (const char *const[]){ "run", NULL },
        (const char *const[]){ "run", "--", NULL },
        (const char *const[]){ "run", "--bogus", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "-q", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--seed", NULL },
        (const char *const[]){ "run", "--seed", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--seed", "abc", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--seed=-1", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--pct-depth", "", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--pct-depth", " 5", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--pct-depth", "2147483648", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--pct-steps", "+5", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--pct-steps", "18446744073709551616", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--schedule", "sometimes", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--json", NULL },
        (const char *const[]){ "run", "--json", "", "--", TEST_PROGRAM("static_init"), NULL },
        (const char *const[]){ "run", "--html", "", "--", TEST_PROGRAM("static_init"), NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_run run;
        racelab(&run, cases[i]);
        expect_error(&run, EXIT_USAGE);
        rl_run_free(&run);
    }
}

Test(bad_input, run_bad_racelab_options_env)
{
    const char *envs[] = { "RACELAB_OPTIONS=frobnicate=1", "RACELAB_OPTIONS=schedule=often",
                           "RACELAB_OPTIONS=seed=x:quiet" };
    for (size_t i = 0; i < sizeof envs / sizeof *envs; i++) {
        rl_run run;
        rl_run_command(&run, (const char *const[]){ RACELAB_BIN, "run", "--", TEST_PROGRAM("static_init"), NULL },
                       (const char *const[]){ envs[i], NULL });
        expect_error(&run, EXIT_USAGE);
        rl_run_free(&run);
    }
}

/* Programs racelab cannot start, with the status it must then exit with: 127, not found; 126, not
 * executable (a directory, a text file without #!, an ELF header and nothing after it). Three of
 * in_scratch's 8 rotating paths are used, so the caller may make 5 more while it uses these. */
typedef struct { const char *prog; int status; } unrunnable;
enum { N_UNRUNNABLE = 5 };
static void unrunnable_programs(unrunnable cases[N_UNRUNNABLE])
{
    const char *dir = in_scratch("a directory");
    cr_assert(mkdir(dir, 0755) == 0);
    const char *text = write_text("not-a-program.sh", "echo hi\n");
    const char *elf_garbage = write_text("garbage-elf", "\x7f" "ELF garbage");
    chmod(elf_garbage, 0755);
    const unrunnable all[N_UNRUNNABLE] = {
        { "/nonexistent/racelab-no-program", 127 },
        { "racelab-no-such-program-in-path", 127 },
        { dir, 126 },
        { text, 126 },
        { elf_garbage, 126 },
    };
    memcpy(cases, all, sizeof all);
}

Test(bad_input, run_program_missing_or_not_runnable)
{
    unrunnable cases[N_UNRUNNABLE];
    unrunnable_programs(cases);
    for (size_t i = 0; i < N_UNRUNNABLE; i++) {
        rl_run run;
        const char *report = in_scratch("r.json");
        racelab(&run, (const char *const[]){ "run", "--json", report, "--", cases[i].prog, NULL });
        expect_error(&run, cases[i].status);
        expect_no_output(&run, report);
        rl_run_free(&run);
    }
}

Test(bad_input, run_unwritable_outputs_fail_before_running)
{
    const char *dir = in_scratch("existing dir");
    cr_assert(mkdir(dir, 0755) == 0);
    const char *marker = in_scratch("ran");
    char script[1200];
    /* the program leaves a marker: an unwritable output must stop racelab before it runs anything */
    snprintf(script, sizeof script, "#!/bin/sh\ntouch '%s'\n", marker);
    const char *prog = write_text("leaves-marker.sh", script);
    chmod(prog, 0755);
    const char *const *cases[] = {
        (const char *const[]){ "run", "--json", "/nonexistent-racelab-dir/r.json", "--", prog, NULL },
        (const char *const[]){ "run", "--json", dir, "--", prog, NULL },
        (const char *const[]){ "run", "--html", "/nonexistent-racelab-dir/r.html", "--", prog, NULL },
        (const char *const[]){ "run", "--json", in_scratch("ok.json"), "--html", dir, "--", prog, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_run run;
        racelab(&run, cases[i]);
        expect_error(&run, EXIT_UNWRITABLE);
        rl_expect(&run, eq(int, exists(marker), false));
        expect_no_output(&run, in_scratch("ok.json"));
        rl_run_free(&run);
    }
}

Test(bad_input, run_unwritable_directory_by_permission)
{
    if (skip_if_root())
        return;
    const char *dir = in_scratch("locked");
    cr_assert(mkdir(dir, 0500) == 0);
    char report[1100];
    snprintf(report, sizeof report, "%s/r.json", dir);
    rl_run run;
    racelab(&run, (const char *const[]){ "run", "--json", report, "--", TEST_PROGRAM("static_init"), NULL });
    expect_error(&run, EXIT_UNWRITABLE);
    expect_no_output(&run, report);
    rl_run_free(&run);
}

/* Odd names for every output of `run`, and for the program itself. */
Test(bad_input, run_odd_names)
{
    const char *names[] = { "with space.json", "unicod\xc3\xa9-\xe2\x9c\x93.json", "-leading-dash.json",
                            "new\nline.json", "quote'\"$(x).json" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *json = in_scratch(names[i]);
        char html[1100];
        snprintf(html, sizeof html, "%s.html", json);
        rl_run run;
        racelab(&run, (const char *const[]){ "run", "--quiet", "--json", json, "--html", html, "--",
                                              TEST_PROGRAM("static_init"), NULL });
        rl_expect(&run, eq(int, run.status, 0));
        expect_complete_output(&run, json);
        expect_complete_output(&run, html);
        json_error_t err;
        json_t *doc = json_load_file(json, 0, &err);
        rl_expect(&run, ne(ptr, doc, NULL));
        json_decref(doc);
        rl_run_free(&run);
    }
    /* a program whose path has a space, unicode and a leading '-' in its name */
    const char *dir = in_scratch("dir with space \xc3\xa9");
    cr_assert(mkdir(dir, 0755) == 0);
    char prog[1200], cmd[2600];
    snprintf(prog, sizeof prog, "%s/-prog", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", TEST_PROGRAM("static_init"), prog);
    cr_assert(system(cmd) == 0);
    rl_run run;
    racelab(&run, (const char *const[]){ "run", "--json", RL_REPORT, "--", prog, NULL });
    rl_expect_report(&run);
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, eq(str, rl_str_at(&run, NULL, "program"), prog));
    rl_run_free(&run);
}

/* ---- report ------------------------------------------------------------------------------------- */

Test(bad_input, report_usage_errors)
{
    const char *const *cases[] = {
        (const char *const[]){ "report", NULL },
        (const char *const[]){ "report", "--bogus", FIXTURE_REPORT, NULL },
        (const char *const[]){ "report", FIXTURE_REPORT, "--format", NULL },
        (const char *const[]){ "report", FIXTURE_REPORT, "--format", "pdf", NULL },
        (const char *const[]){ "report", FIXTURE_REPORT, "--format=", NULL },
        (const char *const[]){ "report", FIXTURE_REPORT, "-o", NULL },
        (const char *const[]){ "report", FIXTURE_REPORT, "-o", "", NULL },
        (const char *const[]){ "report", FIXTURE_REPORT, FIXTURE_REPORT, NULL },
        (const char *const[]){ "report", "--", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_run run;
        racelab(&run, cases[i]);
        expect_error(&run, EXIT_USAGE);
        rl_run_free(&run);
    }
}

/* Inputs that are not a racelab report, each with exit status 4 and nothing written to -o. */
static void expect_bad_report(const char *input)
{
    const char *out = in_scratch("out.txt");
    const char *formats[] = { "text", "html", "dot", "sarif" };
    for (size_t f = 0; f < 4; f++) {
        rl_run run;
        racelab(&run, (const char *const[]){ "report", "--format", formats[f], "-o", out, "--", input, NULL });
        expect_error(&run, EXIT_BAD_INPUT);
        expect_no_output(&run, out);
        rl_run_free(&run);
    }
}

Test(bad_input, report_missing_or_unreadable_input)
{
    expect_bad_report("/nonexistent/report.json");
    expect_bad_report("/nonexistent/new\nline\r.json"); /* still one line */
    const char *dir = in_scratch("a dir.json");
    cr_assert(mkdir(dir, 0755) == 0);
    expect_bad_report(dir);
}

Test(bad_input, report_unreadable_by_permission)
{
    if (skip_if_root())
        return;
    const char *path = write_text("locked.json", "{\"racelab_version\": \"0\", \"findings\": []}");
    chmod(path, 0);
    expect_bad_report(path);
}

Test(bad_input, report_malformed_json)
{
    static const char nul_bytes[] = "{\"racelab_version\": \"0\", \0 \"findings\": []}";
    expect_bad_report(write_text("empty.json", ""));
    expect_bad_report(write_text("spaces.json", " \n\t "));
    expect_bad_report(write_text("garbage.json", "this is not JSON\n"));
    expect_bad_report(write_text("half-object.json", "{\"racelab_version\": \"0.1\", \"findings\": ["));
    expect_bad_report(write_text("trailing.json", "{\"racelab_version\": \"0\", \"findings\": []} extra"));
    expect_bad_report(write_text("bad-utf8.json", "{\"racelab_version\": \"\xff\xfe\", \"findings\": []}"));
    expect_bad_report(write_text("newline-in-error.json", "{\"racelab_version\n\n\": tru\ne}"));
    expect_bad_report(write_file("nul.json", nul_bytes, sizeof nul_bytes - 1));
    expect_bad_report(truncated_report());
}

Test(bad_input, report_valid_json_but_not_a_report)
{
    expect_bad_report(write_text("array.json", "[]"));
    expect_bad_report(write_text("number.json", "42"));
    expect_bad_report(write_text("empty-object.json", "{}"));
    expect_bad_report(write_text("no-findings.json", "{\"racelab_version\": \"0.1\"}"));
    expect_bad_report(write_text("findings-object.json", "{\"racelab_version\": \"0.1\", \"findings\": {}}"));
    expect_bad_report(write_text("finding-string.json", "{\"racelab_version\": \"0.1\", \"findings\": [\"x\"]}"));
    expect_bad_report(write_text("notes-string.json", "{\"racelab_version\": \"0.1\", \"findings\": [], \"notes\": 1}"));
}

Test(bad_input, report_from_stdin_garbage)
{
    const char *in = write_text("stdin.txt", "not json at all");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' report - < '%s' 2> '%s'", RACELAB_BIN, in, in_scratch("err.txt"));
    int status = system(cmd);
    bool bad_input = WIFEXITED(status) && WEXITSTATUS(status) == EXIT_BAD_INPUT;
    cr_assert(bad_input, "status %d", status);
    char *err = read_all(in_scratch("err.txt"), NULL);
    cr_assert(strncmp(err, "racelab: ", 9) == 0 && count_lines(err) == 1, "%s", err);
    cr_assert(strstr(err, "standard input") != NULL, "%s", err);
    free(err);
}

/* Whatever shape the fields inside the frame have, every format renders (renderers treat fields of the
 * wrong type as absent). */
Test(bad_input, report_wrong_types_inside_the_frame_render)
{
    const char *path = write_text(
        "odd.json", "{\"racelab_version\": \"0\", \"findings\": [{\"kind\": 5, \"summary\": [], \"threads\": \"x\","
                    " \"locks\": [1, null, {\"id\": \"a\"}], \"edges\": {}, \"cycle\": [\"q\"], \"stack\": 7,"
                    " \"waits\": [[]], \"accesses\": [{}]}], \"program\": 3, \"exit\": [], \"timeline\": {\"threads\": 1},"
                    " \"notes\": [1, {\"kind\": []}], \"stats\": \"none\", \"processes\": [{}]}");
    const char *formats[] = { "text", "html", "dot", "sarif" };
    for (size_t f = 0; f < 4; f++) {
        rl_run run;
        const char *out = in_scratch("odd-out");
        racelab(&run, (const char *const[]){ "report", path, "--format", formats[f], "-o", out, NULL });
        rl_expect(&run, eq(int, run.status, 0));
        expect_complete_output(&run, out);
        rl_run_free(&run);
    }
}

Test(bad_input, report_unwritable_output)
{
    const char *dir = in_scratch("out dir");
    cr_assert(mkdir(dir, 0755) == 0);
    const char *outs[] = { "/nonexistent-racelab-dir/out.html", dir };
    for (size_t i = 0; i < 2; i++) {
        rl_run run;
        racelab(&run, (const char *const[]){ "report", FIXTURE_REPORT, "--format", "html", "-o", outs[i], NULL });
        expect_error(&run, EXIT_UNWRITABLE);
        rl_expect(&run, eq(int, exists("/nonexistent-racelab-dir"), false));
        rl_run_free(&run);
    }
}

Test(bad_input, report_unwritable_output_by_permission)
{
    if (skip_if_root())
        return;
    const char *dir = in_scratch("locked");
    cr_assert(mkdir(dir, 0500) == 0);
    char out[1100];
    snprintf(out, sizeof out, "%s/out.sarif", dir);
    rl_run run;
    racelab(&run, (const char *const[]){ "report", FIXTURE_REPORT, "--format", "sarif", "-o", out, NULL });
    expect_error(&run, EXIT_UNWRITABLE);
    expect_no_output(&run, out);
    rl_run_free(&run);
}

Test(bad_input, report_odd_names_in_and_out)
{
    size_t len;
    char *text = read_all(FIXTURE_REPORT, &len);
    const char *names[] = { "in with space.json", "-dash.json", "\xe2\x9c\x93 unicode.json", "new\nline.json" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *in = write_file(names[i], text, len);
        char out[1100];
        snprintf(out, sizeof out, "%s-%s.sarif", scratch_dir, names[i]);
        rl_run run;
        racelab(&run, (const char *const[]){ "report", "--format", "sarif", "-o", out, "--", in, NULL });
        rl_expect(&run, eq(int, run.status, 0));
        expect_complete_output(&run, out);
        unlink(out);
        rl_run_free(&run);
    }
    free(text);
}

/* 50 MB inputs: a report whose one finding has a 50 MB summary (one very long line) renders; 50 MB of
 * garbage and deeply nested arrays are refused with one line, quickly. */
Test(bad_input, report_huge_inputs)
{
    size_t big = 50u << 20;
    char *buf = malloc(big + 256);
    cr_assert(buf != NULL);
    int head = snprintf(buf, 256, "{\"racelab_version\": \"0.1.0\", \"notes\": [], \"findings\": [{\"kind\": "
                                  "\"double-lock\", \"summary\": \"");
    memset(buf + head, 'x', big);
    size_t len = (size_t)head + big;
    len += (size_t)sprintf(buf + len, "\"}]}\n");
    const char *huge = write_file("huge.json", buf, len);
    rl_run run;
    const char *out = in_scratch("huge.txt");
    racelab(&run, (const char *const[]){ "report", huge, "-o", out, NULL });
    rl_expect(&run, eq(int, run.status, 0));
    expect_complete_output(&run, out);
    struct stat st;
    rl_expect(&run, eq(int, stat(out, &st), 0));
    rl_expect(&run, ge(sz, (size_t)st.st_size, big));
    rl_run_free(&run);
    unlink(out);

    memset(buf, 'x', big); /* not JSON at all */
    expect_bad_report(write_file("huge-garbage.json", buf, big));
    memset(buf, '[', big / 2); /* nested deeper than any parser should follow */
    memset(buf + big / 2, ']', big / 2);
    expect_bad_report(write_file("huge-nested.json", buf, big));
    free(buf);
}

/* ---- confirm ------------------------------------------------------------------------------------ */

Test(bad_input, confirm_usage_errors)
{
    const char *const *cases[] = {
        (const char *const[]){ "confirm", NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "--", NULL },
        (const char *const[]){ "confirm", "--bogus", FIXTURE_REPORT, "--", TEST_PROGRAM("abba_potential"), NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "--finding", "--", TEST_PROGRAM("abba_potential"), NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "--finding", "0", "--", TEST_PROGRAM("abba_potential"), NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "--tries", "x", "--", TEST_PROGRAM("abba_potential"), NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "--tries", NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "--json", NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "--json", "", "--", TEST_PROGRAM("abba_potential"), NULL },
        (const char *const[]){ "confirm", FIXTURE_REPORT, "extra", "--", TEST_PROGRAM("abba_potential"), NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_run run;
        racelab(&run, cases[i]);
        expect_error(&run, EXIT_USAGE);
        rl_run_free(&run);
    }
}

static void expect_confirm_refuses(const char *report)
{
    const char *out = in_scratch("confirm.json");
    rl_run run;
    racelab(&run, (const char *const[]){ "confirm", report, "--json", out, "--", TEST_PROGRAM("abba_potential"), NULL });
    expect_error(&run, EXIT_BAD_INPUT);
    expect_no_output(&run, out);
    rl_run_free(&run);
}

Test(bad_input, confirm_bad_reports)
{
    const char *dir = in_scratch("dir");
    cr_assert(mkdir(dir, 0755) == 0);
    expect_confirm_refuses("/nonexistent/report.json");
    expect_confirm_refuses(dir);
    expect_confirm_refuses(write_text("empty.json", ""));
    expect_confirm_refuses(write_text("garbage.json", "garbage\n"));
    expect_confirm_refuses(write_text("object.json", "{}"));
    expect_confirm_refuses(truncated_report());
    expect_confirm_refuses(write_text("clean.json", "{\"racelab_version\": \"0\", \"findings\": []}"));
    expect_confirm_refuses(write_text("no-edges.json", "{\"racelab_version\": \"0\", \"findings\": "
                                                       "[{\"kind\": \"potential-deadlock\", \"edges\": 3}]}"));
    expect_confirm_refuses(write_text("odd-edges.json",
                                      "{\"racelab_version\": \"0\", \"findings\": [{\"kind\": \"potential-deadlock\", "
                                      "\"edges\": [1, {\"to_stack\": {}}, {\"to_stack\": [{\"module\": 1}]}]}]}"));
}

Test(bad_input, confirm_unwritable_output_fails_first)
{
    rl_run run;
    racelab(&run, (const char *const[]){ "confirm", FIXTURE_REPORT, "--json", "/nonexistent-racelab-dir/c.json", "--",
                                          TEST_PROGRAM("abba_potential"), NULL });
    expect_error(&run, EXIT_UNWRITABLE);
    rl_expect(&run, lt(dbl, run.seconds, 5.0)); /* before any try of the program */
    rl_run_free(&run);
}

/* As `run` does: one line and 127 (not found) or 126 (not executable), at the first try, with no
 * confirmation file written. */
Test(bad_input, confirm_program_missing_or_not_runnable)
{
    unrunnable cases[N_UNRUNNABLE];
    unrunnable_programs(cases);
    for (size_t i = 0; i < N_UNRUNNABLE; i++) {
        rl_run run;
        const char *out = in_scratch("confirm.json");
        racelab(&run, (const char *const[]){ "confirm", FIXTURE_REPORT, "--tries", "3", "--json", out, "--",
                                              cases[i].prog, NULL });
        expect_error(&run, cases[i].status);
        rl_expect(&run, eq(int, strncmp(run.err, "racelab: cannot ", 16), 0)); /* run's line, no "try N" one */
        expect_no_output(&run, out);
        rl_run_free(&run);
    }
}

/* ---- labs and lab ------------------------------------------------------------------------------- */

Test(bad_input, labs_and_lab_usage_errors)
{
    const char *const *cases[] = {
        (const char *const[]){ "labs", "extra", NULL },
        (const char *const[]){ "labs", "--bogus", NULL },
        (const char *const[]){ "lab", NULL },
        (const char *const[]){ "lab", "no_such_lab", NULL },
        (const char *const[]){ "lab", "../bin/racelab", NULL },
        (const char *const[]){ "lab", "", NULL },
        (const char *const[]){ "lab", "unsafe_counter", "--bogus", NULL },
        (const char *const[]){ "lab", "unsafe_counter", "--seed", NULL },
        (const char *const[]){ "lab", "unsafe_counter", "--schedule", "x", NULL },
        (const char *const[]){ "lab", "unsafe_counter", "--json", "", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_run run;
        racelab(&run, cases[i]);
        expect_error(&run, EXIT_USAGE);
        rl_run_free(&run);
    }
}

Test(bad_input, lab_unwritable_report)
{
    rl_run run;
    racelab(&run, (const char *const[]){ "lab", "unsafe_counter", "--json", "/nonexistent-racelab-dir/r.json", NULL });
    expect_error(&run, EXIT_UNWRITABLE);
    rl_run_free(&run);
}

Test(bad_input, labs_without_an_index_is_an_internal_error)
{
    rl_run run;
    rl_run_command(&run, (const char *const[]){ RACELAB_BIN, "labs", NULL },
                   (const char *const[]){ "RACELAB_LABS=/nonexistent-racelab-labs", NULL });
    expect_error(&run, 70);
    rl_run_free(&run);
}

/* ---- check and grade ---------------------------------------------------------------------------- */

Test(bad_input, check_and_grade_usage_errors)
{
    const char *const *cases[] = {
        (const char *const[]){ "check", NULL },
        (const char *const[]){ "check", "--bogus", NULL },
        (const char *const[]){ "check", EXERCISE, "--runs", NULL },
        (const char *const[]){ "check", EXERCISE, "--runs", "0", NULL },
        (const char *const[]){ "check", EXERCISE, "--runs", "many", NULL },
        (const char *const[]){ "check", EXERCISE, "--seed", "-1", NULL },
        (const char *const[]){ "check", EXERCISE, "--seed", "99999999999999999999999", NULL },
        (const char *const[]){ "check", EXERCISE, "--submission", NULL },
        (const char *const[]){ "check", EXERCISE, "--out", "x.json", NULL }, /* grade only */
        (const char *const[]){ "check", EXERCISE, EXERCISE, NULL },
        (const char *const[]){ "grade", NULL },
        (const char *const[]){ "grade", EXERCISE, NULL },
        (const char *const[]){ "grade", EXERCISE, "--submission", NULL },
        (const char *const[]){ "grade", EXERCISE, "--submission", "x.c", "--format", "pdf", NULL },
        (const char *const[]){ "grade", EXERCISE, "--submission", "x.c", "--format", NULL },
        (const char *const[]){ "grade", EXERCISE, "--submission", "x.c", "--out", NULL },
        (const char *const[]){ "grade", EXERCISE, "--submission", "x.c", "--out", "", NULL },
        (const char *const[]){ "grade", EXERCISE, "--submission", "x.c", "--bogus", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_run run;
        racelab(&run, cases[i]);
        expect_error(&run, EXIT_USAGE);
        rl_run_free(&run);
    }
}

/* An exercise folder whose exercise.json holds text (NULL: no exercise.json at all). */
static const char *exercise_with(const char *name, const char *json, size_t len)
{
    const char *dir = in_scratch(name);
    cr_assert(mkdir(dir, 0755) == 0);
    if (json) {
        char path[1100];
        snprintf(path, sizeof path, "%s/exercise.json", dir);
        FILE *f = fopen(path, "wb");
        cr_assert(f && fwrite(json, 1, len, f) == len && fclose(f) == 0);
    }
    return dir;
}

static void expect_bad_exercise(const char *dir)
{
    const char *out = in_scratch("results.json");
    const char *const *cases[] = {
        (const char *const[]){ "check", dir, NULL },
        (const char *const[]){ "grade", dir, "--submission", EXERCISE "/reference/counter.c", "--format", "gradescope",
                               "--out", out, NULL },
    };
    for (size_t i = 0; i < 2; i++) {
        rl_run run;
        racelab(&run, cases[i]);
        expect_error(&run, EXIT_BAD_INPUT);
        expect_no_output(&run, out);
        rl_run_free(&run);
    }
}

Test(bad_input, bad_exercises)
{
    size_t len;
    char *real = read_all(EXERCISE "/exercise.json", &len);
    expect_bad_exercise("/nonexistent/exercise");
    expect_bad_exercise(exercise_with("no-json", NULL, 0));
    expect_bad_exercise(exercise_with("empty", "", 0));
    expect_bad_exercise(exercise_with("truncated", real, len / 2));
    expect_bad_exercise(exercise_with("garbage", "\x01\x02garbage", 9));
    expect_bad_exercise(exercise_with("array", "[]", 2));
    expect_bad_exercise(exercise_with("no-tests", "{\"title\": \"t\", \"student_file\": \"a.c\"}", 38));
    const char *newline_field = "{\"title\": \"t\", \"student_file\": \"a.c\", \"bad\\nfield\": 1, \"tests\": []}";
    expect_bad_exercise(exercise_with("newline-field", newline_field, strlen(newline_field)));
    const char *dup = "{\"title\": \"t\", \"title\": \"u\", \"student_file\": \"a.c\", \"tests\": []}";
    expect_bad_exercise(exercise_with("duplicate-key", dup, strlen(dup)));
    /* exercise.json that is a directory */
    const char *dir = exercise_with("json-is-dir", NULL, 0);
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/exercise.json", dir);
    cr_assert(mkdir(sub, 0755) == 0);
    expect_bad_exercise(dir);
    free(real);
}

Test(bad_input, huge_exercise_json)
{
    size_t big = 50u << 20;
    char *buf = malloc(big);
    cr_assert(buf != NULL);
    memset(buf, ' ', big);
    memcpy(buf, "{\"title\": \"", 11);
    buf[big - 2] = '"'; /* a 50 MB title, then the object is never closed */
    buf[big - 1] = ',';
    expect_bad_exercise(exercise_with("huge", buf, big));
    free(buf);
}

Test(bad_input, grade_unwritable_out_fails_before_grading)
{
    const char *dir = in_scratch("a dir");
    cr_assert(mkdir(dir, 0755) == 0);
    const char *outs[] = { "/nonexistent-racelab-dir/results.json", dir };
    for (size_t i = 0; i < 2; i++) {
        rl_run run;
        racelab(&run, (const char *const[]){ "grade", EXERCISE, "--submission", EXERCISE "/reference/counter.c",
                                              "--out", outs[i], NULL });
        expect_error(&run, EXIT_UNWRITABLE);
        rl_expect(&run, lt(dbl, run.seconds, 5.0)); /* nothing was built or run */
        rl_run_free(&run);
    }
}

/* A submission that is missing, a directory without the file, or a FIFO (which must not block the
 * grader) is graded as not building: status 1, results written whole to an oddly named --out. */
Test(bad_input, grade_bad_submissions_score_zero)
{
    const char *fifo = in_scratch("sub.fifo");
    cr_assert(mkfifo(fifo, 0644) == 0);
    const char *empty_dir = in_scratch("empty submission");
    cr_assert(mkdir(empty_dir, 0755) == 0);
    const char *subs[] = { "/nonexistent/counter.c", empty_dir, fifo };
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
        const char *out = in_scratch("-results \xc3\xa9\n.json");
        rl_run run;
        racelab(&run, (const char *const[]){ "grade", EXERCISE, "--submission", subs[i], "--format", "gradescope",
                                              "--out", out, NULL });
        rl_expect(&run, eq(int, run.timed_out, false));
        rl_expect(&run, eq(int, run.status, 1));
        expect_complete_output(&run, out);
        json_error_t err;
        json_t *doc = json_load_file(out, 0, &err);
        rl_expect(&run, ne(ptr, doc, NULL));
        rl_expect(&run, eq(dbl, json_number_value(json_object_get(doc, "score")), 0.0));
        json_decref(doc);
        unlink(out);
        rl_run_free(&run);
    }
}
