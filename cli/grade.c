/* grade.c: `racelab grade EXERCISE --submission FILE` and `racelab check EXERCISE`: builds a student's
 * file with the exercise's harness, runs it under `racelab run` with seeded schedules and randomised
 * sizes (and once as a ThreadSanitizer build), and turns racelab's JSON reports into a score
 * (docs/grading.md has the rules; exercises/ the exercises).
 *
 * Only the grader's own channel counts: racelab's JSON report (findings, stats, the harness's shared
 * variables) and exit statuses. The submission's stdout and stderr are shown, capped, and never read.
 *
 * Judging, per test (each failing test's output quotes racelab's finding; docs/grading.md):
 *   - a run that racelab could not report on, that hit the time limit, or whose program was killed by
 *     a signal fails every test that uses it;
 *   - a finding fails the tests whose fail_on lists its kind;
 *   - a run ended by racelab for a real deadlock is not judged by a test that does not check deadlocks
 *     when another test does (the deadlock is charged there); a concurrency check that already held
 *     in it counts;
 *   - checks and the exit status are judged on runs that finished; a failed check in a run where racelab
 *     found something another test charges (a wrong total after a data race) is explained by that
 *     finding and charged there, not here, so one bug costs one test;
 *   - a test that needs a finished run (checks, an exit status, or racelab findings other than
 *     deadlocks) and got none tries up to EXTRA_RUNS further seeds, then fails;
 *   - ThreadSanitizer's findings that repeat one a racelab test already charged (same variable or
 *     same line of the student's file), or that judge lock order when a racelab test does, are noted,
 *     not charged again; a ThreadSanitizer run that hangs after racelab found a deadlock is that
 *     deadlock.
 * The same submission, exercise and seed give the same runs (seeds base .. base + runs - 1, sizes
 * drawn from each seed) and so the same score; performance checks are the exception, they measure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "grade.h"

#ifndef RACELAB_INCLUDE_DIR
#define RACELAB_INCLUDE_DIR ""
#endif
#ifndef RACELAB_TSAN_CC
#define RACELAB_TSAN_CC "clang"
#endif

#define SUBMISSION_MAX_BYTES (1 << 20)

/* racelab itself built with AddressSanitizer (the asan preset): it reserves terabytes of shadow
 * memory, so it cannot run under RLIMIT_AS; the memory limit is then applied to the program only,
 * by `racelab run` just before it starts it (RACELAB_PROGRAM_MEMORY_MB). */
#if defined(__SANITIZE_ADDRESS__)
#define RACELAB_SELF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RACELAB_SELF_ASAN 1
#endif
#endif
#ifndef RACELAB_SELF_ASAN
#define RACELAB_SELF_ASAN 0
#endif
#define BUILD_SECONDS 60.0
#define SHOWN_FINDINGS 3      /* findings quoted per run */
#define SHOWN_OUTPUT 2000     /* bytes of a failing run's output shown */
#define EXTRA_RUNS 16         /* further seeds tried when every run ended in a deadlock charged elsewhere */

/* ---- growing strings ---------------------------------------------------------------------------- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

__attribute__((format(printf, 2, 3))) static void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256);
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *g = realloc(b->s, cap);
        if (!g)
            return;
        b->s = g;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static char *sb_take(strbuf *b)
{
    char *s = b->s ? b->s : strdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

/* ---- where things are ------------------------------------------------------------------------- */

typedef struct paths {
    char self[PATH_MAX];     /* this racelab binary */
    char include[PATH_MAX];  /* folder with racelab.h */
    char runtime[PATH_MAX];  /* libracelab.so */
    const char *cc;          /* system compiler */
    const char *tsan_cc;     /* clang, for the ThreadSanitizer build */
} paths;

static bool has_racelab_h(const char *dir)
{
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/racelab.h", dir);
    return access(p, R_OK) == 0;
}

static int find_paths(paths *p)
{
    ssize_t n = readlink("/proc/self/exe", p->self, sizeof p->self - 1);
    if (n <= 0)
        return -1;
    p->self[n] = 0;
    char dir[PATH_MAX], cand[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s", p->self);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    const char *env = getenv("RACELAB_INCLUDE");
    snprintf(cand, sizeof cand, "%s/../include", dir);
    if (env && *env)
        snprintf(p->include, sizeof p->include, "%s", env);
    else if (has_racelab_h(cand) && realpath(cand, p->include))
        ;
    else
        snprintf(p->include, sizeof p->include, "%s", RACELAB_INCLUDE_DIR);
    if (!has_racelab_h(p->include))
        return -2;
    env = getenv("RACELAB_RUNTIME");
    snprintf(cand, sizeof cand, "%s/../lib/libracelab.so", dir);
    if (!realpath(env && *env ? env : cand, p->runtime))
        snprintf(p->runtime, sizeof p->runtime, "%s", env && *env ? env : cand);
    p->cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    p->tsan_cc = getenv("RACELAB_TSAN_CC") && *getenv("RACELAB_TSAN_CC") ? getenv("RACELAB_TSAN_CC") : RACELAB_TSAN_CC;
    return 0;
}

/* ---- options -------------------------------------------------------------------------------- */

typedef enum { FORMAT_TEXT, FORMAT_GRADESCOPE, FORMAT_JUNIT } out_format;

typedef struct grade_options {
    const char *exercise;
    const char *submission;
    const char *out;
    out_format format;
    int runs;           /* 0: the exercise's */
    long seed;          /* -1: the exercise's */
    bool check_only;
} grade_options;

static void grade_usage(FILE *out, bool check)
{
    if (check)
        fprintf(out,
                "usage: racelab check EXERCISE [--submission FILE] [--runs N] [--seed S]\n\n"
                "Builds FILE (default: the exercise's starter/ file, the one you edit) with the exercise's\n"
                "harness and runs the visible tests, showing racelab's findings. Exit status 0 when every\n"
                "visible test passes, 1 otherwise, 2 usage, 4 the exercise is unreadable or malformed.\n");
    else
        fprintf(out,
                "usage: racelab grade EXERCISE --submission FILE [--format text|gradescope|junit] [--out FILE]\n"
                "                     [--runs N] [--seed S]\n\n"
                "Builds FILE with the exercise's harness, runs every test (seeded racelab runs, a ThreadSanitizer\n"
                "build) in a sandbox, and scores it from racelab's reports. Formats: text (default), gradescope\n"
                "(results.json), junit (XML). Exit status 0 only for full marks; 1 points lost; 2 usage;\n"
                "3 --out not writable; 4 the exercise is unreadable or malformed; 70 internal error.\n");
}

static bool parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v ? v : "", &end, 10);
    if (!v || !*v || *end || errno || n < min || n > max)
        return false;
    *out = n;
    return true;
}

