/* grade_expr.c: the grader's check expressions, evaluated on one run's report (docs/grading.md).
 *
 * Integers only (long long), with C's operators and precedence for: || && == != < <= > >= + - * / %
 * unary - and !, parentheses, and the functions min(a, b, ...) and max(a, b, ...). Names are letters,
 * digits, '_' and '.': "var.counter.accesses", "stats.max_concurrent_threads".
 * A recursive-descent evaluator: no tree is built; both sides of && and || are evaluated (a check has
 * no side effects), so an unknown name is an error wherever it is.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

typedef struct parser {
    const char *p;         /* next character */
    rl_expr_lookup lookup; /* NULL: syntax check only */
    void *ctx;
    char *err;
    size_t err_len;
    bool failed;           /* err holds the first error */
    char *used;            /* "name = value, ..." of the names looked up */
    size_t used_len;
} parser;

static long long parse_or(parser *ps);

static void fail(parser *ps, const char *fmt, const char *arg)
{
    if (ps->failed)
        return;
    ps->failed = true;
    snprintf(ps->err, ps->err_len, fmt, arg);
}

static void skip_space(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static bool accept(parser *ps, const char *op)
{
    skip_space(ps);
    size_t n = strlen(op);
    if (strncmp(ps->p, op, n) != 0)
        return false;
    /* "<" must not take the first half of "<=", nor "=" of "==", nor "!" of "!=" */
    if (n == 1 && (op[0] == '<' || op[0] == '>' || op[0] == '!') && ps->p[1] == '=')
        return false;
    ps->p += n;
    return true;
}

static void note_used(parser *ps, const char *name, long long v)
{
    if (!ps->used)
        return;
    size_t at = strlen(ps->used), len = strlen(name);
    for (const char *p = ps->used; (p = strstr(p, name)); p += len) /* listed already? */
        if ((p == ps->used || p[-2] == ',') && strncmp(p + len, " = ", 3) == 0)
            return;
    snprintf(ps->used + at, ps->used_len - at, "%s%s = %lld", at ? ", " : "", name, v);
}

static long long parse_primary(parser *ps)
{
    skip_space(ps);
    if (accept(ps, "(")) {
        long long v = parse_or(ps);
        if (!accept(ps, ")"))
            fail(ps, "expected ')' at '%s'", *ps->p ? ps->p : "the end");
        return v;
    }
    if (isdigit((unsigned char)*ps->p)) {
        char *end;
        long long v = strtoll(ps->p, &end, 10);
        ps->p = end;
        return v;
    }
    if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
        char name[128];
        size_t n = 0;
        while (*ps->p && (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '.')) {
            if (n + 1 < sizeof name)
                name[n++] = *ps->p;
            ps->p++;
        }
        name[n] = 0;
        if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0) {
            bool is_min = name[1] == 'i';
            if (!accept(ps, "(")) {
                fail(ps, "expected '(' after %s", name);
                return 0;
            }
            long long best = parse_or(ps);
            while (accept(ps, ",")) {
                long long v = parse_or(ps);
                if (is_min ? v < best : v > best)
                    best = v;
            }
            if (!accept(ps, ")"))
                fail(ps, "expected ')' at '%s'", *ps->p ? ps->p : "the end");
            return best;
        }
        if (!ps->lookup)
            return 1;
        long long v = 0;
        if (ps->lookup(ps->ctx, name, &v) != 0) {
            fail(ps, "'%s' is not known in this run", name);
            return 0;
        }
        note_used(ps, name, v);
        return v;
    }
    fail(ps, "expected a number, a name or '(' at '%s'", *ps->p ? ps->p : "the end");
    return 0;
}

/* Arithmetic that does not fit a long long is an error in the expression, never undefined behaviour. */
static long long overflowed(parser *ps)
{
    fail(ps, "%s", "arithmetic overflow: a value does not fit in 64 bits");
    return 0;
}

static long long parse_unary(parser *ps)
{
    if (accept(ps, "-")) {
        long long v = parse_unary(ps);
        return v == LLONG_MIN ? overflowed(ps) : -v;
    }
    if (accept(ps, "!"))
        return !parse_unary(ps);
    return parse_primary(ps);
}

static long long parse_product(parser *ps)
{
    long long v = parse_unary(ps);
    for (;;) {
        char op = accept(ps, "*") ? '*' : accept(ps, "/") ? '/' : accept(ps, "%") ? '%' : 0;
        if (!op)
            return v;
        long long r = parse_unary(ps);
        if (op == '*') {
            if (__builtin_mul_overflow(v, r, &v))
                v = overflowed(ps);
        } else if (r == -1 && v == LLONG_MIN) {
            v = op == '/' ? overflowed(ps) : 0;
        } else if (r != 0)
            v = op == '/' ? v / r : v % r;
        else if (ps->lookup) /* a syntax check gives names the value 1: a zero there is not an error */
            fail(ps, "%s", "division by zero");
    }
}

static long long parse_sum(parser *ps)
{
    long long v = parse_product(ps);
    for (;;) {
        if (accept(ps, "+")) {
            if (__builtin_add_overflow(v, parse_product(ps), &v))
                v = overflowed(ps);
        } else if (accept(ps, "-")) {
            if (__builtin_sub_overflow(v, parse_product(ps), &v))
                v = overflowed(ps);
        } else
            return v;
    }
}

static long long parse_compare(parser *ps)
{
    long long v = parse_sum(ps);
    static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (accept(ps, ops[i])) {
            long long r = parse_sum(ps);
            switch (i) {
            case 0: return v == r;
            case 1: return v != r;
            case 2: return v <= r;
            case 3: return v >= r;
            case 4: return v < r;
            default: return v > r;
            }
        }
    return v;
}

static long long parse_and(parser *ps)
{
    long long v = parse_compare(ps);
    while (accept(ps, "&&")) {
        long long r = parse_compare(ps);
        v = v && r;
    }
    return v;
}

static long long parse_or(parser *ps)
{
    long long v = parse_and(ps);
    while (accept(ps, "||")) {
        long long r = parse_and(ps);
        v = v || r;
    }
    return v;
}

int rl_expr_eval(const char *expr, rl_expr_lookup lookup, void *ctx, long long *value, char *err, size_t err_len,
                 char *used, size_t used_len)
{
    char scratch[8];
    parser ps = { .p = expr, .lookup = lookup, .ctx = ctx, .err = err ? err : scratch,
                  .err_len = err ? err_len : sizeof scratch, .used = used, .used_len = used_len };
    ps.err[0] = 0;
    if (used && used_len)
        used[0] = 0;
    long long v = parse_or(&ps);
    skip_space(&ps);
    if (!ps.failed && *ps.p)
        fail(&ps, "unexpected '%s'", ps.p);
    if (ps.failed)
        return -1;
    *value = v;
    return 0;
}

void rl_expr_format(const char *template_text, rl_expr_lookup lookup, void *ctx, char *out, size_t out_len)
{
    size_t at = 0;
    if (!out_len)
        return;
    for (const char *p = template_text; *p && at + 1 < out_len;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            out[at++] = *p++;
            continue;
        }
        char expr[256], err[128];
        snprintf(expr, sizeof expr, "%.*s", (int)(close - p - 1), p + 1);
        long long v;
        if (rl_expr_eval(expr, lookup, ctx, &v, err, sizeof err, NULL, 0) == 0)
            at += (size_t)snprintf(out + at, out_len - at, "%lld", v);
        else
            at += (size_t)snprintf(out + at, out_len - at, "?");
        if (at >= out_len)
            at = out_len - 1;
        p = close + 1;
    }
    out[at] = 0;
}
