/* grade_spec.c: reads an exercise's exercise.json into an rl_exercise (format: docs/grading.md).
 *
 * Every field is checked here, once, so that the grader never meets a malformed spec later: unknown
 * fields (a typo would otherwise be ignored), wrong types, unknown kinds and finding kinds, check
 * expressions that do not parse, "{name}" in args that names no size. The first problem is reported
 * as one line naming the field by its JSON path: "exercise.json: tests[2].kind: unknown kind 'speed'".
 * On failure nothing is left allocated.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

const char *const rl_grade_all_kinds[] = {
    "potential-deadlock", "deadlock", "double-lock", "unlock-unlocked", "unlock-foreign", "destroy-locked",
    "held-at-exit", "cond-misuse", "uninitialized-lock", "data-race", "lost-update", "thread-leak", "signal-unsafe", "use-after-free",
    "tsan-*", NULL,
};

static const char *const kind_names[] = {
    [RL_TEST_BUILD] = "build", [RL_TEST_RACELAB] = "racelab", [RL_TEST_TSAN] = "tsan",
    [RL_TEST_OUTPUT] = "output", [RL_TEST_CONCURRENCY] = "concurrency", [RL_TEST_PERFORMANCE] = "performance",
};

const char *rl_test_kind_name(rl_test_kind kind)
{
    return kind_names[kind];
}

typedef struct loader {
    char *err;
    size_t err_len;
    bool failed;
} loader;

__attribute__((format(printf, 3, 4))) static int bad(loader *ld, const char *path, const char *fmt, ...)
{
    if (ld->failed)
        return -1;
    ld->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ld->err, ld->err_len, "exercise.json: %s%s%s", path, *path ? ": " : "", msg);
    for (char *c = ld->err; *c; c++) /* names and values quoted from the file: keep it one line */
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return -1;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Fails when obj has a key not in allowed (NULL-terminated). */
static int only_keys(loader *ld, const char *path, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            return bad(ld, path, "unknown field '%s'", key);
    }
    return 0;
}

static int get_string(loader *ld, const char *path, json_t *obj, const char *key, bool required, char **out)
{
    json_t *v = json_object_get(obj, key);
    char p[256];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (!v) {
        if (required)
            return bad(ld, p, "missing (a string is needed)");
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return bad(ld, p, "must be a non-empty string");
    free(*out);
    *out = strdup(json_string_value(v));
    return 0;
}

static int get_number(loader *ld, const char *path, json_t *obj, const char *key, double min, double max, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char p[256];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max)
        return bad(ld, p, "must be a number from %g to %g", min, max);
    *out = json_number_value(v);
    return 0;
}

static int get_long(loader *ld, const char *path, json_t *obj, const char *key, long min, long max, long *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char p[256];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return bad(ld, p, "must be a whole number from %ld to %ld", min, max);
    *out = (long)json_integer_value(v);
    return 0;
}

static int get_string_list(loader *ld, const char *path, json_t *obj, const char *key, char ***out, size_t *n)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char p[256];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (!json_is_array(v))
        return bad(ld, p, "must be a list of strings");
    char **list = calloc(json_array_size(v) + 1, sizeof *list);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item)) {
            free_strings(list, i);
            return bad(ld, p, "item %zu is not a string", i);
        }
        list[i] = strdup(json_string_value(item));
    }
    free_strings(*out, *n);
    *out = list;
    *n = json_array_size(v);
    return 0;
}

