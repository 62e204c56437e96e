/* report_load.c: reads a report saved by `racelab run --json` back (for `racelab report` and
 * `racelab confirm`): the JSON, and the frame that makes it a racelab report. See report.h. */
#include "report.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* jansson's message may quote bytes of the input: keep it on one line */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

const char *rl_report_frame_problem(const json_t *doc, char *why, size_t n)
{
    if (!json_is_object(doc))
        return "the document is not a JSON object";
    if (!json_is_string(json_object_get(doc, "racelab_version")) || !json_is_array(json_object_get(doc, "findings")))
        return "it has no \"racelab_version\" and \"findings\"";
    json_t *notes = json_object_get(doc, "notes");
    if (notes && !json_is_array(notes))
        return "\"notes\" is not an array";
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f)
        if (!json_is_object(f)) {
            snprintf(why, n, "findings[%zu] is not an object", i);
            return why;
        }
    return NULL;
}

/* The parsed document, or NULL with err set; shown is the name used in messages. */
static json_t *checked(json_t *doc, const json_error_t *jerr, const char *shown, char *err, size_t err_len)
{
    if (!doc) {
        json_error_t e = *jerr;
        one_line(e.text);
        snprintf(err, err_len, "cannot read the report '%s': not valid JSON: %s (line %d, column %d)", shown, e.text,
                 e.line, e.column);
        return NULL;
    }
    char why[128];
    const char *problem = rl_report_frame_problem(doc, why, sizeof why);
    if (problem) {
        snprintf(err, err_len, "'%s' is not a racelab report: %s (make one with racelab run --json FILE -- PROGRAM)",
                 shown, problem);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

json_t *rl_report_load_text(const char *text, size_t len, const char *shown, char *err, size_t err_len)
{
    json_error_t jerr;
    return checked(json_loadb(text, len, 0, &jerr), &jerr, shown, err, err_len);
}

json_t *rl_report_load_file(const char *path, char *err, size_t err_len)
{
    json_error_t jerr;
    if (strcmp(path, "-") == 0)
        return checked(json_loadf(stdin, 0, &jerr), &jerr, "standard input", err, err_len);
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "cannot read the report '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, err_len, "cannot read the report '%s': it is a directory", path);
        return NULL;
    }
    FILE *in = fopen(path, "re");
    if (!in) {
        snprintf(err, err_len, "cannot read the report '%s': %s", path, strerror(errno));
        return NULL;
    }
    json_t *doc = json_loadf(in, 0, &jerr);
    bool read_error = ferror(in);
    int saved = errno;
    fclose(in);
    if (!doc && read_error) {
        snprintf(err, err_len, "cannot read the report '%s': %s", path, strerror(saved));
        return NULL;
    }
    return checked(doc, &jerr, path, err, err_len);
}