static int parse_options(int argc, char **argv, bool check, grade_options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = -1;
    o->check_only = check;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            grade_usage(stdout, check);
            return 1;
        } else if (strcmp(a, "--submission") == 0 && v) {
            o->submission = v, i++;
        } else if (!check && strcmp(a, "--out") == 0 && v) {
            o->out = v, i++;
        } else if (!check && strcmp(a, "--format") == 0 && v) {
            if (strcmp(v, "text") == 0)
                o->format = FORMAT_TEXT;
            else if (strcmp(v, "gradescope") == 0)
                o->format = FORMAT_GRADESCOPE;
            else if (strcmp(v, "junit") == 0)
                o->format = FORMAT_JUNIT;
            else {
                rl_cli_error("unknown format '%s' (text, gradescope or junit)", v);
                return -1;
            }
            i++;
        } else if (strcmp(a, "--runs") == 0) {
            if (!parse_long(v, 1, 1000, &n)) {
                rl_cli_error("--runs needs a number from 1 to 1000");
                return -1;
            }
            o->runs = (int)n, i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_long(v, 0, LONG_MAX / 4, &n)) {
                rl_cli_error("--seed needs a non-negative number");
                return -1;
            }
            o->seed = n, i++;
        } else if (a[0] == '-') {
            rl_cli_error("%s '%s' (try: racelab %s --help)",
                    v || strncmp(a, "--", 2) != 0 ? "unknown option" : "missing value after", a, check ? "check" : "grade");
            return -1;
        } else if (!o->exercise) {
            o->exercise = a;
        } else {
            rl_cli_error("unexpected argument '%s' (try: racelab %s --help)", a, check ? "check" : "grade");
            return -1;
        }
    }
    if (!o->exercise) {
        rl_cli_error("%s needs the exercise folder: racelab %s EXERCISE%s", check ? "check" : "grade",
                check ? "check" : "grade", check ? "" : " --submission FILE");
        return -1;
    }
    if (!check && !o->submission) {
        rl_cli_error("grade needs --submission FILE (the student's file)");
        return -1;
    }
    return 0;
}

/* ---- runs ------------------------------------------------------------------------------------- */

typedef struct run_outcome {
    long seed;
    long *sizes;              /* values, in the order of the spec's sizes */
    char *args_text;          /* the program's arguments, space-separated */
    rl_proc proc;
    json_t *report;           /* NULL when racelab wrote none */
} run_outcome;

typedef struct run_set {
    char *key;                /* equal keys: the same runs */
    const rl_run_spec *spec;
    int n_runs;
    run_outcome *runs;
    bool done;
    run_outcome *extra;       /* further seeds, made when every run ended in a deadlock */
    int n_extra;
} run_set;

typedef struct grader {
    const rl_exercise *ex;
    const grade_options *opt;
    paths where;
    rl_sandbox sb;
    char src_dir[PATH_MAX], bin_dir[PATH_MAX];
    char program[PATH_MAX], program_tsan[PATH_MAX];
    bool build_ok, tsan_ok;
    char *build_output, *tsan_output;
    long seed;
    long cores;
    run_set *sets;
    size_t n_sets;
    rl_test_result *results;  /* one per test of the exercise (NOT_RUN for tests not selected) */
} grader;

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static int effective_runs(const grader *g, const rl_run_spec *r)
{
    return r->runs_fixed || !g->opt->runs ? r->runs : g->opt->runs;
}

static char *run_key(const grader *g, const rl_run_spec *r)
{
    strbuf b = { 0 };
    sb_printf(&b, "%d|%s|%d|", r->tsan, r->schedule ? r->schedule : "", effective_runs(g, r));
    for (size_t i = 0; i < r->n_args; i++)
        sb_printf(&b, "a:%s\x1f", r->args[i]);
    for (size_t i = 0; i < r->n_racelab_args; i++)
        sb_printf(&b, "r:%s\x1f", r->racelab_args[i]);
    for (size_t i = 0; i < r->n_sizes; i++)
        sb_printf(&b, "s:%s=%ld-%ld\x1f", r->sizes[i].name, r->sizes[i].min, r->sizes[i].max);
    return sb_take(&b);
}

static run_set *set_for(grader *g, const rl_run_spec *r)
{
    char *key = run_key(g, r);
    for (size_t i = 0; i < g->n_sets; i++)
        if (strcmp(g->sets[i].key, key) == 0) {
            free(key);
            return &g->sets[i];
        }
    run_set *grown = realloc(g->sets, (g->n_sets + 1) * sizeof *grown);
    if (!grown) {
        free(key);
        return NULL;
    }
    g->sets = grown;
    run_set *s = &g->sets[g->n_sets++];
    memset(s, 0, sizeof *s);
    s->key = key;
    s->spec = r;
    s->n_runs = effective_runs(g, r);
    return s;
}

static const char *finding_kind(const json_t *f);

/* Names in args templates: the run's sizes, its seed, the core count. */
typedef struct lookup_ctx {
    const grader *g;
    const rl_run_spec *spec;
    const run_outcome *run;
} lookup_ctx;

static json_t *main_process_variable(const json_t *report, const char *name, int *count)
{
    json_t *procs = json_object_get(report, "processes");
    json_int_t main_pid = -1;
    size_t i, j;
    json_t *p, *q;
    json_array_foreach(procs, i, p) {
        json_int_t parent = json_integer_value(json_object_get(p, "parent_pid"));
        bool child = false;
        json_array_foreach(procs, j, q)
            child |= json_integer_value(json_object_get(q, "pid")) == parent;
        if (!child) {
            main_pid = json_integer_value(json_object_get(p, "pid"));
            break;
        }
    }
    json_t *found = NULL, *v;
    *count = 0;
    json_array_foreach(json_object_get(report, "variables"), i, v) {
        const char *vn = json_string_value(json_object_get(v, "name"));
        if (vn && strcmp(vn, name) == 0 && json_integer_value(json_object_get(v, "pid")) == main_pid) {
            found = v;
            (*count)++;
        }
    }
    return found;
}

static int lookup(void *vctx, const char *name, long long *value)
{
    const lookup_ctx *c = vctx;
    for (size_t i = 0; i < c->spec->n_sizes; i++)
        if (strcmp(name, c->spec->sizes[i].name) == 0) {
            *value = c->run->sizes[i];
            return 0;
        }
    if (strcmp(name, "seed") == 0) {
        *value = c->run->seed;
        return 0;
    }
    if (strcmp(name, "cores") == 0) {
        *value = c->g->cores;
        return 0;
    }
    const json_t *report = c->run->report;
    if (!report)
        return -1;
    if (strcmp(name, "exit") == 0) {
        json_t *st = json_object_get(json_object_get(report, "exit"), "status");
        if (!json_is_integer(st))
            return -1;
        *value = json_integer_value(st);
        return 0;
    }
    if (strncmp(name, "stats.", 6) == 0) {
        json_t *v = json_object_get(json_object_get(report, "stats"), name + 6);
        if (!json_is_integer(v))
            return -1;
        *value = json_integer_value(v);
        return 0;
    }
    if (strncmp(name, "notes.", 6) == 0) { /* suppressed cycles by reason: notes.gate_lock */
        char reason[64];
        snprintf(reason, sizeof reason, "%s", name + 6);
        for (char *c = reason; *c; c++)
            if (*c == '_')
                *c = '-';
        long long n = 0;
        size_t i;
        json_t *note;
        json_array_foreach(json_object_get(report, "notes"), i, note) {
            const char *r = json_string_value(json_object_get(note, "reason"));
            n += r && strcmp(r, reason) == 0;
        }
        *value = n;
        return 0;
    }
    if (strncmp(name, "findings.", 9) == 0) { /* findings by kind: findings.data_race */
        char kind[64];
        snprintf(kind, sizeof kind, "%s", name + 9);
        for (char *c = kind; *c; c++)
            if (*c == '_')
                *c = '-';
        long long n = 0;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(report, "findings"), i, f)
            n += strcmp(finding_kind(f), kind) == 0;
        *value = n;
        return 0;
    }
    if (strncmp(name, "var.", 4) == 0) {
        char var[256];
        snprintf(var, sizeof var, "%s", name + 4);
        const char *field = "final";
        int count = 0;
        json_t *v = main_process_variable(report, var, &count);
        char *dot = strrchr(var, '.');
        if (!v && dot) {
            *dot = 0;
            field = dot + 1;
            v = main_process_variable(report, var, &count);
        }
        if (!v || count != 1) /* absent, or declared twice: the student's own copy must not stand in */
            return -1;
        json_t *f = json_object_get(v, field);
        if (!json_is_integer(f))
            return -1;
        *value = json_integer_value(f);
        return 0;
    }
    return -1;
}

