/* render_text_colour.c: the text report with ANSI colours for a terminal (`racelab report` when stdout
 * is one and NO_COLOR is not set). It renders rl_report_render_text's output into memory and colours
 * it line by line, so the words stay exactly those of the plain report: headline red (deadlocks, races,
 * lost updates) or yellow (misuse), the deadlock marker red, notes cyan, warnings yellow, the summary
 * bold. Formatting only. */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "report.h"

#define RED "\033[1;31m"
#define YELLOW "\033[1;33m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static const char *const error_kinds[] = { "deadlock", "potential-deadlock", "data-race", "lost-update", "use-after-free" };

/* "==123== racelab: KIND #N: ...": the colour for that kind. */
static const char *headline_colour(const char *line, size_t *prefix_len)
{
    const char *p = strstr(line, " racelab");
    const char *colon = p ? strchr(p + 8, ':') : NULL;
    if (line[0] != '=' || line[1] != '=' || !colon)
        return NULL;
    const char *kind = colon + 2;
    const char *hash = strstr(kind, " #");
    if (!hash)
        return NULL;
    const char *end = strchr(hash + 2, ':');
    *prefix_len = end ? (size_t)(end - line + 1) : (size_t)(hash - line);
    for (size_t i = 0; i < sizeof error_kinds / sizeof *error_kinds; i++)
        if ((size_t)(hash - kind) == strlen(error_kinds[i]) && strncmp(kind, error_kinds[i], strlen(error_kinds[i])) == 0)
            return RED;
    return YELLOW;
}

static void colour_line(FILE *out, const char *line)
{
    size_t prefix;
    const char *c = headline_colour(line, &prefix);
    if (c) {
        fprintf(out, "%s%.*s%s%s", c, (int)prefix, line, RESET, line + prefix);
    } else if (strncmp(line, "SUMMARY:", 8) == 0) {
        fprintf(out, BOLD "%s" RESET, line);
    } else if (strncmp(line, "racelab: note:", 14) == 0) {
        fprintf(out, CYAN "racelab: note:" RESET "%s", line + 14);
    } else if (strncmp(line, "racelab: warning:", 17) == 0) {
        fprintf(out, YELLOW "racelab: warning:" RESET "%s", line + 17);
    } else if (strstr(line, "*** DEADLOCK ***")) {
        const char *m = strstr(line, "*** DEADLOCK ***");
        fprintf(out, "%.*s" RED "*** DEADLOCK ***" RESET "%s", (int)(m - line), line, m + 16);
    } else {
        fputs(line, out);
    }
}

int rl_report_render_text_styled(const json_t *report, FILE *out, bool colour)
{
    if (!colour) {
        rl_report_render_text(report, out);
        return ferror(out) ? -1 : 0;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) { /* no memory for the copy: plain text still says everything */
        rl_report_render_text(report, out);
        return ferror(out) ? -1 : 0;
    }
    rl_report_render_text(report, mem);
    if (fclose(mem) != 0) {
        free(text);
        rl_report_render_text(report, out);
        return ferror(out) ? -1 : 0;
    }
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        colour_line(out, line);
        if (nl)
            fputc('\n', out);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return ferror(out) ? -1 : 0;
}
