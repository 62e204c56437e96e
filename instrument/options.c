/* options.c: parses RACELAB_OPTIONS for the runtime (see options.h). Walks the text in place: no
 * copy, no allocation, no length limit. */
#include "options.h"

#include <limits.h>
#include <string.h>

static int is_separator(char c)
{
    return c == ':' || c == ' ';
}

static int equals(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static int digit_value(char c, unsigned base)
{
    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
               : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
               : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99u;
    return d < base ? (int)d : -1;
}

/* Like strtoull(s, NULL, 0) on the n bytes at s, saturating at UINT64_MAX. */
static uint64_t number(const char *s, size_t n)
{
    size_t i = 0;
    unsigned base = 10;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && n > 2 && digit_value(s[2], 16) >= 0) {
        base = 16;
        i = 2;
    } else if (n >= 1 && s[0] == '0') {
        base = 8;
    }
    uint64_t v = 0;
    for (int d; i < n && (d = digit_value(s[i], base)) >= 0; i++) {
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return UINT64_MAX;
        v = v * base + (uint64_t)d;
    }
    return v;
}

static int flag(const char *v, size_t n)
{
    return !equals(v, n, "0") && !equals(v, n, "false");
}

void rt_options_parse(const char *text, size_t len, rt_options *o)
{
    if (!text)
        return;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_separator(text[i]))
            i++;
        size_t start = i;
        while (i < len && !is_separator(text[i]))
            i++;
        if (i == start)
            break;
        const char *name = text + start, *eq = memchr(name, '=', i - start);
        size_t name_len = eq ? (size_t)(eq - name) : i - start;
        const char *v = eq ? eq + 1 : "1";
        size_t vn = eq ? (size_t)(text + i - v) : 1;
        if (equals(name, name_len, "quiet"))
            o->quiet = flag(v, vn);
        else if (equals(name, name_len, "timeline"))
            o->timeline = flag(v, vn);
        else if (equals(name, name_len, "lockset"))
            o->lockset = flag(v, vn);
        else if (equals(name, name_len, "seed"))
            o->seed = number(v, vn);
        else if (equals(name, name_len, "pct_depth")) {
            uint64_t d = number(v, vn);
            o->pct_depth = d > INT_MAX ? INT_MAX : (int)d;
        } else if (equals(name, name_len, "pct_steps"))
            o->pct_steps = number(v, vn);
        else if (equals(name, name_len, "schedule"))
            o->schedule = equals(v, vn, "random") ? RT_OPTIONS_RANDOM : equals(v, vn, "pct") ? RT_OPTIONS_PCT
                        : equals(v, vn, "serial") ? RT_OPTIONS_SERIAL : RT_OPTIONS_NATIVE;
    }
}