static void draw_sizes(const grader *g, const rl_run_spec *r, run_outcome *run)
{
    run->sizes = calloc(r->n_sizes + 1, sizeof *run->sizes);
    for (size_t i = 0; i < r->n_sizes; i++) {
        uint64_t span = (uint64_t)(r->sizes[i].max - r->sizes[i].min) + 1;
        uint64_t x = splitmix((uint64_t)run->seed * 0x2545f4914f6cdd1dULL ^ hash_text(r->sizes[i].name) ^ (uint64_t)g->seed);
        run->sizes[i] = r->sizes[i].min + (long)(x % span);
    }
}

static const char *finding_kind(const json_t *f)
{
    const char *k = json_string_value(json_object_get(f, "kind"));
    return k ? k : "?";
}

static const char *finding_summary(const json_t *f)
{
    const char *s = json_string_value(json_object_get(f, "summary"));
    return s ? s : finding_kind(f);
}

static bool list_has(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* Is a finding of this kind in fail_on? "tsan-*" stands for every kind merged from ThreadSanitizer
 * under its own title ("tsan-heap-use-after-free", ...). */
static bool fails_on(const rl_test_spec *t, const char *kind)
{
    return list_has(t->fail_on, t->n_fail_on, kind) ||
           (strncmp(kind, "tsan-", 5) == 0 && list_has(t->fail_on, t->n_fail_on, "tsan-*"));
}

static char *const *make_env(const grader *g, const char *dir, bool tsan, char **storage, size_t n)
{
    size_t k = 0;
    const char *path = getenv("PATH");
    snprintf(storage[k++], n, "PATH=%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    snprintf(storage[k++], n, "HOME=%s", dir);
    snprintf(storage[k++], n, "TMPDIR=%s", dir);
    snprintf(storage[k++], n, "LC_ALL=C");
    if (getenv("RACELAB_RUNTIME"))
        snprintf(storage[k++], n, "RACELAB_RUNTIME=%s", g->where.runtime);
    if (tsan) /* no RLIMIT_AS for TSan (it reserves terabytes of shadow): its own RSS limit instead; and
               * crashes left to the kernel, so that the signal shows in the report */
        snprintf(storage[k++], n, "TSAN_OPTIONS=hard_rss_limit_mb=%ld handle_segv=0 handle_sigbus=0 handle_sigfpe=0 "
                                  "handle_sigill=0 handle_abort=0", g->ex->memory_mb);
    else if (RACELAB_SELF_ASAN)
        snprintf(storage[k++], n, "RACELAB_PROGRAM_MEMORY_MB=%ld", g->ex->memory_mb);
    storage[k] = NULL;
    return storage;
}

static void run_one(grader *g, run_set *set, int index, run_outcome *run)
{
    const rl_run_spec *r = set->spec;
    run->seed = g->seed + index;
    draw_sizes(g, r, run);
    lookup_ctx ctx = { g, r, run };
    char dir[PATH_MAX + 64], report[PATH_MAX + 96], seed_text[32];
    snprintf(dir, sizeof dir, "%s/runs/%zu-%d", g->sb.root, (size_t)(set - g->sets), index);
    snprintf(report, sizeof report, "%s/report.json", dir);
    snprintf(seed_text, sizeof seed_text, "%ld", run->seed);
    rl_sandbox_mkdir(&g->sb, dir);

    size_t n_argv = 12 + r->n_racelab_args + r->n_args;
    char **argv = calloc(n_argv, sizeof *argv);
    char **expanded = calloc(r->n_args + 1, sizeof *expanded);
    size_t k = 0;
    argv[k++] = g->where.self;
    argv[k++] = "run";
    argv[k++] = "--quiet";
    argv[k++] = "--json";
    argv[k++] = report;
    argv[k++] = "--schedule";
    argv[k++] = r->schedule ? r->schedule : "pct";
    argv[k++] = "--seed";
    argv[k++] = seed_text;
    for (size_t i = 0; i < r->n_racelab_args; i++)
        argv[k++] = r->racelab_args[i];
    argv[k++] = "--";
    argv[k++] = r->tsan ? g->program_tsan : g->program;
    strbuf text = { 0 };
    for (size_t i = 0; i < r->n_args; i++) {
        expanded[i] = malloc(512);
        rl_expr_format(r->args[i], lookup, &ctx, expanded[i], 512);
        argv[k++] = expanded[i];
        sb_printf(&text, "%s%s", i ? " " : "", expanded[i]);
    }
    argv[k] = NULL;
    run->args_text = sb_take(&text);

    char env_store[8][PATH_MAX + 64];
    char *env_ptrs[8];
    for (int i = 0; i < 8; i++)
        env_ptrs[i] = env_store[i];
    char *const *env = make_env(g, dir, r->tsan, env_ptrs, sizeof env_store[0]);
    rl_limits lim = {
        .seconds = g->ex->time_limit,
        .memory_mb = r->tsan || RACELAB_SELF_ASAN ? 0 : g->ex->memory_mb,
        .cpu_seconds = (long)(g->ex->time_limit * (double)(g->cores > 0 ? g->cores : 1)) + 10,
        .file_mb = 64,
        .processes = g->ex->max_processes,
        .output_limit = g->ex->output_limit,
        .spare_leader = true,
    };
    rl_sandbox_run(&g->sb, argv, env, dir, &lim, &run->proc);
    json_error_t jerr;
    run->report = json_load_file(report, 0, &jerr);
    for (size_t i = 0; i < r->n_args; i++)
        free(expanded[i]);
    free(expanded);
    free(argv);
    rl_remove_tree(dir);
}

static void do_runs(grader *g, run_set *set)
{
    if (set->done)
        return;
    set->done = true;
    set->runs = calloc((size_t)set->n_runs + 1, sizeof *set->runs);
    for (int i = 0; i < set->n_runs; i++)
        run_one(g, set, i, &set->runs[i]);
}

/* ---- build ------------------------------------------------------------------------------------ */

static int copy_file(const char *from, const char *to, size_t max, char *err, size_t err_len)
{
    int in = open(from, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block the grader */
    if (in < 0) {
        snprintf(err, err_len, "cannot read '%s': %s", from, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(in, &st) != 0) {
        snprintf(err, err_len, "cannot read '%s': %s", from, strerror(errno));
        close(in);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        snprintf(err, err_len, "'%s' is %s", from, S_ISREG(st.st_mode) ? "too large" : "not a regular file");
        close(in);
        return -1;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        snprintf(err, err_len, "cannot write '%s': %s", to, strerror(errno));
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) {
            rc = -1;
            snprintf(err, err_len, "cannot write '%s': %s", to, strerror(errno));
            break;
        }
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

/* Copies the harness folder's .c and .h files into src_dir. */
static int copy_harness(grader *g, char *err, size_t err_len)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/harness", g->ex->dir);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) && rc == 0) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 3 || (strcmp(e->d_name + len - 2, ".c") && strcmp(e->d_name + len - 2, ".h")))
            continue;
        if (strcmp(e->d_name, g->ex->student_file) == 0)
            continue;
        char from[PATH_MAX + 256], to[PATH_MAX + 256];
        snprintf(from, sizeof from, "%s/%s", dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s", g->src_dir, e->d_name);
        rc = copy_file(from, to, SIZE_MAX, err, err_len);
    }
    closedir(d);
    return rc;
}

static char *compile(grader *g, bool tsan, bool *ok)
{
    const rl_exercise *ex = g->ex;
    char **argv = calloc(24 + ex->n_cflags + ex->n_harness, sizeof *argv);
    char inc[PATH_MAX + 8];
    snprintf(inc, sizeof inc, "-I%s", g->where.include);
    size_t k = 0;
    argv[k++] = (char *)(tsan ? g->where.tsan_cc : g->where.cc);
    argv[k++] = "-std=gnu17";
    argv[k++] = "-D_GNU_SOURCE";
    argv[k++] = "-g";
    argv[k++] = "-O1";
    argv[k++] = "-fno-omit-frame-pointer";
    argv[k++] = "-Wall";
    argv[k++] = "-Wextra";
    argv[k++] = "-fdiagnostics-color=never";
    if (tsan)
        argv[k++] = "-fsanitize=thread";
    argv[k++] = inc;
    argv[k++] = "-I.";
    for (size_t i = 0; i < ex->n_cflags; i++)
        argv[k++] = ex->cflags[i];
    for (size_t i = 0; i < ex->n_harness; i++)
        argv[k++] = ex->harness[i];
    argv[k++] = ex->student_file;
    argv[k++] = "-o";
    argv[k++] = tsan ? g->program_tsan : g->program;
    argv[k++] = "-pthread";
    argv[k] = NULL;
    char env_store[8][PATH_MAX + 64];
    char *env_ptrs[8];
    for (int i = 0; i < 8; i++)
        env_ptrs[i] = env_store[i];
    char *const *env = make_env(g, g->bin_dir, false, env_ptrs, sizeof env_store[0]);
    rl_limits lim = { .seconds = BUILD_SECONDS, .memory_mb = 4096, .cpu_seconds = 120, .file_mb = 512,
                      .processes = 64, .output_limit = 32 * 1024 };
    rl_proc p;
    rl_sandbox_run(&g->sb, argv, env, g->src_dir, &lim, &p);
    free(argv);
    *ok = p.started && !p.timed_out && p.signal == 0 && p.status == 0 && access(tsan ? g->program_tsan : g->program, X_OK) == 0;
    strbuf b = { 0 };
    char *clean = rl_grade_clean_text(p.output, p.output_len);
    sb_printf(&b, "%s", clean);
    free(clean);
    if (p.output_total > p.output_len)
        sb_printf(&b, "\n[... %zu more bytes of compiler output not shown]\n", p.output_total - p.output_len);
    if (p.timed_out)
        sb_printf(&b, "\nthe compiler was stopped after %.0f s\n", BUILD_SECONDS);
    else if (!*ok && p.started && p.status == 0)
        sb_printf(&b, "\nthe compiler produced no program\n");
    rl_proc_free(&p);
    return sb_take(&b);
}

/* ---- judging ---------------------------------------------------------------------------------- */

typedef struct judgement {
    strbuf out;               /* details */
    char *message;            /* first failure, one line */
    bool failed;
    bool noted;               /* a bug seen here was charged to another test */
} judgement;

__attribute__((format(printf, 2, 3))) static void fail_with(judgement *j, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!j->failed) {
        j->failed = true;
        j->message = strdup(line);
    }
}

static const char *other_test_checking(const grader *g, const rl_test_spec *self, const char *kind)
{
    for (size_t i = 0; i < g->ex->n_tests; i++) {
        const rl_test_spec *t = &g->ex->tests[i];
        if (t != self && t->kind != RL_TEST_TSAN && fails_on(t, kind))
            return t->name;
    }
    return NULL;
}

static const char *signal_hint(const char *name)
{
    if (!name)
        return "";
    if (strcmp(name, "SIGXCPU") == 0)
        return " (the CPU time limit)";
    if (strcmp(name, "SIGXFSZ") == 0)
        return " (the file size limit: it wrote too much into a file)";
    if (strcmp(name, "SIGSEGV") == 0)
        return " (a bad pointer, or memory exhausted: the limit is the exercise's memory_mb)";
    if (strcmp(name, "SIGKILL") == 0)
        return " (killed from outside: a resource limit)";
    if (strcmp(name, "SIGABRT") == 0)
        return " (abort(): a failed assertion, or memory exhausted)";
    return "";
}

/* "run with seed 3", or "the ThreadSanitizer run": for one-line messages. */
static const char *run_label(const rl_run_spec *r, const run_outcome *run, char *buf, size_t n)
{
    if (r->tsan)
        snprintf(buf, n, "the ThreadSanitizer run");
    else
        snprintf(buf, n, "run with seed %ld", run->seed);
    return buf;
}

static void describe_run(strbuf *b, const rl_run_spec *r, const run_outcome *run, const char *prog)
{
    if (r->tsan)
        sb_printf(b, "ThreadSanitizer build: %s %s", prog, run->args_text);
    else
        sb_printf(b, "run with seed %ld: racelab run --schedule %s --seed %ld -- %s %s", run->seed,
                  r->schedule ? r->schedule : "pct", run->seed, prog, run->args_text);
}

static void show_output(strbuf *b, const run_outcome *run)
{
    if (!run->proc.output_total)
        return;
    size_t n = run->proc.output_len < SHOWN_OUTPUT ? run->proc.output_len : SHOWN_OUTPUT;
    char *clean = rl_grade_clean_text(run->proc.output, n);
    sb_printf(b, "    the program's output (shown, never graded):\n");
    const char *line = clean;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        sb_printf(b, "    | %.*s\n", (int)len, line);
        line += len + (nl != NULL);
    }
    if (run->proc.output_total > n)
        sb_printf(b, "    | [... %zu more bytes not shown]\n", run->proc.output_total - n);
    free(clean);
}

/* The places in the student's file a finding mentions ("counter.c:14"), and the variable it is about,
 * to recognise the same bug reported by racelab and by ThreadSanitizer. */
static void collect_lines(const json_t *j, const char *student_file, strbuf *into)
{
    if (json_is_object(j)) {
        const char *file = json_string_value(json_object_get(j, "file"));
        json_t *line = json_object_get(j, "line");
        if (file && json_is_integer(line)) {
            const char *base = strrchr(file, '/');
            base = base ? base + 1 : file;
            if (strcmp(base, student_file) == 0)
                sb_printf(into, "|%s:%lld|", base, (long long)json_integer_value(line));
        }
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)j, key, v)
            if (strcmp(key, "threads") != 0) /* where threads were created says nothing about the bug */
                collect_lines(v, student_file, into);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
            collect_lines(v, student_file, into);
    }
}

