/* fuzz_options.c: libFuzzer target for the runtime's RACELAB_OPTIONS parser (instrument/options.c).
 * The input is not NUL-terminated: the parser must stay within its length. */
#include <stdint.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    rt_options o = { .seed = 1 };
    rt_options_parse((const char *)data, size, &o);
    /* what the runtime relies on */
    if (o.schedule < RT_OPTIONS_NATIVE || o.schedule > RT_OPTIONS_SERIAL || o.pct_depth < 0 ||
        (o.quiet != 0 && o.quiet != 1) || (o.timeline != 0 && o.timeline != 1) || (o.lockset != 0 && o.lockset != 1))
        __builtin_trap();
    return 0;
}
