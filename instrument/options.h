/* options.h: the runtime's reading of RACELAB_OPTIONS ("name=value" pairs separated by ':' or
 * spaces), as a pure function so that it can be tested and fuzzed outside the runtime.
 *
 * Contract: rt_options_parse reads exactly len bytes of text (no NUL needed, any bytes accepted),
 * and sets only the fields whose names appear; unknown names (the CLI's own options, typos) are
 * ignored. A name without "=value" means 1 for the on/off fields. Numbers are plain decimal digits
 * (what `racelab run` accepts and passes on; no sign, no 0x, a leading 0 is not octal), read up to the
 * first character that is not a digit, and saturate instead of overflowing. No allocation, no locale, no global state: it may run inside the
 * runtime's constructor and in a forked child. */
#ifndef RACELAB_OPTIONS_H
#define RACELAB_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/* schedule values: the same numbers as rt_sched.h's rt_schedule */
enum { RT_OPTIONS_NATIVE = 0, RT_OPTIONS_RANDOM = 1, RT_OPTIONS_PCT = 2, RT_OPTIONS_SERIAL = 3 };

typedef struct rt_options {
    int quiet;
    int timeline;
    int lockset;
    int schedule;        /* RT_OPTIONS_*; an unknown name means native */
    uint64_t seed;
    int pct_depth;       /* clamped to [0, INT_MAX] */
    uint64_t pct_steps;
} rt_options;

void rt_options_parse(const char *text, size_t len, rt_options *o);

#endif