static const char *finding_class(const char *kind)
{
    if (strcmp(kind, "data-race") == 0 || strcmp(kind, "lost-update") == 0)
        return "race";
    if (strcmp(kind, "potential-deadlock") == 0 || strcmp(kind, "deadlock") == 0)
        return "deadlock";
    return kind;
}

/* Signatures of the findings charged by racelab tests: "race|var:counter", "race|line:counter.c:14". */
typedef struct charged {
    strbuf sigs;
    const char *first_test;
} charged;

static void add_signatures(charged *c, const json_t *f, const char *student_file, const char *test)
{
    const char *cls = finding_class(finding_kind(f));
    const char *var = json_string_value(json_object_get(f, "variable"));
    sb_printf(&c->sigs, "\n%s|any\n", cls);
    if (var)
        sb_printf(&c->sigs, "\n%s|var:%s\n", cls, var);
    strbuf lines = { 0 };
    collect_lines(f, student_file, &lines);
    for (char *p = lines.s; p && (p = strchr(p, '|')) && p[1];) {
        char *end = strchr(p + 1, '|');
        if (!end)
            break;
        sb_printf(&c->sigs, "\n%s|line:%.*s\n", cls, (int)(end - p - 1), p + 1);
        p = end + 1;
    }
    free(lines.s);
    if (!c->first_test)
        c->first_test = test;
}