static int get_sizes(loader *ld, const char *path, json_t *obj, rl_size **out, size_t *n)
{
    json_t *v = json_object_get(obj, "sizes");
    if (!v)
        return 0;
    char p[256];
    snprintf(p, sizeof p, "%s%ssizes", path, *path ? "." : "");
    if (!json_is_object(v))
        return bad(ld, p, "must be an object: {\"threads\": [2, 8], \"iterations\": 100}");
    rl_size *sizes = calloc(json_object_size(v) + 1, sizeof *sizes);
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
        long lo, hi;
        if (json_is_integer(val)) {
            lo = hi = (long)json_integer_value(val);
        } else if (json_is_array(val) && json_array_size(val) == 2 && json_is_integer(json_array_get(val, 0)) &&
                   json_is_integer(json_array_get(val, 1))) {
            lo = (long)json_integer_value(json_array_get(val, 0));
            hi = (long)json_integer_value(json_array_get(val, 1));
        } else {
            lo = 1, hi = 0;
        }
        bool name_ok = (key[0] >= 'a' && key[0] <= 'z') || key[0] == '_';
        for (const char *c = key; *c; c++)
            name_ok &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
        if (!name_ok || lo > hi || lo < 0) {
            for (size_t i = 0; i < k; i++)
                free(sizes[i].name);
            free(sizes);
            return bad(ld, p, name_ok ? "'%s' must be a whole number >= 0 or [min, max] with min <= max"
                                      : "'%s' is not a name (lowercase letter, then letters, digits, '_')", key);
        }
        sizes[k].name = strdup(key);
        sizes[k].min = lo;
        sizes[k].max = hi;
        k++;
    }
    for (size_t i = 0; i < *n; i++)
        free((*out)[i].name);
    free(*out);
    *out = sizes;
    *n = k;
    return 0;
}

static bool known_kind(const char *k)
{
    for (size_t i = 0; rl_grade_all_kinds[i]; i++)
        if (strcmp(k, rl_grade_all_kinds[i]) == 0)
            return true;
    return strncmp(k, "tsan-", 5) == 0; /* "tsan-*": all of ThreadSanitizer's other titles */
}

static bool valid_schedule(const char *s)
{
    return strcmp(s, "native") == 0 || strcmp(s, "random") == 0 || strcmp(s, "pct") == 0 || strcmp(s, "serial") == 0;
}

static bool valid_visibility(const char *v)
{
    return strcmp(v, "visible") == 0 || strcmp(v, "hidden") == 0 || strcmp(v, "after_due_date") == 0 ||
           strcmp(v, "after_published") == 0;
}

/* The "{expr}" parts of a template parse (names are checked when used). */
static int check_template(loader *ld, const char *path, const char *text)
{
    for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            return bad(ld, path, "'{' without '}' in \"%s\"", text);
        char expr[256], err[200];
        long long v;
        snprintf(expr, sizeof expr, "%.*s", (int)(close - p - 1), p + 1);
        if (rl_expr_eval(expr, NULL, NULL, &v, err, sizeof err, NULL, 0) != 0)
            return bad(ld, path, "{%s}: %s", expr, err);
    }
    return 0;
}

static void copy_run_spec(rl_run_spec *to, const rl_run_spec *from)
{
    to->tsan = from->tsan;
    to->schedule = dup_or_null(from->schedule);
    to->args = calloc(from->n_args + 1, sizeof *to->args);
    for (size_t i = 0; i < from->n_args; i++)
        to->args[i] = strdup(from->args[i]);
    to->n_args = from->n_args;
    to->racelab_args = calloc(from->n_racelab_args + 1, sizeof *to->racelab_args);
    for (size_t i = 0; i < from->n_racelab_args; i++)
        to->racelab_args[i] = strdup(from->racelab_args[i]);
    to->n_racelab_args = from->n_racelab_args;
    to->sizes = calloc(from->n_sizes + 1, sizeof *to->sizes);
    for (size_t i = 0; i < from->n_sizes; i++) {
        to->sizes[i] = from->sizes[i];
        to->sizes[i].name = strdup(from->sizes[i].name);
    }
    to->n_sizes = from->n_sizes;
    to->runs = from->runs;
    to->runs_fixed = from->runs_fixed;
}

static void free_run_spec(rl_run_spec *r)
{
    free(r->schedule);
    free_strings(r->args, r->n_args);
    free_strings(r->racelab_args, r->n_racelab_args);
    for (size_t i = 0; i < r->n_sizes; i++)
        free(r->sizes[i].name);
    free(r->sizes);
    memset(r, 0, sizeof *r);
}

