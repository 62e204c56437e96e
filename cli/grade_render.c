/* grade_render.c: writes a grading result as text (for people), as Gradescope's results.json, or as
 * JUnit XML (for CI). Formatting only: every decision was made in grade.c.
 *
 * Whatever a submission printed reaches these renderers only as test output, cleaned first
 * (rl_grade_clean_text: valid UTF-8, no control characters) and then escaped for the format: a
 * submission cannot break the JSON or the XML, nor pass its own lines off as the grader's (in text,
 * its output is indented behind "| ").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

/* Length of the valid UTF-8 sequence at s (of at most n bytes) that XML 1.0 and JSON accept, or 0. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t len;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min_for_len[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
        return 0;
    return len;
}

char *rl_grade_clean_text(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return strdup("");
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    for (size_t i = 0; i < len;) {
        size_t n = utf8_char(s + i, len - i);
        if (n == 1 && s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
            n = 0;
        if (n == 0) {
            out[o++] = s[i] == '\r' ? '\n' : '?';
            i++;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = 0;
    return out;
}

static const char *status_word(rl_test_status s)
{
    return s == RL_TEST_PASSED ? "PASS" : s == RL_TEST_FAILED ? "FAIL" : "----";
}

/* Writes text with every line after the first indented. */
static void indented(FILE *out, const char *indent, const char *text)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        fprintf(out, "%s%.*s\n", indent, (int)len, line);
        line += len + (nl != NULL);
    }
}

int rl_grade_render_text(const rl_grade_result *g, FILE *out)
{
    fprintf(out, "racelab %s: ", g->check_only ? "check" : "grade");
    indented(out, "", g->summary);
    fprintf(out, "\n");
    size_t hidden = 0;
    for (size_t i = 0; i < g->n_tests; i++) {
        const rl_test_result *t = &g->tests[i];
        if (t->status == RL_TEST_NOT_RUN) {
            hidden++;
            continue;
        }
        fprintf(out, "%s %5g/%-4g %s (%s)\n", status_word(t->status), t->score, t->spec->points, t->spec->name,
                rl_test_kind_name(t->spec->kind));
        if (t->spec->description)
            fprintf(out, "      %s\n", t->spec->description);
        if (t->status == RL_TEST_FAILED && t->message[0])
            fprintf(out, "      why: %s\n", t->message);
        if (t->status == RL_TEST_FAILED || t->noted || g->check_only)
            indented(out, "      ", t->output);
    }
    if (hidden)
        fprintf(out, "\n%zu hidden test%s not run here: `racelab grade` runs %s.\n", hidden, hidden == 1 ? "" : "s",
                hidden == 1 ? "it" : "them");
    fprintf(out, "\n%s: %g/%g points\n", g->check_only ? "Visible tests" : "Score", g->score, g->max_score);
    return ferror(out) ? -1 : 0;
}

static json_t *clean_json_string(const char *s)
{
    char *c = rl_grade_clean_text(s, strlen(s));
    json_t *j = json_string(c);
    free(c);
    return j ? j : json_string("");
}

/* Gradescope's execution_time: whole seconds, rounded up (no libm for one ceil()). */
static json_int_t whole_seconds_up(double seconds)
{
    json_int_t whole = (json_int_t)seconds;
    return whole + (seconds > (double)whole);
}

int rl_grade_render_gradescope(const rl_grade_result *g, FILE *out)
{
    json_t *tests = json_array();
    for (size_t i = 0; i < g->n_tests; i++) {
        const rl_test_result *t = &g->tests[i];
        if (t->status == RL_TEST_NOT_RUN)
            continue;
        char number[16];
        snprintf(number, sizeof number, "%zu", i + 1);
        size_t len = strlen(t->message) + strlen(t->output) + (t->spec->description ? strlen(t->spec->description) : 0) + 16;
        char *text = malloc(len);
        snprintf(text, len, "%s%s%s%s%s", t->spec->description ? t->spec->description : "",
                 t->spec->description ? "\n" : "", t->status == RL_TEST_FAILED && t->message[0] ? t->message : "",
                 t->status == RL_TEST_FAILED && t->message[0] ? "\n\n" : "", t->output);
        json_t *jt = json_pack("{s:s,s:s,s:f,s:f,s:s,s:o,s:s,s:[s]}", "name", t->spec->name, "number", number,
                               "score", t->score, "max_score", t->spec->points, "status",
                               t->status == RL_TEST_PASSED ? "passed" : "failed", "output", clean_json_string(text),
                               "visibility", t->spec->visibility, "tags", rl_test_kind_name(t->spec->kind));
        free(text);
        json_array_append_new(tests, jt);
    }
    size_t len = strlen(g->summary) + strlen(g->build_output) + 64;
    char *text = malloc(len);
    snprintf(text, len, "%s%s%s", g->summary, g->build_output[0] ? "\nCompiler messages:\n" : "", g->build_output);
    json_t *root = json_pack("{s:f,s:f,s:I,s:o,s:s,s:s,s:s,s:{s:I,s:s,s:s},s:o}", "score", g->score, "max_score",
                             g->max_score, "execution_time", whole_seconds_up(g->seconds), "output",
                             clean_json_string(text), "output_format", "text", "visibility", "visible",
                             "stdout_visibility", "hidden", "extra_data", "seed", (json_int_t)g->seed, "exercise",
                             g->ex->name, "racelab_version", RACELAB_VERSION, "tests", tests);
    free(text);
    if (!root)
        return -1;
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(root);
    return rc != 0 || ferror(out) ? -1 : 0;
}