static bool is_charged(const charged *c, const json_t *f, const char *student_file)
{
    if (!c->sigs.s)
        return false;
    const char *cls = finding_class(finding_kind(f));
    char sig[600];
    const char *var = json_string_value(json_object_get(f, "variable"));
    if (var) {
        snprintf(sig, sizeof sig, "\n%s|var:%s\n", cls, var);
        if (strstr(c->sigs.s, sig))
            return true;
    }
    strbuf lines = { 0 };
    collect_lines(f, student_file, &lines);
    bool found = false;
    for (char *p = lines.s; p && !found && (p = strchr(p, '|')) && p[1];) {
        char *end = strchr(p + 1, '|');
        if (!end)
            break;
        snprintf(sig, sizeof sig, "\n%s|line:%.*s\n", cls, (int)(end - p - 1), p + 1);
        found = strstr(c->sigs.s, sig) != NULL;
        p = end + 1;
    }
    free(lines.s);
    return found;
}

/* Does this test need a run that finished? Checks and exit statuses do; so does a racelab test that
 * does not judge deadlocks itself, since a program that deadlocks at once had no chance to race. */
static bool needs_finished_run(const grader *g, const rl_test_spec *t)
{
    if (t->run.tsan)
        return false;
    return t->n_checks > 0 || t->exit_status >= 0 ||
           (t->kind == RL_TEST_RACELAB && !fails_on(t, "deadlock") && other_test_checking(g, t, "deadlock"));
}

/* What judging one run needs besides the run. */
typedef struct judge_ctx {
    grader *g;
    const rl_test_spec *t;
    charged *racelab_charged;
    judgement *j;
    int judged;               /* runs whose results were judged */
    int not_judged;           /* runs ended by a deadlock charged to another test */
} judge_ctx;

/* Is this ThreadSanitizer finding one that a racelab test charges already, or judges better? Sets why. */
static bool tsan_repeats(const judge_ctx *c, const json_t *f, const char **why)
{
    if (is_charged(c->racelab_charged, f, c->g->ex->student_file)) {
        *why = "the same bug racelab reported, charged to test";
        return true;
    }
    /* lock order is racelab's to judge: it knows gate locks, single-thread orders and trylocks */
    const char *other = other_test_checking(c->g, c->t, "potential-deadlock");
    if (strcmp(finding_kind(f), "potential-deadlock") == 0 && other) {
        *why = "racelab judges lock order (it knows gate locks and trylocks), in test";
        return true;
    }
    return false;
}