/* Reads the run fields (args, sizes, schedule, runs, racelab_args) present in obj over r. */
static int get_run_fields(loader *ld, const char *path, json_t *obj, rl_run_spec *r)
{
    long runs = r->runs;
    if (get_string_list(ld, path, obj, "args", &r->args, &r->n_args) || get_sizes(ld, path, obj, &r->sizes, &r->n_sizes) ||
        get_string(ld, path, obj, "schedule", false, &r->schedule) ||
        get_string_list(ld, path, obj, "racelab_args", &r->racelab_args, &r->n_racelab_args) ||
        get_long(ld, path, obj, "runs", 1, 1000, &runs))
        return -1;
    if (json_object_get(obj, "runs") && *path)
        r->runs_fixed = true;
    r->runs = (int)runs;
    char p[256];
    if (r->schedule && !valid_schedule(r->schedule)) {
        snprintf(p, sizeof p, "%s%sschedule", path, *path ? "." : "");
        return bad(ld, p, "unknown schedule '%s' (native, random, pct or serial)", r->schedule);
    }
    for (size_t i = 0; i < r->n_racelab_args; i++)
        if (i == 0 && strncmp(r->racelab_args[i], "--", 2) != 0) {
            snprintf(p, sizeof p, "%s%sracelab_args", path, *path ? "." : "");
            return bad(ld, p, "must start with an option (\"--pct-steps\", ...), not '%s'", r->racelab_args[i]);
        }
    for (size_t i = 0; i < r->n_args; i++) {
        snprintf(p, sizeof p, "%s%sargs[%zu]", path, *path ? "." : "", i);
        if (check_template(ld, p, r->args[i]))
            return -1;
    }
    return 0;
}

