/* report_cmd.c: `racelab report REPORT.json [--format text|html|dot|sarif] [-o FILE]` renders a report
 * that `racelab run --json` saved; also the writer `racelab run --html FILE` uses. Parsing and files
 * only: the renderers (detector/render*.c) do the formatting.
 *
 * Exit statuses: 0 rendered; 2 usage error; 3 the output cannot be written (FILE is written to
 * FILE.tmp and renamed, so a failed write never leaves half a file under FILE); 4 the input is
 * unreadable, not JSON, or not a racelab report; 70 out of memory. Each error is one line on stderr.
 * Text goes to stdout unless -o is given, with colours only when stdout is a terminal and NO_COLOR is
 * not set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "render.h"
#include "report.h"

static const char *const formats[] = { "text", "html", "dot", "sarif" };

static void usage(FILE *out)
{
    fprintf(out, "usage: racelab report REPORT.json [--format text|html|dot|sarif] [-o FILE]\n\n"
                 "Renders a report saved by `racelab run --json REPORT.json` (REPORT.json may be - for stdin; after\n"
                 "--, a name starting with '-' is a file):\n"
                 "  text   the report as `racelab run` prints it (the default)\n"
                 "  html   one self-contained page: lock-order graph, findings with source lines, timeline\n"
                 "  dot    the lock-order graph in Graphviz's DOT language\n"
                 "  sarif  SARIF 2.1.0, for code-review tools\n"
                 "Output goes to stdout, or to FILE with -o (written to FILE.tmp, then renamed).\n"
                 "Exit status: 0 done; 2 usage error; 3 output not writable; 4 input unreadable or not a racelab report.\n");
}

static bool known_format(const char *f)
{
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (strcmp(f, formats[i]) == 0)
            return true;
    return false;
}

/* Renders in `format` to out. Returns 0, RL_EXIT_REPORT_UNWRITABLE if writing failed, or
 * RL_EXIT_INTERNAL when out of memory (with the message printed). */
static int render(const json_t *report, const char *format, FILE *out, bool colour)
{
    int rc = 0;
    if (strcmp(format, "html") == 0) {
        char err[1024] = "";
        rc = rl_report_render_html(report, out, err, sizeof err);
        if (rc == 0 && err[0])
            rl_cli_error("warning: %s", err);
    } else if (strcmp(format, "dot") == 0) {
        rc = rl_report_render_dot(report, out);
    } else if (strcmp(format, "sarif") == 0) {
        json_t *sarif = rl_report_to_sarif(report);
        if (!sarif) {
            rl_cli_error("out of memory making the SARIF log");
            return RL_EXIT_INTERNAL;
        }
        rc = json_dumpf(sarif, out, JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0 || fputc('\n', out) == EOF ? -1 : 0;
        json_decref(sarif);
    } else {
        rc = rl_report_render_text_styled(report, out, colour);
    }
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = -1;
    return rc == 0 ? 0 : RL_EXIT_REPORT_UNWRITABLE;
}

/* Writes the report in `format` to path (via path.tmp, renamed when complete; "-": stdout).
 * Returns 0, or the exit status with the one-line message printed. */
int rl_cli_write_report(const json_t *report, const char *format, const char *path)
{
    if (strcmp(path, "-") == 0) {
        int rc = render(report, format, stdout, false);
        if (rc == RL_EXIT_REPORT_UNWRITABLE)
            rl_cli_error("cannot write the %s report to standard output: %s", format, strerror(errno));
        return rc;
    }
    char *tmp = rl_cli_tmp_name(path);
    if (!tmp)
        return RL_EXIT_INTERNAL;
    FILE *out = fopen(tmp, "we");
    if (!out) {
        rl_cli_error("cannot write the %s report to '%s': %s", format, path, strerror(errno));
        free(tmp);
        return RL_EXIT_REPORT_UNWRITABLE;
    }
    int rc = render(report, format, out, false);
    int saved = errno;
    if (fclose(out) != 0 && rc == 0) {
        rc = RL_EXIT_REPORT_UNWRITABLE;
        saved = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = RL_EXIT_REPORT_UNWRITABLE;
        saved = errno;
    }
    if (rc != 0) {
        if (rc == RL_EXIT_REPORT_UNWRITABLE)
            rl_cli_error("cannot write the %s report to '%s': %s", format, path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* Reads and checks the report. Returns it, or NULL with the one-line message printed. */
static json_t *load_report(const char *path)
{
    char err[1024];
    json_t *doc = rl_report_load_file(path, err, sizeof err);
    if (!doc)
        rl_cli_error("%s", err);
    return doc;
}

int rl_cli_report(int argc, char **argv)
{
    const char *input = NULL, *format = "text", *output = NULL;
    bool options_ended = false; /* after "--", a name starting with '-' is a file */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **target = NULL;
        const char *value = NULL;
        if (options_ended || strcmp(a, "-") == 0 || a[0] != '-') {
            if (input) {
                rl_cli_error("one report at a time: '%s' and '%s' (try: racelab report --help)", input, a);
                return RL_EXIT_USAGE;
            }
            input = a;
            continue;
        } else if (strcmp(a, "--") == 0) {
            options_ended = true;
            continue;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0) {
            target = &format;
        } else if (strncmp(a, "--format=", 9) == 0) {
            format = a + 9;
            continue;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            target = &output;
        } else if (strncmp(a, "--output=", 9) == 0) {
            output = a + 9;
            continue;
        } else {
            rl_cli_error("unknown option '%s' (try: racelab report --help)", a);
            return RL_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            rl_cli_error("option %s needs a value", a);
            return RL_EXIT_USAGE;
        }
        value = argv[++i];
        *target = value;
    }
    if (!input) {
        rl_cli_error("which report? racelab report REPORT.json [--format text|html|dot|sarif] [-o FILE]");
        return RL_EXIT_USAGE;
    }
    if (!known_format(format)) {
        rl_cli_error("unknown format '%s' (text, html, dot or sarif)", format);
        return RL_EXIT_USAGE;
    }
    if (output && !output[0]) {
        rl_cli_error("-o needs a file name");
        return RL_EXIT_USAGE;
    }
    if (output && strcmp(output, "-") != 0) {
        int rc = rl_cli_probe_output(output, "the report");
        if (rc)
            return rc;
    }
    json_t *report = load_report(input);
    if (!report)
        return RL_EXIT_BAD_REPORT;
    int rc;
    if (output) {
        rc = rl_cli_write_report(report, format, output);
    } else {
        const char *no_colour = getenv("NO_COLOR");
        bool colour = strcmp(format, "text") == 0 && isatty(STDOUT_FILENO) && !no_colour;
        rc = render(report, format, stdout, colour);
        if (rc == RL_EXIT_REPORT_UNWRITABLE)
            rl_cli_error("cannot write the %s report to standard output: %s", format, strerror(errno));
    }
    json_decref(report);
    return rc;
}