static void judge_run(judge_ctx *c, const run_outcome *run)
{
    grader *g = c->g;
    const rl_test_spec *t = c->t;
    const rl_run_spec *r = &t->run;
    judgement *j = c->j;
    const char *prog = r->tsan ? "./program-tsan" : "./program";
    bool needs_finished = needs_finished_run(g, t);
    strbuf where = { 0 };
    char label[64];
    run_label(r, run, label, sizeof label);
    describe_run(&where, r, run, prog);
    size_t before = j->out.len;
    bool run_failed = false;
    strbuf measured = { 0 }; /* concurrency and performance: the values the passed checks saw */
    json_t *report = run->report;
    const char *deadlock_test = other_test_checking(g, t, "deadlock");
    if (!report || run->proc.timed_out || !run->proc.started) {
        if (run->proc.timed_out && r->tsan && deadlock_test && c->racelab_charged->sigs.s &&
            strstr(c->racelab_charged->sigs.s, "\ndeadlock|any\n")) {
            /* racelab cannot end a deadlock in a TSan build: the hang is the deadlock charged there */
            sb_printf(&j->out, "- %s\n  not charged here: the program hung until the time limit, as the deadlock "
                               "racelab found would make it; charged to test '%s'\n", where.s, deadlock_test);
            j->noted = true;
            free(where.s);
            return;
        }
        if (run->proc.timed_out) {
            fail_with(j, "time limit of %g s exceeded (%s): an infinite loop, or threads waiting "
                         "for each other for ever?", g->ex->time_limit, label);
            sb_printf(&j->out, "- %s\n  FAILED: time limit of %g s exceeded; the program was killed\n", where.s,
                      g->ex->time_limit);
        } else {
            fail_with(j, "racelab could not check the program (%s)", label);
            sb_printf(&j->out, "- %s\n  FAILED: racelab produced no report (exit status %d)\n", where.s, run->proc.status);
        }
        run_failed = true;
    }
    json_t *exit_obj = json_object_get(report, "exit");
    const char *sig = json_string_value(json_object_get(exit_obj, "signal_name"));
    bool deadlocked = json_string_value(json_object_get(exit_obj, "ended_by_racelab")) != NULL;
    size_t k;
    json_t *f;
    int shown = 0;
    strbuf noted = { 0 }; /* summaries already noted for this run */
    json_array_foreach(json_object_get(report, "findings"), k, f) {
        const char *kind = finding_kind(f), *why;
        if (!fails_on(t, kind))
            continue;
        if (r->tsan && tsan_repeats(c, f, &why)) {
            if (noted.s && strstr(noted.s, finding_summary(f)))
                continue;
            sb_printf(&noted, "%s\n", finding_summary(f));
            const char *other = strstr(why, "racelab judges") ? other_test_checking(g, t, "potential-deadlock")
                                                               : c->racelab_charged->first_test;
            sb_printf(&j->out, "- %s\n  note: ThreadSanitizer reports %s: %s '%s'\n", where.s, finding_summary(f), why,
                      other ? other : "?");
            j->noted = true;
            continue;
        }
        if (!run_failed)
            sb_printf(&j->out, "- %s\n", where.s);
        run_failed = true;
        fail_with(j, "%s", finding_summary(f));
        if (shown++ < SHOWN_FINDINGS)
            sb_printf(&j->out, "  FAILED: %s: %s\n", kind, finding_summary(f));
        if (!r->tsan)
            add_signatures(c->racelab_charged, f, g->ex->student_file, t->name);
    }
    free(noted.s);
    if (shown > SHOWN_FINDINGS)
        sb_printf(&j->out, "  (and %d more findings)\n", shown - SHOWN_FINDINGS);
    if (report && !run->proc.timed_out && sig) {
        fail_with(j, "the program was killed by %s%s (%s)", sig, signal_hint(sig), label);
        if (!run_failed)
            sb_printf(&j->out, "- %s\n", where.s);
        sb_printf(&j->out, "  FAILED: the program was killed by %s%s\n", sig, signal_hint(sig));
        run_failed = true;
    }
    if (report && r->tsan && !sig && !run->proc.timed_out &&
        json_integer_value(json_object_get(exit_obj, "status")) == 66 &&
        json_array_size(json_object_get(report, "findings")) == 0) {
        /* TSan's exit code without a report of its own: it stopped the program (out of memory) */
        fail_with(j, "ThreadSanitizer stopped the program without a report (out of memory?)");
        if (!run_failed)
            sb_printf(&j->out, "- %s\n", where.s);
        sb_printf(&j->out, "  FAILED: ThreadSanitizer stopped the program (exit status 66) without a report: "
                           "the memory limit (%ld MB), or an error of its own\n", g->ex->memory_mb);
        run_failed = true;
    }
    if (report && !r->tsan && !json_is_true(json_object_get(report, "instrumented"))) {
        fail_with(j, "racelab could not check the program (its runtime did not start in it)");
        if (!run_failed)
            sb_printf(&j->out, "- %s\n", where.s);
        sb_printf(&j->out, "  FAILED: racelab's runtime did not start in the program: nothing was checked\n");
        run_failed = true;
    }
    bool finished = report && !run->proc.timed_out && !sig && !deadlocked && !run_failed;
    if (report && deadlocked && !run_failed && !run->proc.timed_out && !fails_on(t, "deadlock") && deadlock_test &&
        t->kind == RL_TEST_CONCURRENCY && t->n_checks) {
        /* A concurrency check measures what happened before racelab ended the run: it counts when it
         * holds already; when it does not, the run was cut short and is set aside. */
        lookup_ctx ctx = { g, r, run };
        bool all = true;
        for (size_t ci = 0; ci < t->n_checks && all; ci++) {
            long long v;
            all = rl_expr_eval(t->checks[ci].expr, lookup, &ctx, &v, NULL, 0, NULL, 0) == 0 && v;
        }
        if (all) {
            sb_printf(&j->out, "- %s\n  ok before racelab ended it for a deadlock (charged to test '%s')\n", where.s,
                      deadlock_test);
            j->noted = true;
            c->judged++;
            free(where.s);
            return;
        }
    }
    if (report && deadlocked && !run_failed && !run->proc.timed_out) {
        if (!fails_on(t, "deadlock") && deadlock_test) {
            if (needs_finished) {
                sb_printf(&j->out, "- %s\n  not judged: racelab ended it for a deadlock, charged to test '%s'\n",
                          where.s, deadlock_test);
                j->noted = true;
            }
            c->not_judged++;
        } else if (!fails_on(t, "deadlock")) {
            fail_with(j, "the program deadlocked (%s)", label);
            sb_printf(&j->out, "- %s\n  FAILED: racelab ended the program for a deadlock\n", where.s);
            run_failed = true;
        }
    }
    if (finished && needs_finished && !r->tsan) {
        c->judged++;
        lookup_ctx ctx = { g, r, run };
        strbuf problems = { 0 };
        char *first = NULL;
        for (size_t ci = 0; ci < t->n_checks; ci++) {
            long long v;
            char err[200], used[512];
            int rc = rl_expr_eval(t->checks[ci].expr, lookup, &ctx, &v, err, sizeof err, used, sizeof used);
            if (rc == 0 && v) {
                if (t->kind == RL_TEST_PERFORMANCE || t->kind == RL_TEST_CONCURRENCY) /* what was measured */
                    sb_printf(&measured, "%s%s", measured.len ? ", " : "", used);
                continue;
            }
            char msg[1024];
            if (t->checks[ci].message)
                rl_expr_format(t->checks[ci].message, lookup, &ctx, msg, sizeof msg);
            else
                snprintf(msg, sizeof msg, "check failed: %s", t->checks[ci].expr);
            if (rc != 0)
                sb_printf(&problems, "  %s\n    (%s: %s; the program ended before the harness published its "
                                     "results, or a shared variable is declared twice?)\n", msg, t->checks[ci].expr, err);
            else
                sb_printf(&problems, "  %s\n    (%s, with %s)\n", msg, t->checks[ci].expr, used);
            if (!first)
                first = strdup(msg);
        }
        if (t->exit_status >= 0) {
            long long st = -1;
            if (lookup(&ctx, "exit", &st) != 0 || st != t->exit_status) {
                sb_printf(&problems, "  the harness exited with status %lld, not %d: its own checks of the results "
                                     "failed (its messages are in the output below)\n", st, t->exit_status);
                if (!first)
                    first = strdup("the harness's checks of the results failed (its messages are in the output)");
            }
        }
        if (first) {
            /* explained by a finding that another test charges? */
            const char *explainer = NULL, *explainer_kind = NULL;
            json_array_foreach(json_object_get(report, "findings"), k, f) {
                const char *other = other_test_checking(g, t, finding_kind(f));
                if (other && !fails_on(t, finding_kind(f))) {
                    explainer = other;
                    explainer_kind = finding_kind(f);
                    break;
                }
            }
            if (explainer) {
                sb_printf(&j->out, "- %s\n  not charged here: %s\n  explained by the %s racelab found in this run, "
                                   "charged to test '%s'\n", where.s, first, explainer_kind, explainer);
                j->noted = true;
            } else {
                fail_with(j, "%s", first);
                sb_printf(&j->out, "- %s\n  FAILED:\n%s", where.s, problems.s);
                run_failed = true;
            }
            free(first);
        }
        free(problems.s);
    } else if (finished || (r->tsan && report && !run->proc.timed_out)) {
        c->judged++;
    }
    if (run_failed)
        show_output(&j->out, run);
    else if (j->out.len == before)
        sb_printf(&j->out, "- %s\n  ok%s%s%s\n", where.s, measured.len ? " (" : "", measured.len ? measured.s : "",
                  measured.len ? ")" : "");
    free(measured.s);
    free(where.s);
}

/* A run of the set beyond its seeds (seed base + runs + k), made on first use and kept for the other
 * tests that share the set. */
static const run_outcome *extra_run(grader *g, run_set *set, int k)
{
    if (k >= set->n_extra) {
        run_outcome *grown = realloc(set->extra, (size_t)(k + 1) * sizeof *grown);
        if (!grown)
            return NULL;
        set->extra = grown;
        for (int i = set->n_extra; i <= k; i++) {
            memset(&set->extra[i], 0, sizeof set->extra[i]);
            run_one(g, set, set->n_runs + i, &set->extra[i]);
        }
        set->n_extra = k + 1;
    }
    return &set->extra[k];
}