/* Every "{name}" in args names a size, or "seed". */
static int check_arg_names(loader *ld, const char *path, const rl_run_spec *r)
{
    for (size_t i = 0; i < r->n_args; i++)
        for (const char *p = strchr(r->args[i], '{'); p; p = strchr(p + 1, '{')) {
            const char *close = strchr(p, '}');
            for (const char *q = p + 1; q < close;) {
                while (q < close && !((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_'))
                    q++;
                const char *start = q;
                while (q < close && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '.'))
                    q++;
                if (q == start)
                    continue;
                size_t len = (size_t)(q - start);
                bool found = (len == 4 && strncmp(start, "seed", 4) == 0) || (len == 5 && strncmp(start, "cores", 5) == 0) ||
                             (len == 3 && (strncmp(start, "min", 3) == 0 || strncmp(start, "max", 3) == 0));
                for (size_t s = 0; s < r->n_sizes && !found; s++)
                    found = strlen(r->sizes[s].name) == len && strncmp(r->sizes[s].name, start, len) == 0;
                if (!found) {
                    char p2[300];
                    snprintf(p2, sizeof p2, "%s.args[%zu]", path, i);
                    return bad(ld, p2, "'%.*s' is not one of the sizes", (int)len, start);
                }
            }
        }
    return 0;
}

static int get_checks(loader *ld, const char *path, json_t *obj, rl_test_spec *t)
{
    json_t *v = json_object_get(obj, "expect");
    if (!v)
        return 0;
    char p[300];
    snprintf(p, sizeof p, "%s.expect", path);
    if (!json_is_array(v))
        return bad(ld, p, "must be a list of checks: [{\"check\": \"EXPR\", \"message\": \"...\"}]");
    t->checks = calloc(json_array_size(v) + 1, sizeof *t->checks);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        char pi[320];
        snprintf(pi, sizeof pi, "%s[%zu]", p, i);
        rl_check *c = &t->checks[i];
        t->n_checks = i + 1;
        if (json_is_string(item)) {
            c->expr = strdup(json_string_value(item));
        } else if (json_is_object(item)) {
            static const char *const keys[] = { "check", "message", NULL };
            if (only_keys(ld, pi, item, keys) || get_string(ld, pi, item, "check", true, &c->expr) ||
                get_string(ld, pi, item, "message", false, &c->message))
                return -1;
        } else {
            return bad(ld, pi, "must be a check expression or {\"check\": ..., \"message\": ...}");
        }
        char err[200];
        long long val;
        if (rl_expr_eval(c->expr, NULL, NULL, &val, err, sizeof err, NULL, 0) != 0)
            return bad(ld, pi, "\"%s\": %s", c->expr, err);
        if (c->message && check_template(ld, pi, c->message))
            return -1;
    }
    return 0;
}

static int load_test(loader *ld, const rl_exercise *ex, const rl_run_spec *defaults, json_t *obj, size_t index,
                     rl_test_spec *t)
{
    char path[64];
    snprintf(path, sizeof path, "tests[%zu]", index);
    t->exit_status = -1;
    if (!json_is_object(obj))
        return bad(ld, path, "must be an object with name, points and kind");
    static const char *const keys[] = { "name", "description", "points", "kind", "visibility", "args", "sizes",
                                        "schedule", "runs", "racelab_args", "fail_on", "expect", "exit",
                                        "no_warnings", NULL };
    char *kind = NULL;
    if (only_keys(ld, path, obj, keys) || get_string(ld, path, obj, "name", true, &t->name) ||
        get_string(ld, path, obj, "description", false, &t->description) ||
        get_string(ld, path, obj, "kind", true, &kind)) {
        free(kind);
        return -1;
    }
    if (!json_object_get(obj, "points")) {
        free(kind);
        return bad(ld, path, "missing 'points'");
    }
    if (get_number(ld, path, obj, "points", 0, 1e6, &t->points)) {
        free(kind);
        return -1;
    }
    bool found = false;
    for (size_t k = 0; k < sizeof kind_names / sizeof *kind_names && !found; k++)
        if (strcmp(kind, kind_names[k]) == 0) {
            t->kind = (rl_test_kind)k;
            found = true;
        }
    if (!found) {
        char p[80];
        snprintf(p, sizeof p, "%s.kind", path);
        bad(ld, p, "unknown kind '%s' (build, racelab, tsan, output, concurrency or performance)", kind);
        free(kind);
        return -1;
    }
    free(kind);

    copy_run_spec(&t->run, defaults);
    if (t->kind == RL_TEST_TSAN) {
        t->run.tsan = true;
        t->run.runs = 1;
        t->run.runs_fixed = true;
        free(t->run.schedule);
        t->run.schedule = strdup("native");
    } else if (t->kind == RL_TEST_PERFORMANCE) {
        t->run.runs = 1;
        t->run.runs_fixed = true;
        free(t->run.schedule);
        t->run.schedule = strdup("native");
    }
    if (get_run_fields(ld, path, obj, &t->run))
        return -1;
    if (t->kind == RL_TEST_TSAN && json_object_get(obj, "schedule") && strcmp(t->run.schedule, "native") != 0) {
        char p[80];
        snprintf(p, sizeof p, "%s.schedule", path);
        return bad(ld, p, "a ThreadSanitizer build runs without racelab's scheduler: only \"native\"");
    }
    if (check_arg_names(ld, path, &t->run))
        return -1;

    t->visibility = strdup(ex->visibility);
    if (get_string(ld, path, obj, "visibility", false, &t->visibility))
        return -1;
    if (!valid_visibility(t->visibility)) {
        char p[80];
        snprintf(p, sizeof p, "%s.visibility", path);
        return bad(ld, p, "unknown visibility '%s' (visible, hidden, after_due_date, after_published)", t->visibility);
    }
    t->hidden = strcmp(t->visibility, "visible") != 0;

    if (json_object_get(obj, "fail_on")) {
        if (get_string_list(ld, path, obj, "fail_on", &t->fail_on, &t->n_fail_on))
            return -1;
        for (size_t i = 0; i < t->n_fail_on; i++)
            if (!known_kind(t->fail_on[i])) {
                char p[80];
                snprintf(p, sizeof p, "%s.fail_on[%zu]", path, i);
                return bad(ld, p, "'%s' is not a finding kind racelab reports", t->fail_on[i]);
            }
    } else if (t->kind == RL_TEST_RACELAB || t->kind == RL_TEST_TSAN) {
        size_t n = 0;
        while (rl_grade_all_kinds[n])
            n++;
        t->fail_on = calloc(n + 1, sizeof *t->fail_on);
        for (size_t i = 0; i < n; i++)
            t->fail_on[i] = strdup(rl_grade_all_kinds[i]);
        t->n_fail_on = n;
    }
    if (get_checks(ld, path, obj, t))
        return -1;
    long exit_status = t->kind == RL_TEST_OUTPUT ? 0 : -1;
    if (json_object_get(obj, "exit") && json_is_null(json_object_get(obj, "exit")))
        exit_status = -1;
    else if (get_long(ld, path, obj, "exit", 0, 255, &exit_status))
        return -1;
    t->exit_status = (int)exit_status;
    json_t *nw = json_object_get(obj, "no_warnings");
    if (nw && !json_is_boolean(nw)) {
        char p[80];
        snprintf(p, sizeof p, "%s.no_warnings", path);
        return bad(ld, p, "must be true or false");
    }
    t->no_warnings = json_is_true(nw);
    if (t->kind == RL_TEST_BUILD && (t->n_checks || t->n_fail_on || json_object_get(obj, "args")))
        return bad(ld, path, "a build test takes no args, fail_on or expect");
    return 0;
}

/* The exercise from its parsed exercise.json (root, or NULL with jerr saying why). */
static int load_document(const char *dir, const char *path, json_t *root, const json_error_t *jerr_in,
                         rl_exercise *ex, char *err, size_t err_len)
{
    memset(ex, 0, sizeof *ex);
    loader ld = { .err = err, .err_len = err_len };
    err[0] = 0;
    json_error_t jerr = *jerr_in;
    for (char *c = jerr.text; *c; c++) /* jansson may quote input bytes: one line */
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    if (!root) {
        if (jerr.line < 1) /* could not be read: the text names the file and why */
            snprintf(err, err_len, "%s", jerr.text);
        else
            snprintf(err, err_len, "%s: line %d: %s", path, jerr.line, jerr.text);
        return -1;
    }
    rl_run_spec defaults = { .runs = 4 };
    if (!json_is_object(root)) {
        bad(&ld, "", "must be a JSON object");
        goto fail;
    }
    static const char *const keys[] = { "title", "student_file", "harness", "cflags", "time_limit", "memory_mb",
                                        "max_processes", "output_limit", "seed", "runs", "visibility", "args",
                                        "sizes", "schedule", "racelab_args", "tests", "$comment", NULL };
    ex->dir = strdup(dir);
    char *slash = strrchr(ex->dir, '/');
    while (slash && slash[1] == 0 && slash != ex->dir) { /* "exercises/counter/" */
        *slash = 0;
        slash = strrchr(ex->dir, '/');
    }
    ex->name = strdup(slash ? slash + 1 : ex->dir);
    ex->time_limit = 10;
    ex->memory_mb = 1024;
    ex->max_processes = 64;
    ex->output_limit = 64 * 1024;
    ex->seed = 1;
    ex->visibility = strdup("visible");
    long runs = 4;
    if (only_keys(&ld, "", root, keys) || get_string(&ld, "", root, "title", true, &ex->title) ||
        get_string(&ld, "", root, "student_file", true, &ex->student_file) ||
        get_string_list(&ld, "", root, "harness", &ex->harness, &ex->n_harness) ||
        get_string_list(&ld, "", root, "cflags", &ex->cflags, &ex->n_cflags) ||
        get_number(&ld, "", root, "time_limit", 0.5, 3600, &ex->time_limit) ||
        get_long(&ld, "", root, "memory_mb", 64, 1 << 20, &ex->memory_mb) ||
        get_long(&ld, "", root, "max_processes", 8, 100000, &ex->max_processes) ||
        get_long(&ld, "", root, "output_limit", 1024, 64 << 20, &ex->output_limit) ||
        get_long(&ld, "", root, "seed", 0, LONG_MAX / 2, &ex->seed) || get_long(&ld, "", root, "runs", 1, 1000, &runs) ||
        get_string(&ld, "", root, "visibility", false, &ex->visibility))
        goto fail;
    if (strchr(ex->student_file, '/') || strlen(ex->student_file) < 3 ||
        strcmp(ex->student_file + strlen(ex->student_file) - 2, ".c") != 0) {
        bad(&ld, "student_file", "must be a file name ending in .c, without a directory");
        goto fail;
    }
    if (!valid_visibility(ex->visibility)) {
        bad(&ld, "visibility", "unknown visibility '%s' (visible, hidden, after_due_date, after_published)",
            ex->visibility);
        goto fail;
    }
    if (!ex->harness) {
        ex->harness = calloc(2, sizeof *ex->harness);
        ex->harness[0] = strdup("main.c");
        ex->n_harness = 1;
    }
    for (size_t i = 0; i < ex->n_harness; i++)
        if (strchr(ex->harness[i], '/') || strcmp(ex->harness[i], ex->student_file) == 0) {
            bad(&ld, "harness", "'%s' must be a file name in harness/, other than the student's file", ex->harness[i]);
            goto fail;
        }
    defaults.runs = (int)runs;
    defaults.schedule = strdup("pct");
    if (get_run_fields(&ld, "", root, &defaults))
        goto fail;
    json_t *tests = json_object_get(root, "tests");
    if (!json_is_array(tests) || json_array_size(tests) == 0) {
        bad(&ld, "tests", "must be a non-empty list");
        goto fail;
    }
    ex->tests = calloc(json_array_size(tests), sizeof *ex->tests);
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        ex->n_tests = i + 1;
        if (load_test(&ld, ex, &defaults, t, i, &ex->tests[i]))
            goto fail;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ex->tests[j].name, ex->tests[i].name) == 0) {
                char p[64];
                snprintf(p, sizeof p, "tests[%zu].name", i);
                bad(&ld, p, "'%s' is already the name of tests[%zu]", ex->tests[i].name, j);
                goto fail;
            }
        ex->max_score += ex->tests[i].points;
    }
    free_run_spec(&defaults);
    json_decref(root);
    return 0;
