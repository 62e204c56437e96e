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

/* The decimal number at the start of the n bytes at s (0 if none), stopping at the first byte that is
 * not a digit and saturating at UINT64_MAX. Plain decimal only, as the CLI checks its values: "010" is
 * ten, not eight. */
static uint64_t number(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return UINT64_MAX;
        v = v * 10 + d;
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