/* XML character data or attribute value: the five specials escaped, newlines kept in text and written
 * as &#10; in attributes. s must already be clean (rl_grade_clean_text). */
static void xml_escaped(FILE *out, const char *s, bool attribute)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs(attribute ? "&quot;" : "\"", out); break;
        case '\'': fputs(attribute ? "&apos;" : "'", out); break;
        case '\n': fputs(attribute ? "&#10;" : "\n", out); break;
        case '\t': fputs(attribute ? "&#9;" : "\t", out); break;
        default: fputc(*s, out);
        }
    }
}

static void xml_text(FILE *out, const char *s, bool attribute)
{
    char *c = rl_grade_clean_text(s, strlen(s));
    xml_escaped(out, c, attribute);
    free(c);
}

int rl_grade_render_junit(const rl_grade_result *g, FILE *out)
{
    size_t tests = 0, failures = 0, skipped = 0;
    for (size_t i = 0; i < g->n_tests; i++) {
        tests++;
        failures += g->tests[i].status == RL_TEST_FAILED;
        skipped += g->tests[i].status == RL_TEST_NOT_RUN;
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"racelab grade\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
            tests, failures, skipped, g->seconds);
    fprintf(out, "  <testsuite name=\"");
    xml_text(out, g->ex->name, true);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n", tests, failures,
            skipped, g->seconds);
    fprintf(out, "    <properties>\n");
    fprintf(out, "      <property name=\"score\" value=\"%g\"/>\n", g->score);
    fprintf(out, "      <property name=\"max_score\" value=\"%g\"/>\n", g->max_score);
    fprintf(out, "      <property name=\"seed\" value=\"%ld\"/>\n", g->seed);
    fprintf(out, "      <property name=\"submission\" value=\"");
    xml_text(out, g->submission, true);
    fprintf(out, "\"/>\n    </properties>\n");
    for (size_t i = 0; i < g->n_tests; i++) {
        const rl_test_result *t = &g->tests[i];
        fprintf(out, "    <testcase classname=\"racelab.");
        xml_text(out, g->ex->name, true);
        fprintf(out, ".%s\" name=\"", rl_test_kind_name(t->spec->kind));
        xml_text(out, t->spec->name, true);
        fprintf(out, "\" time=\"%.3f\">\n", t->seconds);
        if (t->status == RL_TEST_FAILED) {
            fprintf(out, "      <failure type=\"%s\" message=\"", rl_test_kind_name(t->spec->kind));
            xml_text(out, t->message, true);
            fprintf(out, "\">");
            xml_text(out, t->output, false);
            fprintf(out, "</failure>\n");
        } else if (t->status == RL_TEST_NOT_RUN) {
            fprintf(out, "      <skipped message=\"");
            xml_text(out, t->message, true);
            fprintf(out, "\"/>\n");
        }
        fprintf(out, "      <system-out>%g/%g points\n", t->score, t->spec->points);
        if (t->status != RL_TEST_FAILED)
            xml_text(out, t->output, false);
        fprintf(out, "</system-out>\n    </testcase>\n");
    }
    fprintf(out, "    <system-out>");
    xml_text(out, g->summary, false);
    xml_text(out, g->build_output, false);
    fprintf(out, "</system-out>\n  </testsuite>\n</testsuites>\n");
    return ferror(out) ? -1 : 0;
}