static void judge_test(grader *g, const rl_test_spec *t, run_set *set, charged *racelab_charged, rl_test_result *res)
{
    judgement j = { 0 };
    const rl_run_spec *r = &t->run;
    bool needs_finished = needs_finished_run(g, t);
    if (r->tsan)
        sb_printf(&j.out, "One run of the ThreadSanitizer build (clang -fsanitize=thread).\n");
    else if (set->n_runs == 1)
        sb_printf(&j.out, "1 run under racelab, schedule %s, seed %ld.\n", r->schedule ? r->schedule : "pct",
                  set->runs[0].seed);
    else
        sb_printf(&j.out, "%d runs under racelab, schedule %s, seeds %ld to %ld.\n", set->n_runs,
                  r->schedule ? r->schedule : "pct", set->runs[0].seed, set->runs[set->n_runs - 1].seed);
    if (t->n_fail_on && !list_has(t->fail_on, t->n_fail_on, "tsan-*")) {
        sb_printf(&j.out, "Fails on: ");
        for (size_t i = 0; i < t->n_fail_on; i++)
            sb_printf(&j.out, "%s%s", i ? ", " : "", t->fail_on[i]);
        sb_printf(&j.out, ".\n");
    } else if (t->n_fail_on) {
        sb_printf(&j.out, "Fails on any finding.\n");
    }
    for (size_t c = 0; c < t->n_checks; c++)
        sb_printf(&j.out, "Checks: %s\n", t->checks[c].expr);
    if (t->exit_status >= 0)
        sb_printf(&j.out, "Checks: the harness exits with status %d (its own checks of the results passed)\n",
                  t->exit_status);
    judge_ctx c = { g, t, racelab_charged, &j, 0, 0 };
    for (int i = 0; i < set->n_runs; i++)
        judge_run(&c, &set->runs[i]);
    /* Every run ended in a deadlock charged elsewhere: the results are judged on further seeds, until
     * one run finishes. */
    for (int k = 0; needs_finished && !j.failed && c.judged == 0 && c.not_judged > 0 && k < EXTRA_RUNS; k++) {
        if (k == 0)
            sb_printf(&j.out, "No run finished: trying further seeds to judge the results on a run that does.\n");
        const run_outcome *run = extra_run(g, set, k);
        if (!run)
            break;
        judge_run(&c, run);
    }
    if (needs_finished && c.judged == 0 && !j.failed) {
        const char *other = other_test_checking(g, t, "deadlock");
        fail_with(&j, "no run finished (%d ended in a deadlock, charged to test '%s'), so this test could not be judged",
                  c.not_judged, other ? other : "?");
        sb_printf(&j.out, "FAILED: no run finished, so this test could not be judged\n");
    }
    res->status = j.failed ? RL_TEST_FAILED : RL_TEST_PASSED;
    res->noted = j.noted;
    res->score = j.failed ? 0 : t->points;
    res->message = j.message ? j.message : strdup("");
    res->output = sb_take(&j.out);
}

/* ---- the whole grading ------------------------------------------------------------------------ */

static bool selected(const grader *g, const rl_test_spec *t)
{
    return !g->opt->check_only || !t->hidden;
}

static int grade(grader *g, rl_grade_result *out)
{
    const rl_exercise *ex = g->ex;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(out, 0, sizeof *out);
    out->ex = ex;
    out->submission = g->opt->submission;
    out->seed = g->seed;
    out->runs = g->opt->runs;
    out->check_only = g->opt->check_only;
    out->n_tests = ex->n_tests;
    out->tests = calloc(ex->n_tests, sizeof *out->tests);
    strbuf summary = { 0 };

    const char *include_paths[] = { g->where.runtime, g->where.include, NULL };
    char err[512];
    if (rl_sandbox_open(&g->sb, g->where.self, include_paths, err, sizeof err) != 0) {
        rl_cli_error("%s", err);
        return RL_EXIT_INTERNAL;
    }
    snprintf(g->src_dir, sizeof g->src_dir, "%s/src", g->sb.root);
    snprintf(g->bin_dir, sizeof g->bin_dir, "%s/bin", g->sb.root);
    snprintf(g->program, sizeof g->program, "%s/program", g->bin_dir);
    snprintf(g->program_tsan, sizeof g->program_tsan, "%s/program-tsan", g->bin_dir);
    char runs_dir[PATH_MAX + 8], student_copy[PATH_MAX + 256];
    snprintf(runs_dir, sizeof runs_dir, "%s/runs", g->sb.root);
    snprintf(student_copy, sizeof student_copy, "%s/%s", g->src_dir, ex->student_file);
    mkdir(g->src_dir, 0755);
    rl_sandbox_mkdir(&g->sb, g->bin_dir);
    mkdir(runs_dir, 0755);
    if (copy_harness(g, err, sizeof err) != 0) {
        rl_cli_error("%s", err);
        rl_sandbox_close(&g->sb);
        return RL_EXIT_BAD_REPORT;
    }

    sb_printf(&summary, "%s (%s): %s\n", ex->title, ex->name, g->opt->submission);
    if (g->sb.note[0])
        sb_printf(&summary, "note: %s\n", g->sb.note);
    char submitted[PATH_MAX + 300];
    struct stat st;
    snprintf(submitted, sizeof submitted, "%s", g->opt->submission);
    bool from_dir = stat(submitted, &st) == 0 && S_ISDIR(st.st_mode);
    if (from_dir) /* a folder of files (Gradescope's submission folder): take the student's file from it */
        snprintf(submitted, sizeof submitted, "%s/%s", g->opt->submission, ex->student_file);
    if (from_dir && access(submitted, F_OK) != 0) {
        strbuf b = { 0 };
        sb_printf(&b, "the submission has no %s (the file to submit); it has:", ex->student_file);
        DIR *d = opendir(g->opt->submission);
        struct dirent *e;
        int n = 0;
        while (d && (e = readdir(d)) && n < 20)
            if (e->d_name[0] != '.')
                sb_printf(&b, "%s %s", n++ ? "," : "", e->d_name);
        if (d)
            closedir(d);
        sb_printf(&b, "%s\n", n ? "" : " nothing");
        g->build_ok = false;
        g->build_output = sb_take(&b);
    } else if (copy_file(submitted, student_copy, SUBMISSION_MAX_BYTES, err, sizeof err) != 0) {
        g->build_ok = false;
        g->build_output = strdup(err);
    } else {
        g->build_output = compile(g, false, &g->build_ok);
    }
    bool need_tsan = false;
    for (size_t i = 0; i < ex->n_tests; i++)
        need_tsan |= selected(g, &ex->tests[i]) && ex->tests[i].run.tsan;
    if (g->build_ok && need_tsan)
        g->tsan_output = compile(g, true, &g->tsan_ok);
    out->build_ok = g->build_ok;
    out->build_output = strdup(g->build_output);
    if (!g->build_ok)
        sb_printf(&summary, "The submission does not build: every test scores 0.\n");
    else if (g->build_output[0])
        sb_printf(&summary, "It builds, with warnings (see the build test).\n");
    sb_printf(&summary, "Seed %ld (the same seed gives the same runs and the same score; performance checks "
                        "measure time and may vary).\n", g->seed);
    if (g->opt->check_only) { /* how to get ./program, to rerun a run the way a test shows it */
        sb_printf(&summary, "To rerun a run yourself, build ./program first:\n  %s -std=gnu17 -D_GNU_SOURCE -g -O1 "
                            "-fno-omit-frame-pointer -Wall -Wextra -I%s -I%s/harness", g->where.cc, g->where.include, ex->dir);
        for (size_t i = 0; i < ex->n_cflags; i++)
            sb_printf(&summary, " %s", ex->cflags[i]);
        for (size_t i = 0; i < ex->n_harness; i++)
            sb_printf(&summary, " %s/harness/%s", ex->dir, ex->harness[i]);
        sb_printf(&summary, " %s -o program -pthread\n", submitted);
    }

    /* Run what the selected tests need, then judge: racelab tests first, so that ThreadSanitizer's
     * findings can be compared with what they charged. */
    charged racelab_charged = { 0 };
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ex->n_tests; i++) {
            const rl_test_spec *t = &ex->tests[i];
            rl_test_result *res = &out->tests[i];
            res->spec = t;
            if ((pass == 0) == t->run.tsan && t->kind != RL_TEST_BUILD)
                continue;
            if (pass == 1 && t->kind == RL_TEST_BUILD)
                continue;
            struct timespec s0, s1;
            clock_gettime(CLOCK_MONOTONIC, &s0);
            if (!selected(g, t)) {
                res->status = RL_TEST_NOT_RUN;
                res->message = strdup("hidden: run by `racelab grade` only");
                res->output = strdup("");
            } else if (t->kind == RL_TEST_BUILD) {
                bool warnings = g->build_ok && g->build_output[0];
                bool pass_build = g->build_ok && !(t->no_warnings && warnings);
                res->status = pass_build ? RL_TEST_PASSED : RL_TEST_FAILED;
                res->score = pass_build ? t->points : 0;
                res->message = strdup(!g->build_ok ? "the submission does not compile (the compiler's messages follow)"
                                      : !pass_build ? "the compiler warns, and this test asks for no warnings" : "");
                strbuf b = { 0 };
                sb_printf(&b, "%s: %s\n", g->build_ok ? (warnings ? "built with warnings" : "built without warnings")
                                                        : "does not build", ex->student_file);
                if (g->build_output[0])
                    sb_printf(&b, "%s%s", g->build_output, g->build_output[strlen(g->build_output) - 1] == '\n' ? "" : "\n");
                res->output = sb_take(&b);
            } else if (!g->build_ok) {
                res->status = RL_TEST_FAILED;
                res->message = strdup("not run: the submission does not compile");
                res->output = strdup("Not run: the submission does not compile (see the build test).\n");
            } else if (t->run.tsan && !g->tsan_ok) {
                res->status = RL_TEST_FAILED;
                res->message = strdup("the ThreadSanitizer build failed");
                strbuf b = { 0 };
                sb_printf(&b, "The ThreadSanitizer build (clang -fsanitize=thread) failed:\n%s", g->tsan_output ? g->tsan_output : "");
                res->output = sb_take(&b);
            } else {
                run_set *set = set_for(g, &t->run);
                if (!set) {
                    rl_sandbox_close(&g->sb);
                    return RL_EXIT_INTERNAL;
                }
                do_runs(g, set);
                judge_test(g, t, set, &racelab_charged, res);
            }
            clock_gettime(CLOCK_MONOTONIC, &s1);
            res->seconds = (double)(s1.tv_sec - s0.tv_sec) + (double)(s1.tv_nsec - s0.tv_nsec) / 1e9;
        }
    free(racelab_charged.sigs.s);
    for (size_t i = 0; i < ex->n_tests; i++) {
        if (out->tests[i].status == RL_TEST_NOT_RUN)
            continue;
        out->score += out->tests[i].score;
        out->max_score += ex->tests[i].points;
    }
    rl_sandbox_close(&g->sb);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    out->summary = sb_take(&summary);
    return 0;
}

