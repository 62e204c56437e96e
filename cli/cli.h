/* cli.h: what the CLI's files share: exit statuses and the subcommands. */
#ifndef RACELAB_CLI_H
#define RACELAB_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

enum {
    RL_EXIT_FINDINGS = 66,
    RL_EXIT_USAGE = 2,
    RL_EXIT_REPORT_UNWRITABLE = 3,
    RL_EXIT_BAD_REPORT = 4,
    RL_EXIT_NOT_EXECUTABLE = 126,
    RL_EXIT_NOT_FOUND = 127,
    RL_EXIT_INTERNAL = 70,
};

int rl_cli_run(int argc, char **argv);
int rl_cli_confirm(int argc, char **argv);
int rl_cli_labs(int argc, char **argv);
int rl_cli_lab(int argc, char **argv);
void rl_cli_run_options_help(FILE *out);
/* report_cmd.c: `racelab report REPORT.json [--format F] [-o FILE]`; returns the exit status. */
int rl_cli_report(int argc, char **argv);
/* report_cmd.c: writes the report in `format` (text, html, dot, sarif) to path ("-": stdout), via
 * path.tmp renamed when complete (`racelab run --html` uses it too). Returns 0, or the exit status
 * with the one-line message printed. */
int rl_cli_write_report(const json_t *report, const char *format, const char *path);
/* output_file.c: whether FILE.tmp can be created for the output `what` ("the JSON report"); returns
 * 0, or the exit status (2 empty name, 3 not writable) with the one-line message printed. */
int rl_cli_probe_output(const char *path, const char *what);
/* output_file.c: "PATH.tmp", the name an output file is written under before it is renamed to PATH;
 * malloc'd, for the caller to free. NULL when out of memory, with the one-line message printed. */
char *rl_cli_tmp_name(const char *path);
/* messages.c: prints "racelab: " and the formatted text as one line (control characters become '?'). */
void rl_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
