/* fuzz_eventlog.c: libFuzzer target for the event-log parser (detector/eventlog.c), and the report
 * built from what it parsed (detector/report.c: cycles, findings, variables) rendered as text. The
 * modules the log names are hidden from the report builder, so that no file the input names is
 * opened for symbols. */
#include <stdio.h>
#include <stdlib.h>

#include "eventlog.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    rl_eventlog log = { 0 };
    rl_eventlog_parse(&log, (const char *)data, size);
    size_t *n_modules = calloc(log.n_procs + 1, sizeof *n_modules);
    for (size_t i = 0; n_modules && i < log.n_procs; i++) {
        n_modules[i] = log.procs[i].n_modules;
        log.procs[i].n_modules = 0;
    }
    rl_run_info info = { .program = "/fuzz/program", .main_pid = log.n_procs ? log.procs[0].pid : 1,
                         .instrumented = true, .max_cycles = 100 };
    json_t *report = rl_report_build(&log, &info);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out && report) {
        rl_report_render_text(report, out);
        fclose(out);
    } else if (out) {
        fclose(out);
    }
    free(text);
    json_decref(report);
    for (size_t i = 0; n_modules && i < log.n_procs; i++)
        log.procs[i].n_modules = n_modules[i];
    free(n_modules);
    rl_eventlog_free(&log);
    return 0;
}