fail:
    free_run_spec(&defaults);
    json_decref(root);
    rl_exercise_free(ex);
    if (!err[0])
        snprintf(err, err_len, "%s: malformed", path);
    return -1;
}

int rl_exercise_load(const char *dir, rl_exercise *ex, char *err, size_t err_len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/exercise.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    return load_document(dir, path, root, &jerr, ex, err, err_len);
}

int rl_exercise_load_text(const char *dir, const char *text, size_t len, rl_exercise *ex, char *err, size_t err_len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/exercise.json", dir);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    return load_document(dir, path, root, &jerr, ex, err, err_len);
}

void rl_exercise_free(rl_exercise *ex)
{
    for (size_t i = 0; i < ex->n_tests; i++) {
        rl_test_spec *t = &ex->tests[i];
        free(t->name);
        free(t->description);
        free(t->visibility);
        free_run_spec(&t->run);
        free_strings(t->fail_on, t->n_fail_on);
        for (size_t c = 0; c < t->n_checks; c++) {
            free(t->checks[c].expr);
            free(t->checks[c].message);
        }
        free(t->checks);
    }
    free(ex->tests);
    free(ex->dir);
    free(ex->name);
    free(ex->title);
    free(ex->student_file);
    free_strings(ex->harness, ex->n_harness);
    free_strings(ex->cflags, ex->n_cflags);
    free(ex->visibility);
    memset(ex, 0, sizeof *ex);
}
