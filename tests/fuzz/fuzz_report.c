/* fuzz_report.c: libFuzzer target for the report reader of `racelab report` (rl_report_load_text:
 * JSON, then the report frame) and, for what it accepts, every renderer (text with and without
 * colour, DOT, SARIF, HTML; Graphviz is not run: RACELAB_DOT names a program that does not exist). */
#include <stdio.h>
#include <stdlib.h>

#include "render.h"
#include "report.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("RACELAB_DOT", "/nonexistent/racelab-fuzz-dot", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char err[1024];
    json_t *report = rl_report_load_text((const char *)data, size, "fuzz input", err, sizeof err);
    if (!report)
        return 0;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out) {
        rl_report_render_text(report, out);
        rl_report_render_text_styled(report, out, true);
        rl_report_render_dot(report, out);
        char why[256];
        rl_report_render_html(report, out, why, sizeof why);
        json_t *sarif = rl_report_to_sarif(report);
        json_dumpf(sarif, out, JSON_INDENT(2));
        json_decref(sarif);
        fclose(out);
    }
    free(text);
    rl_report_finding_count(report);
    json_decref(report);
    return 0;
}