static void free_grader(grader *g, rl_grade_result *res)
{
    for (size_t i = 0; i < g->n_sets; i++) {
        run_set *s = &g->sets[i];
        for (int r = 0; r < s->n_runs + s->n_extra; r++) {
            run_outcome *o = r < s->n_runs ? (s->runs ? &s->runs[r] : NULL) : &s->extra[r - s->n_runs];
            if (!o)
                continue;
            rl_proc_free(&o->proc);
            json_decref(o->report);
            free(o->sizes);
            free(o->args_text);
        }
        free(s->runs);
        free(s->extra);
        free(s->key);
    }
    free(g->sets);
    free(g->build_output);
    free(g->tsan_output);
    for (size_t i = 0; res->tests && i < res->n_tests; i++) {
        free(res->tests[i].message);
        free(res->tests[i].output);
    }
    free(res->tests);
    free(res->build_output);
    free(res->summary);
}

static int grade_main(int argc, char **argv, bool check)
{
    grade_options opt;
    int rc = parse_options(argc, argv, check, &opt);
    if (rc != 0)
        return rc > 0 ? 0 : RL_EXIT_USAGE;
    if (opt.out && (rc = rl_cli_probe_output(opt.out, "the results")) != 0)
        return rc;
    rl_exercise ex;
    char err[1024];
    if (rl_exercise_load(opt.exercise, &ex, err, sizeof err) != 0) {
        rl_cli_error("%s: %s", opt.exercise, err);
        return RL_EXIT_BAD_REPORT;
    }
    char starter[PATH_MAX + 300];
    if (!opt.submission) {
        snprintf(starter, sizeof starter, "%s/starter/%s", ex.dir, ex.student_file);
        opt.submission = starter;
    }
    grader g = { .ex = &ex, .opt = &opt };
    g.seed = opt.seed >= 0 ? opt.seed : ex.seed;
    g.cores = sysconf(_SC_NPROCESSORS_ONLN);
    int where = find_paths(&g.where);
    if (where != 0) {
        rl_cli_error("%s", where == -2 ? "cannot find racelab.h (set RACELAB_INCLUDE to the folder holding it)"
                                                     : "cannot find the racelab binary itself");
        rl_exercise_free(&ex);
        return RL_EXIT_INTERNAL;
    }
    rl_grade_result res;
    rc = grade(&g, &res);
    if (rc != 0) {
        free_grader(&g, &res);
        rl_exercise_free(&ex);
        return rc;
    }
    FILE *out = stdout;
    char tmp[PATH_MAX + 8];
    if (opt.out) {
        /* written last and whole (FILE.tmp, renamed): nothing the submission wrote meanwhile survives */
        snprintf(tmp, sizeof tmp, "%s.tmp", opt.out);
        out = fopen(tmp, "w");
        if (!out) {
            rl_cli_error("cannot write '%s': %s", opt.out, strerror(errno));
            free_grader(&g, &res);
            rl_exercise_free(&ex);
            return RL_EXIT_REPORT_UNWRITABLE;
        }
    }
    int wrc = opt.format == FORMAT_GRADESCOPE ? rl_grade_render_gradescope(&res, out)
              : opt.format == FORMAT_JUNIT    ? rl_grade_render_junit(&res, out)
                                              : rl_grade_render_text(&res, out);
    if (opt.out) {
        if (fclose(out) != 0 || wrc != 0 || rename(tmp, opt.out) != 0) {
            rl_cli_error("cannot write '%s': %s", opt.out, strerror(errno));
            unlink(tmp);
            free_grader(&g, &res);
            rl_exercise_free(&ex);
            return RL_EXIT_REPORT_UNWRITABLE;
        }
        if (opt.format != FORMAT_TEXT) /* a line for the person watching */
            rl_cli_error("%s: %g/%g points; results in %s", ex.name, res.score, res.max_score, opt.out);
    } else {
        fflush(stdout);
    }
    bool full = res.score >= res.max_score;
    free_grader(&g, &res);
    rl_exercise_free(&ex);
    return full ? 0 : 1;
}

int rl_cli_grade(int argc, char **argv)
{
    return grade_main(argc, argv, false);
}

int rl_cli_check(int argc, char **argv)
{
    return grade_main(argc, argv, true);
}
