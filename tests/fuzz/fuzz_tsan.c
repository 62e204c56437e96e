/* fuzz_tsan.c: libFuzzer target for the ThreadSanitizer log parser (detector/tsan_report.c): any
 * bytes, parsed twice into the same findings array (lock ids continue across calls). */
#include "tsan_report.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    json_t *findings = json_array();
    size_t skipped = 0;
    rl_tsan_parse((const char *)data, size, 42, findings, &skipped);
    rl_tsan_parse((const char *)data, size, 43, findings, &skipped);
    json_decref(findings);
    return 0;
}
