/* test_render.c: the report renderers (detector/render.h) and `racelab report` (cli/report_cmd.c).
 *
 *   - golden files: each fixed report under tests/unit/fixtures/reports/NAME.json (made once by
 *     `racelab run --json` on a lab or test program, then kept) renders to exactly NAME.dot.expected
 *     and NAME.sarif.expected. After a deliberate format change, regenerate them with
 *     RACELAB_UPDATE_GOLDEN=1 and review the diff.
 *   - a model: over seeded random reports, the DOT graph's red edges are exactly the (from, to) pairs
 *     of the findings' edges and its dashed ones exactly the consecutive locks of suppressed cycles;
 *     over seeded random mutations of the fixtures (values replaced by values of other types), every
 *     renderer returns normally.
 *   - named cases: `{}`, a huge report (5000 findings), hostile strings (escaping in DOT and HTML, and
 *     control characters shown escaped in the text report),
 *     source context (absolute and relative paths, missing files, lines past the end, files that are
 *     not source), the timeline, the HTML's graph from Graphviz and its fallback table, and the CLI's
 *     exit statuses, messages, output files and colours.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render.h"
#include "report.h"
#include "run_racelab.h"

#define FIXTURES RACELAB_SOURCE_DIR "/tests/unit/fixtures/reports/"

static const char *const fixtures[] = { "lock_order_apart", "lock_order_deadlock", "three_cycle", "gate_lock",
                                        "unsafe_counter_pct2", "misuse", "held_at_exit", "tsan_counter" };
#define N_FIXTURES (sizeof fixtures / sizeof *fixtures)

/* ---- helpers ---------------------------------------------------------------------------------- */

static json_t *load_fixture(const char *name)
{
    char path[512];
    json_error_t e;
    snprintf(path, sizeof path, FIXTURES "%s.json", name);
    json_t *r = json_load_file(path, 0, &e);
    cr_assert(r != NULL, "cannot load %s: %s", path, e.text);
    return r;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *r = json_loads(text, 0, &e);
    cr_assert(r != NULL, "bad test JSON: %s", e.text);
    return r;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(f);
    fclose(mem);
    return buf;
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static char *dot_of(const json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    cr_assert(eq(int, rl_report_render_dot(report, mem), 0));
    fclose(mem);
    return buf;
}

/* The SARIF text exactly as `racelab report --format sarif` prints it. */
static char *sarif_of(const json_t *report)
{
    json_t *s = rl_report_to_sarif(report);
    cr_assert(s != NULL);
    char *text = json_dumps(s, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    json_decref(s);
    size_t n = strlen(text);
    char *withnl = malloc(n + 2);
    memcpy(withnl, text, n);
    memcpy(withnl + n, "\n", 2);
    free(text);
    return withnl;
}

static char *html_of(const json_t *report, char *warn, size_t warnlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char err[1024] = "";
    cr_assert(eq(int, rl_report_render_html(report, mem, err, sizeof err), 0), "html: %s", err);
    fclose(mem);
    if (warn)
        snprintf(warn, warnlen, "%s", err);
    return buf;
}

static char *text_of(const json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    rl_report_render_text(report, mem);
    fclose(mem);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

static bool contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

static bool lacks(const char *hay, const char *needle)
{
    return strstr(hay, needle) == NULL;
}

/* Compares with the golden file (or rewrites it under RACELAB_UPDATE_GOLDEN). */
static void expect_golden(const char *name, const char *ext, const char *actual)
{
    char path[512], out[512];
    snprintf(path, sizeof path, FIXTURES "%s.%s.expected", name, ext);
    if (getenv("RACELAB_UPDATE_GOLDEN")) {
        write_all(path, actual);
        return;
    }
    char *expected = read_all(path);
    cr_assert(expected != NULL, "missing golden file %s (RACELAB_UPDATE_GOLDEN=1 writes it)", path);
    snprintf(out, sizeof out, "%s/racelab-%s.%s.actual", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name, ext);
    if (strcmp(expected, actual) != 0)
        write_all(out, actual);
    cr_assert(eq(int, strcmp(expected, actual), 0), "%s output of %s differs from %s\n  (diff -u %s %s)", ext, name, path,
              path, out);
    free(expected);
}

static bool have_program(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    for (const char *p = path ? path : "/usr/bin:/bin"; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, p, name);
        if (access(buf, X_OK) == 0)
            return true;
        p = colon ? colon + 1 : NULL;
    }
    return false;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- golden files ----------------------------------------------------------------------------- */

Test(golden, dot_of_every_fixture)
{
    for (size_t i = 0; i < N_FIXTURES; i++) {
        json_t *r = load_fixture(fixtures[i]);
        char *dot = dot_of(r);
        expect_golden(fixtures[i], "dot", dot);
        free(dot);
        json_decref(r);
    }
}

Test(golden, sarif_of_every_fixture)
{
    for (size_t i = 0; i < N_FIXTURES; i++) {
        json_t *r = load_fixture(fixtures[i]);
        char *sarif = sarif_of(r);
        expect_golden(fixtures[i], "sarif", sarif);
        free(sarif);
        json_decref(r);
    }
}

/* ---- DOT -------------------------------------------------------------------------------------- */

Test(dot, cycle_edges_are_red_and_labelled_with_thread_and_line)
{
    json_t *r = load_fixture("lock_order_apart");
    char *dot = dot_of(r);
    cr_assert(contains(dot, "lock0 [label=\"lock_a\""));
    cr_assert(contains(dot, "lock1 [label=\"lock_b\""));
    cr_assert(contains(dot, "lock0 -> lock1 [label=\"T1 main.c:67\""));
    cr_assert(contains(dot, "lock1 -> lock0 [label=\"T2 main.c:67\""));
    cr_assert(eq(sz, count(dot, "class=cycle"), 2));
    free(dot);
    json_decref(r);
}

Test(dot, suppressed_cycle_is_dashed_grey_with_its_reason)
{
    json_t *r = load_fixture("gate_lock");
    char *dot = dot_of(r);
    cr_assert(eq(sz, count(dot, "style=dashed"), 2), "%s", dot);
    cr_assert(eq(sz, count(dot, "label=\"gate-lock: gate\""), 2), "%s", dot);
    cr_assert(lacks(dot, "color=red"));
    free(dot);
    json_decref(r);
}

Test(dot, suppressed_cycle_joins_the_nodes_of_a_findings_locks)
{
    json_t *r = parse("{\"findings\":[{\"kind\":\"potential-deadlock\",\"pid\":7,\"locks\":[{\"id\":3,\"name\":\"a\"},"
                      "{\"id\":4,\"name\":\"b\"}],\"edges\":[{\"from\":3,\"to\":4,\"thread\":1},{\"from\":4,\"to\":3,\"thread\":2}]}],"
                      "\"notes\":[{\"kind\":\"suppressed-cycle\",\"pid\":7,\"reason\":\"single-thread\",\"locks\":[\"a\",\"c\"],"
                      "\"summary\":\"s\"}]}");
    char *dot = dot_of(r);
    cr_assert(contains(dot, "lock3 -> named2 [label=\"single-thread\""), "%s", dot);
    cr_assert(contains(dot, "named2 -> lock3 [label=\"single-thread\""), "%s", dot);
    free(dot);
    json_decref(r);
}

Test(dot, several_processes_get_one_cluster_each)
{
    json_t *r = parse("{\"findings\":[{\"kind\":\"potential-deadlock\",\"pid\":7,\"locks\":[{\"id\":0,\"name\":\"a\"},"
                      "{\"id\":1,\"name\":\"b\"}],\"edges\":[{\"from\":0,\"to\":1,\"thread\":1},{\"from\":1,\"to\":0,\"thread\":2}]},"
                      "{\"kind\":\"potential-deadlock\",\"pid\":8,\"locks\":[{\"id\":2,\"name\":\"a\"},"
                      "{\"id\":3,\"name\":\"b\"}],\"edges\":[{\"from\":2,\"to\":3,\"thread\":1},{\"from\":3,\"to\":2,\"thread\":2}]}]}");
    char *dot = dot_of(r);
    cr_assert(contains(dot, "label=\"process 7\""), "%s", dot);
    cr_assert(contains(dot, "label=\"process 8\""), "%s", dot);
    cr_assert(eq(sz, count(dot, "subgraph cluster_"), 2));
    free(dot);
    json_decref(r);
}

Test(dot, names_are_escaped)
{
    json_t *r = parse("{\"findings\":[{\"kind\":\"potential-deadlock\",\"locks\":[{\"id\":0,\"name\":\"q\\\"uote\\\\\\\\N\\nline\"},"
                      "{\"id\":1,\"name\":\"b\"}],\"edges\":[{\"from\":0,\"to\":1,\"thread\":1}]}]}");
    char *dot = dot_of(r);
    cr_assert(contains(dot, "label=\"q\\\"uote\\\\\\\\N\\nline\""), "%s", dot);
    free(dot);
    json_decref(r);
}

/* The simple model: red edges = the findings' (from, to) pairs; dashed = consecutive suppressed locks. */
Test(dot, random_reports_match_the_model)
{
    uint64_t seed = 42;
    for (int round = 0; round < 200; round++) {
        bool red[12][12] = { { false } }, grey[12][12] = { { false } };
        int n_locks = 2 + (int)(rng_next(&seed) % 10);
        json_t *findings = json_array(), *notes = json_array();
        int n_findings = (int)(rng_next(&seed) % 5);
        for (int f = 0; f < n_findings; f++) {
            json_t *locks = json_array(), *edges = json_array();
            for (int l = 0; l < n_locks; l++)
                json_array_append_new(locks, json_pack("{s:i,s:s+}", "id", l, "name", "L", (char[]){ (char)('a' + l), 0 }));
            int n_edges = 1 + (int)(rng_next(&seed) % 4);
            for (int e = 0; e < n_edges; e++) {
                int a = (int)(rng_next(&seed) % (uint64_t)n_locks), b = (int)(rng_next(&seed) % (uint64_t)n_locks);
                red[a][b] = true;
                json_array_append_new(edges, json_pack("{s:i,s:i,s:i}", "from", a, "to", b, "thread", e));
            }
            json_array_append_new(findings, json_pack("{s:s,s:i,s:o,s:o}", "kind", "potential-deadlock", "pid", 1, "locks",
                                                      locks, "edges", edges));
        }
        int n_notes = (int)(rng_next(&seed) % 3);
        for (int k = 0; k < n_notes; k++) {
            json_t *names = json_array();
            int len = 2 + (int)(rng_next(&seed) % 3), first = -1, prev = -1;
            for (int j = 0; j < len; j++) {
                int l = (int)(rng_next(&seed) % (uint64_t)n_locks);
                json_array_append_new(names, json_pack("s+", "L", (char[]){ (char)('a' + l), 0 }));
                if (prev >= 0)
                    grey[prev][l] = true;
                else
                    first = l;
                prev = l;
            }
            grey[prev][first] = true;
            json_array_append_new(notes, json_pack("{s:s,s:i,s:s,s:o,s:s}", "kind", "suppressed-cycle", "pid", 1, "reason",
                                                   "gate-lock", "locks", names, "summary", "x"));
        }
        json_t *r = json_pack("{s:o,s:o}", "findings", findings, "notes", notes);
        char *dot = dot_of(r);
        /* read the nodes' labels, then every edge back */
        char names[64][16];
        char ids[64][16];
        size_t n_nodes = 0;
        bool seen_red[12][12] = { { false } }, seen_grey[12][12] = { { false } };
        for (char *line = strtok(dot, "\n"); line; line = strtok(NULL, "\n")) {
            char a[16], b[16], label[16];
            if (sscanf(line, " %15[a-z0-9] [label=\"%15[^\"]\"", a, label) == 2 && !strstr(line, "->")) {
                snprintf(ids[n_nodes], 16, "%s", a);
                snprintf(names[n_nodes++], 16, "%s", label);
            } else if (sscanf(line, " %15[a-z0-9] -> %15[a-z0-9] ", a, b) == 2) {
                int x = -1, y = -1;
                for (size_t k = 0; k < n_nodes; k++) {
                    if (strcmp(ids[k], a) == 0)
                        x = names[k][1] - 'a';
                    if (strcmp(ids[k], b) == 0)
                        y = names[k][1] - 'a';
                }
                cr_assert(x >= 0 && y >= 0, "edge between unknown nodes: %s", line);
                if (strstr(line, "class=cycle"))
                    seen_red[x][y] = true;
                else
                    seen_grey[x][y] = true;
            }
        }
        for (int a = 0; a < 12; a++)
            for (int b = 0; b < 12; b++) {
                cr_assert(eq(int, red[a][b], seen_red[a][b]), "round %d: red edge L%c -> L%c", round, 'a' + a, 'a' + b);
                cr_assert(eq(int, grey[a][b], seen_grey[a][b]), "round %d: grey edge L%c -> L%c", round, 'a' + a, 'a' + b);
            }
        free(dot);
        json_decref(r);
    }
}

/* ---- SARIF ------------------------------------------------------------------------------------ */

Test(sarif, frame_of_a_run)
{
    json_t *r = load_fixture("lock_order_apart");
    json_t *s = rl_report_to_sarif(r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(s, "version")), "2.1.0"));
    cr_assert(json_string_value(json_object_get(s, "$schema")) != NULL);
    json_t *run = json_array_get(json_object_get(s, "runs"), 0);
    cr_assert(eq(sz, json_array_size(json_object_get(s, "runs")), 1));
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(driver, "name")), "racelab"));
    json_t *rule = json_array_get(json_object_get(driver, "rules"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(rule, "id")), "potential-deadlock"));
    cr_assert(json_string_value(json_object_get(json_object_get(rule, "shortDescription"), "text")) != NULL);
    json_t *result = json_array_get(json_object_get(run, "results"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(result, "ruleId")), "potential-deadlock"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(result, "level")), "error"));
    json_t *pl = json_object_get(json_array_get(json_object_get(result, "locations"), 0), "physicalLocation");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
                 "labs/lock_order_deadlock/main.c"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_object_get(pl, "region"), "startLine")), 67));
    /* the cycle as two thread flows, one per edge, each from the first lock to the second */
    json_t *flows = json_object_get(json_array_get(json_object_get(result, "codeFlows"), 0), "threadFlows");
    cr_assert(eq(sz, json_array_size(flows), 2));
    cr_assert(eq(sz, json_array_size(json_object_get(json_array_get(flows, 0), "locations")), 2));
    cr_assert(eq(sz, json_array_size(json_object_get(result, "relatedLocations")), 3));
    json_decref(s);
    json_decref(r);
}

Test(sarif, levels_by_kind)
{
    const char *kinds[][2] = { { "misuse", "warning" }, { "held_at_exit", "warning" }, { "unsafe_counter_pct2", "error" },
                               { "lock_order_deadlock", "error" } };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        json_t *r = load_fixture(kinds[k][0]);
        json_t *s = rl_report_to_sarif(r);
        json_t *results = json_object_get(json_array_get(json_object_get(s, "runs"), 0), "results"), *res;
        size_t i;
        json_array_foreach(results, i, res)
            cr_assert(eq(str, (char *)json_string_value(json_object_get(res, "level")), (char *)kinds[k][1]), "%s #%zu",
                      kinds[k][0], i);
        json_decref(s);
        json_decref(r);
    }
}

Test(sarif, lost_update_has_a_logical_location)
{
    json_t *r = load_fixture("unsafe_counter_pct2");
    json_t *s = rl_report_to_sarif(r);
    json_t *results = json_object_get(json_array_get(json_object_get(s, "runs"), 0), "results");
    json_t *lost = json_array_get(results, 2);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(lost, "ruleId")), "lost-update"));
    json_t *ll = json_array_get(json_object_get(json_array_get(json_object_get(lost, "locations"), 0), "logicalLocations"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(ll, "name")), "counter"));
    /* two data races, one rule for them */
    json_t *rules = json_object_get(json_object_get(json_object_get(json_array_get(json_object_get(s, "runs"), 0), "tool"), "driver"), "rules");
    cr_assert(eq(sz, json_array_size(rules), 2));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(lost, "ruleIndex")), 1));
    json_decref(s);
    json_decref(r);
}

Test(sarif, absolute_paths_become_file_uris_percent_encoded)
{
    json_t *r = parse("{\"findings\":[{\"kind\":\"double-lock\",\"summary\":\"s\",\"stack\":[{\"pc\":\"0x1\"},"
                      "{\"pc\":\"0x2\",\"file\":\"/src/my dir/a#b.c\",\"line\":3}]}]}");
    json_t *s = rl_report_to_sarif(r);
    json_t *res = json_array_get(json_object_get(json_array_get(json_object_get(s, "runs"), 0), "results"), 0);
    json_t *al = json_object_get(json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation"),
                                 "artifactLocation");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(al, "uri")), "file:///src/my%20dir/a%23b.c"));
    cr_assert(json_object_get(al, "uriBaseId") == NULL);
    json_decref(s);
    json_decref(r);
}

/* ---- HTML ------------------------------------------------------------------------------------- */

Test(html, every_lock_thread_and_finding_is_on_the_page)
{
    cr_assert(eq(int, chdir(RACELAB_SOURCE_DIR), 0)); /* the fixtures' frames are relative to it */
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);    /* the graph as a table: no Graphviz needed */
    json_t *r = load_fixture("lock_order_deadlock");
    char warn[1024];
    char *html = html_of(r, warn, sizeof warn);
    cr_assert(contains(warn, "not found"), "%s", warn);
    cr_assert(contains(html, "<!DOCTYPE html>"));
    cr_assert(eq(sz, count(html, "<article class=\"finding error\""), 2));
    cr_assert(contains(html, "lock_a") && contains(html, "lock_b"));
    cr_assert(contains(html, "<th>T1</th><th>T2</th>") || contains(html, "<th>T2</th><th>T1</th>"));
    cr_assert(contains(html, "*** DEADLOCK ***"));
    cr_assert(contains(html, "racelab run --schedule native --seed 0 -- build/labs/lock_order_deadlock --mode deadlock"));
    cr_assert(contains(html, "no timeline recorded (run with --html to record one)"));
    /* the source line of a frame, marked, from the lab's own file */
    cr_assert(contains(html, "<mark><span class=\"ln\">   67</span> "), "no source context");
    cr_assert(lacks(html, "<script"));
    free(html);
    json_decref(r);
}

Test(html, graph_is_graphviz_svg_inline)
{
    if (!have_program("dot"))
        cr_skip_test("graphviz's dot is not installed");
    unsetenv("RACELAB_DOT");
    json_t *r = load_fixture("lock_order_apart");
    char warn[1024];
    char *html = html_of(r, warn, sizeof warn);
    cr_assert(eq(str, warn, ""));
    cr_assert(contains(html, "<svg"));
    cr_assert(lacks(html, "<?xml") && lacks(html, "<!DOCTYPE svg"));
    cr_assert(eq(sz, count(html, "class=\"edge cycle\""), 2), "%s", strstr(html, "<svg"));
    cr_assert(contains(html, ">T1 main.c:67</text>") && contains(html, ">T2 main.c:67</text>"));
    cr_assert(contains(html, ">lock_a</text>") && contains(html, ">lock_b</text>"));
    free(html);
    json_decref(r);
}

Test(html, graphviz_that_fails_falls_back_to_the_table)
{
    setenv("RACELAB_DOT", "/bin/false", 1);
    json_t *r = load_fixture("gate_lock");
    char warn[1024];
    char *html = html_of(r, warn, sizeof warn);
    cr_assert(contains(warn, "failed"), "%s", warn);
    cr_assert(eq(sz, count(html, "<tr class=\"suppressed\">"), 2));
    cr_assert(contains(html, "not a deadlock: gate-lock"));
    free(html);
    json_decref(r);
}

Test(html, lost_update_interleaving_has_one_column_per_thread)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);
    json_t *r = load_fixture("unsafe_counter_pct2");
    char *html = html_of(r, NULL, 0);
    const char *table = strstr(html, "<table class=\"trace\">");
    cr_assert(table != NULL);
    cr_assert(contains(table, "<thead><tr><th>T1</th><th>T2</th></tr></thead>"));
    cr_assert(contains(table, "78 more steps"));
    cr_assert(contains(table, "<td class=\"stale\">write 23 \xE2\x86\x90 overwrote T2&#39;s update</td>"));
    cr_assert(contains(html, "pct"));
    cr_assert(contains(html, "0xc5258b0850f75843"));
    free(html);
    json_decref(r);
}

Test(html, everything_is_escaped)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);
    char dir[] = "/tmp/racelab-render-XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    char src[600];
    snprintf(src, sizeof src, "%s/evil.c", dir);
    write_all(src, "line 1\n</pre><script>alert(1)</script>\n<b>&amp;</b>\n\x01\n");
    json_t *r = json_pack("{s:s,s:s,s:[{s:s,s:s,s:[{s:i,s:s}],s:[{s:s,s:s,s:i}],s:[{s:i,s:s}]}],s:[{s:s,s:s,s:[s,s]}]}",
                          "racelab_version", "<v>", "program", "<script>prog</script>", "findings", "kind", "double-lock",
                          "summary", "<img src=x onerror=alert(1)> \"quoted\" & 'single'", "locks", "id", 0, "name",
                          "<script>lock</script>", "stack", "function", "<fn>", "file", src, "line", 2, "threads", "id", 1,
                          "name", "<T1>", "notes", "kind", "suppressed-cycle", "summary", "</li><script>", "locks", "<a>", "<b>");
    char *html = html_of(r, NULL, 0);
    cr_assert(lacks(html, "<script"), "unescaped script tag");
    cr_assert(lacks(html, "<img"));
    cr_assert(lacks(html, "<T1>") && contains(html, "&lt;T1&gt;"));
    cr_assert(contains(html, "&lt;script&gt;lock&lt;/script&gt;"));
    cr_assert(contains(html, "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "source line not shown escaped");
    cr_assert(contains(html, "&lt;b&gt;&amp;amp;&lt;/b&gt;"));
    cr_assert(lacks(html, "\x01"));
    free(html);
    unlink(src);
    rmdir(dir);
    json_decref(r);
}

/* A frame's file: absolute as it is, relative from the current directory; nothing for missing files,
 * lines past the end, or files that are not source code. */
Test(html, source_context)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);
    char dir[] = "/tmp/racelab-render-XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    char path[600], secret[600];
    snprintf(path, sizeof path, "%s/ten.c", dir);
    snprintf(secret, sizeof secret, "%s/secret.txt", dir);
    write_all(path, "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n");
    write_all(secret, "one\ntwo\nthree\nSECRET\n");
    cr_assert(eq(int, chdir(dir), 0));
    json_t *r = json_pack("{s:[{s:s,s:s,s:[{s:s,s:i},{s:s,s:i},{s:s,s:i},{s:s,s:i},{s:s,s:i}]}]}",
                          "findings", "kind", "held-at-exit", "summary", "s", "stack", "file", path, "line", 5, "file",
                          "ten.c", "line", 10, "file", "ten.c", "line", 11, "file", "missing.c", "line", 1, "file",
                          secret, "line", 4);
    char *html = html_of(r, NULL, 0);
    cr_assert(contains(html, "<span class=\"ln\">    2</span> two\n"));
    cr_assert(contains(html, "<mark><span class=\"ln\">    5</span> five</mark>"));
    cr_assert(contains(html, "<span class=\"ln\">    8</span> eight\n"));
    cr_assert(lacks(html, "<span class=\"ln\">    1</span> one\n"), "more than 3 lines before");
    cr_assert(contains(html, "<mark><span class=\"ln\">   10</span> ten</mark>"), "relative path");
    cr_assert(eq(sz, count(html, "<mark>"), 2), "line 11 is past the end; missing.c is missing");
    cr_assert(lacks(html, "SECRET"), "a file that is not source code was shown");
    free(html);
    unlink(path);
    unlink(secret);
    rmdir(dir);
    json_decref(r);
}

Test(html, timeline_lanes_and_intervals)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);
    json_t *r = parse("{\"findings\":[{\"kind\":\"deadlock\",\"locks\":[{\"id\":0,\"name\":\"lock_a\"},{\"id\":1,\"name\":\"lock_b\"}]}],"
                      "\"timeline\":{\"threads\":[{\"id\":1,\"name\":\"T1\"},{\"id\":2,\"name\":\"worker <2>\"}],\"events\":["
                      "{\"t_us\":0,\"thread\":1,\"op\":\"lock\",\"lock\":0},{\"t_us\":5,\"thread\":1,\"op\":\"acquired\",\"lock\":0},"
                      "{\"t_us\":10,\"thread\":2,\"op\":\"lock\",\"lock\":1},{\"t_us\":12,\"thread\":2,\"op\":\"acquired\",\"lock\":1},"
                      "{\"t_us\":20,\"thread\":1,\"op\":\"lock\",\"lock\":1},{\"t_us\":25,\"thread\":2,\"op\":\"lock\",\"lock\":0},"
                      "{\"t_us\":30,\"thread\":3,\"op\":\"wait\"},{\"t_us\":40,\"thread\":3,\"op\":\"wake\"},"
                      "{\"t_us\":100,\"op\":\"deadlock\"}]}}");
    char *html = html_of(r, NULL, 0);
    const char *tl = strstr(html, "<svg class=\"timeline\"");
    cr_assert(tl != NULL);
    cr_assert(contains(tl, ">T1</text>") && contains(tl, ">worker &lt;2&gt;</text>") && contains(tl, ">T3</text>"));
    cr_assert(eq(sz, count(tl, "<rect class=\"lane\""), 3));
    cr_assert(contains(tl, "<title>T1 waits for lock_a from 0 to 5 \xC2\xB5s</title>"));
    cr_assert(contains(tl, "<title>T1 holds lock_a from 5 to 100 \xC2\xB5s (still, when the timeline ends)</title>"));
    cr_assert(contains(tl, "<title>T2 waits for lock_a from 25 to 100 \xC2\xB5s (still, when the timeline ends)</title>"));
    cr_assert(eq(sz, count(tl, "<rect class=\"condwait\""), 1));
    cr_assert(eq(sz, count(tl, "<line class=\"deadlock\""), 1));
    cr_assert(lacks(html, "no timeline recorded"));
    free(html);
    json_decref(r);
}

/* ---- text: terminal safety ------------------------------------------------------------------- */

/* Every byte of text is printable, a newline, or part of a UTF-8 character other than a C1 control. */
static bool only_printable(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if ((*c < 0x20 && *c != '\n') || *c == 0x7f || (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
            return false;
    return true;
}

/* A report whose strings hold `summary`, `lock` and `function` (a double-lock with one lock and a
 * one-frame stack), from the program `program`. */
static json_t *report_with_strings(const char *summary, const char *lock, const char *function, const char *program)
{
    return json_pack("{s:s,s:s,s:b,s:[{s:s,s:i,s:s,s:[{s:i,s:s,s:[{s:s}]}],s:[{s:s,s:s,s:i}]}],s:[{s:s,s:s}]}",
                     "racelab_version", "0.1.0", "program", program, "instrumented", 1, "findings", "kind",
                     "double-lock", "pid", 7, "summary", summary, "locks", "id", 0, "name", lock, "init", "function",
                     function, "stack", "function", function, "file", "a.c", "line", 3, "notes", "kind", "runtime",
                     "summary", summary);
}

/* ESC, a newline, a tab, DEL, other bytes below 0x20 and C1 controls in any string are shown escaped,
 * so that a crafted report cannot drive the terminal or break a line; the text is exactly that of the
 * same report with the escapes written out. UTF-8 text passes unchanged; the caller's report is not
 * changed. */
Test(text, control_characters_are_shown_escaped)
{
    json_t *hostile = report_with_strings("red \x1b[31mRED\x1b[0m\nsecond line\r", "lock\ta\x7f\x01",
                                          "gr\xc3\xb6\xc3\x9f" "e_\xe2\x86\x92_fn\xc2\x9b" "2J", "./prog\x1b]0;title\x07");
    json_t *written_out = report_with_strings("red \\x1b[31mRED\\x1b[0m\\nsecond line\\r", "lock\\ta\\x7f\\x01",
                                              "gr\xc3\xb6\xc3\x9f" "e_\xe2\x86\x92_fn\\u009b" "2J",
                                              "./prog\\x1b]0;title\\x07");
    char *text = text_of(hostile), *expected = text_of(written_out);
    cr_assert(eq(str, text, expected));
    cr_assert(only_printable(text), "%s", text);
    cr_assert(contains(text, "==7== racelab: double-lock #1: red \\x1b[31mRED\\x1b[0m\\nsecond line\\r\n"), "%s", text);
    cr_assert(contains(text, "#0 gr\xc3\xb6\xc3\x9f" "e_\xe2\x86\x92_fn\\u009b2J a.c:3\n"), "%s", text); /* UTF-8 kept */
    cr_assert(contains(text, "racelab: note: red \\x1b[31mRED\\x1b[0m\\nsecond line\\r\n"), "%s", text);
    cr_assert(contains(text, " in ./prog\\x1b]0;title\\x07 ("), "%s", text);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_array_get(json_object_get(hostile, "findings"), 0),
                                                                "summary")),
                 "red \x1b[31mRED\x1b[0m\nsecond line\r"));
    free(text), free(expected);
    json_decref(hostile);
    json_decref(written_out);
}

/* A report with nothing to escape renders as before: backslashes and UTF-8 are not touched. */
Test(text, plain_strings_pass_unchanged)
{
    json_t *r = report_with_strings("C:\\dir\\x41 \xe2\x9c\x93 caf\xc3\xa9", "lock_a", "main", "./prog");
    char *text = text_of(r);
    cr_assert(contains(text, "double-lock #1: C:\\dir\\x41 \xe2\x9c\x93 caf\xc3\xa9\n"), "%s", text);
    free(text);
    json_decref(r);
}

/* A flood of ruled-out cycles (a thread holding 200 locks in both orders makes thousands) is cut to
 * the first 10 and a count in the text; every other note is printed. */
Test(text, ruled_out_cycles_stop_after_ten)
{
    json_t *notes = json_array();
    for (int i = 0; i < 25; i++)
        json_array_append_new(notes, json_pack("{s:s,s:s}", "kind", "suppressed-cycle", "summary", "cycle ruled out"));
    json_array_append_new(notes, json_pack("{s:s,s:s}", "kind", "limit", "summary", "a limit"));
    json_t *r = json_pack("{s:[],s:o,s:b}", "findings", "notes", notes, "instrumented", 1);
    char *text = text_of(r);
    size_t ruled_out = 0;
    for (const char *at = text; (at = strstr(at, "racelab: note: cycle ruled out\n")); at++)
        ruled_out++;
    cr_assert_eq(ruled_out, 10, "%s", text);
    cr_assert(contains(text, "racelab: note: a limit\n"), "%s", text);
    cr_assert(contains(text, "racelab: note: ... and 15 more lock-order cycles that cannot deadlock (all are in the JSON "
                             "report)\n"), "%s", text);
    free(text);
    json_decref(r);
}

/* ---- any input -------------------------------------------------------------------------------- */

Test(robust, empty_report)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);
    json_t *r = parse("{}");
    char *dot = dot_of(r);
    cr_assert(contains(dot, "digraph racelab {") && contains(dot, "no lock-order cycle recorded"));
    json_t *s = rl_report_to_sarif(r);
    cr_assert(eq(sz, json_array_size(json_object_get(json_array_get(json_object_get(s, "runs"), 0), "results")), 0));
    char *html = html_of(r, NULL, 0);
    cr_assert(contains(html, "No findings") && contains(html, "</html>"));
    char *text = text_of(r);
    cr_assert(contains(text, "SUMMARY: racelab: 0 findings"));
    free(dot), free(html), free(text);
    json_decref(s);
    json_decref(r);
}

static void render_all(const json_t *r)
{
    FILE *null = fopen("/dev/null", "w");
    char err[256];
    cr_assert(eq(int, rl_report_render_dot(r, null), 0));
    cr_assert(eq(int, rl_report_render_html(r, null, err, sizeof err), 0));
    cr_assert(eq(int, rl_report_render_text_styled(r, null, true), 0));
    json_t *s = rl_report_to_sarif(r);
    cr_assert(s != NULL);
    json_decref(s);
    fclose(null);
}

Test(robust, wrong_types_everywhere)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);
    json_t *r = parse("{\"program\":5,\"args\":{},\"exit\":[],\"schedule\":{\"mode\":1,\"rerun\":null},\"stats\":\"x\","
                      "\"findings\":[1,\"x\",null,{\"kind\":5,\"edges\":\"x\",\"locks\":[{\"id\":\"a\"},3],\"scenario\":[1,{\"thread\":\"x\"}],"
                      "\"trace\":{\"a\":1},\"accesses\":[null,{\"stack\":[1,{\"file\":7,\"line\":\"x\"}]}],\"waits\":[{\"holds\":3},"
                      "{\"waits_for\":0,\"holds\":[{\"lock\":\"x\"}]}]},{\"kind\":\"potential-deadlock\",\"edges\":[{\"from\":0,\"to\":99}],"
                      "\"cycle\":[\"x\"],\"threads\":[{\"id\":1}]},{\"kind\":\"lost-update\",\"trace\":[{\"thread\":-1,\"op\":\"outside\"}],"
                      "\"trace_skipped\":\"x\"}],\"notes\":[{\"kind\":\"suppressed-cycle\",\"locks\":[1,null,\"a\"]},{\"kind\":\"suppressed-cycle\","
                      "\"locks\":[]},7],\"timeline\":{\"events\":[{\"t_us\":\"x\"},{\"t_us\":5,\"op\":\"acquired\",\"thread\":1,\"lock\":2},"
                      "{\"t_us\":-3,\"op\":\"unlock\"},7],\"threads\":7}}");
    render_all(r);
    json_decref(r);
    json_t *arr = parse("[1,2,3]");
    render_all(arr);
    json_decref(arr);
}

/* Replaces values at random by values of other types, recursively. */
static json_t *random_value(uint64_t *seed)
{
    switch (rng_next(seed) % 8) {
    case 0: return json_integer((json_int_t)(rng_next(seed) % 5) - 2);
    case 1: return json_string("<\"&'>\\");
    case 2: return json_null();
    case 3: return json_array();
    case 4: return json_object();
    case 5: return json_real(1.5);
    case 6: return json_true();
    default: return json_integer(INT64_MAX);
    }
}

static void mutate(json_t *v, uint64_t *seed, int depth)
{
    size_t i;
    const char *key;
    json_t *child;
    if (json_is_object(v)) {
        json_object_foreach(v, key, child) {
            if (rng_next(seed) % 12 == 0)
                json_object_set_new(v, key, random_value(seed));
            else if (depth < 12)
                mutate(child, seed, depth + 1);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) {
            if (rng_next(seed) % 12 == 0)
                json_array_set_new(v, i, random_value(seed));
            else if (depth < 12)
                mutate(child, seed, depth + 1);
        }
    }
}

Test(robust, random_mutations_of_the_fixtures, .timeout = 120)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1);
    uint64_t seed = 7;
    for (int round = 0; round < 400; round++) {
        json_t *r = load_fixture(fixtures[(size_t)round % N_FIXTURES]);
        mutate(r, &seed, 0);
        render_all(r);
        json_decref(r);
    }
}

Test(robust, huge_report, .timeout = 120)
{
    setenv("RACELAB_DOT", "/nonexistent/dot", 1); /* too many edges for a layout anyway */
    json_t *findings = json_array();
    char name[32], name_b[32];
    for (int i = 0; i < 5000; i++) {
        json_t *f;
        int a = i % 100, b = (i * 7 + 1) % 100;
        snprintf(name, sizeof name, "lock_%d", a);
        snprintf(name_b, sizeof name_b, "lock_%d", b);
        switch (i % 4) {
        case 0:
            f = json_pack("{s:s,s:s,s:i,s:[{s:i,s:s}],s:[{s:i,s:s},{s:i,s:s}],s:[i,i],s:[{s:i,s:i,s:i,s:[{s:s,s:s,s:i}],"
                          "s:[{s:s,s:s,s:i}]},{s:i,s:i,s:i}]}",
                          "kind", "potential-deadlock", "summary", "cycle", "pid", 1, "threads", "id", 1, "name", "T1", "locks",
                          "id", a, "name", name, "id", b, "name", name_b, "cycle", a, b, "edges", "from", a, "to", b,
                          "thread", 1, "from_stack", "function", "f", "file", "nowhere.c", "line", i + 1, "to_stack", "function",
                          "g", "file", "nowhere.c", "line", i + 2, "from", b, "to", a, "thread", 2);
            break;
        case 1:
            f = json_pack("{s:s,s:s,s:i,s:s,s:[{s:i,s:s,s:[{s:s,s:i}]},{s:i,s:s}]}", "kind", "data-race", "summary", "race",
                          "pid", 1, "variable", "x", "accesses", "thread", 1, "op", "write", "stack", "file", "nowhere.c", "line",
                          i + 1, "thread", 2, "op", "read");
            break;
        case 2:
            f = json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:[{s:i,s:s,s:i},{s:i,s:s,s:i,s:b,s:i}]}", "kind", "lost-update", "summary",
                          "lost", "variable", "x", "expected", 10, "actual", 9, "lost", 1, "trace", "thread", 1, "op", "read",
                          "value", 1, "thread", 2, "op", "write", "value", 2, "stale", 1, "overwrote", 1);
            break;
        default:
            f = json_pack("{s:s,s:s,s:[{s:i,s:s}],s:[{s:s,s:s,s:i}]}", "kind", "double-lock", "summary", "twice", "locks", "id",
                          a, "name", name, "stack", "function", "h", "file", "nowhere.c", "line", 3);
        }
        cr_assert(f != NULL);
        json_array_append_new(findings, f);
    }
    json_t *r = json_pack("{s:s,s:o,s:[]}", "racelab_version", "0", "findings", findings, "notes");
    char *dot = dot_of(r);
    cr_assert(contains(dot, "lock0 [label=\"lock_0\""), "%.2000s", dot);
    free(dot);
    json_t *s = rl_report_to_sarif(r);
    cr_assert(eq(sz, json_array_size(json_object_get(json_array_get(json_object_get(s, "runs"), 0), "results")), 5000));
    json_decref(s);
    char warn[1024];
    char *html = html_of(r, warn, sizeof warn);
    cr_assert(contains(warn, "more than the"), "%s", warn);
    cr_assert(eq(sz, count(html, "<article class=\"finding"), 5000));
    free(html);
    json_decref(r);
}

/* ---- the CLI ---------------------------------------------------------------------------------- */

static size_t lines(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* One line on stderr beginning "racelab:", the given status, nothing on stdout. */
static void expect_error(const char *const args[], int status, const char *phrase)
{
    rl_run run;
    rl_run_racelab(&run, args);
    rl_expect(&run, eq(int, run.status, status));
    rl_expect(&run, eq(int, strncmp(run.err, "racelab:", 8), 0));
    rl_expect(&run, eq(sz, lines(run.err), 1));
    rl_expect(&run, eq(str, run.out, ""));
    if (phrase)
        rl_expect(&run, contains(run.err, phrase));
    rl_run_free(&run);
}

Test(cli, bad_input_exits_4_with_one_line)
{
    char dir[] = "/tmp/racelab-render-XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    char path[600];
    struct { const char *contents, *phrase; } cases[] = {
        { "{\"racelab_version\": \"0.1.0\", \"findings\": [", "not valid JSON" },
        { "", "not valid JSON" },
        { "\x89PNG\r\n\x1a\n\x00\x00", "not valid JSON" },
        { "{}", "not a racelab report" },
        { "[1, 2]", "not a racelab report" },
        { "{\"racelab_version\": \"1\", \"findings\": {}}", "not a racelab report" },
        { "{\"racelab_version\": \"1\", \"findings\": [3]}", "findings[0]" },
        { "{\"racelab_version\": \"1\", \"findings\": [], \"notes\": 5}", "notes" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(path, sizeof path, "%s/in%zu.json", dir, i);
        write_all(path, cases[i].contents);
        expect_error((const char *const[]){ "report", path, NULL }, 4, cases[i].phrase);
        expect_error((const char *const[]){ "report", path, "--format", "html", NULL }, 4, cases[i].phrase);
        unlink(path);
    }
    expect_error((const char *const[]){ "report", "/nonexistent/report.json", NULL }, 4, "No such file");
    expect_error((const char *const[]){ "report", dir, NULL }, 4, "directory");
    rmdir(dir);
}

Test(cli, usage_errors_exit_2)
{
    const char *fx = FIXTURES "lock_order_apart.json";
    expect_error((const char *const[]){ "report", NULL }, 2, NULL);
    expect_error((const char *const[]){ "report", fx, "--format", "pdf", NULL }, 2, "unknown format");
    expect_error((const char *const[]){ "report", fx, "--format", NULL }, 2, "needs a value");
    expect_error((const char *const[]){ "report", fx, "-o", NULL }, 2, "needs a value");
    expect_error((const char *const[]){ "report", fx, "--colour", NULL }, 2, "unknown option");
    expect_error((const char *const[]){ "report", fx, fx, NULL }, 2, "one report at a time");
}

Test(cli, unwritable_output_exits_3_and_leaves_nothing)
{
    expect_error((const char *const[]){ "report", FIXTURES "lock_order_apart.json", "--format", "sarif", "-o",
                                        "/nonexistent-racelab-dir/out.sarif", NULL },
                 3, "cannot write");
}

Test(cli, text_to_stdout_is_the_plain_report)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){ "report", FIXTURES "unsafe_counter_pct2.json", NULL });
    rl_expect(&run, eq(int, run.status, 0));
    json_t *r = load_fixture("unsafe_counter_pct2");
    char *text = text_of(r);
    rl_expect(&run, eq(str, run.out, text));
    rl_expect(&run, lacks(run.out, "\033["));
    free(text);
    json_decref(r);
    rl_run_free(&run);
}

Test(cli, every_format_to_a_file)
{
    char dir[] = "/tmp/racelab-render-XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    const char *formats[] = { "text", "html", "dot", "sarif" };
    json_t *r = load_fixture("lock_order_apart");
    for (size_t i = 0; i < 4; i++) {
        char out[600], tmp[640];
        snprintf(out, sizeof out, "%s/out.%s", dir, formats[i]);
        snprintf(tmp, sizeof tmp, "%s.tmp", out);
        rl_run run;
        rl_run_racelab(&run, (const char *const[]){ "report", FIXTURES "lock_order_apart.json", "--format", formats[i], "-o",
                                                   out, NULL });
        rl_expect(&run, eq(int, run.status, 0));
        rl_expect(&run, eq(str, run.out, ""));
        char *written = read_all(out);
        rl_expect(&run, written != NULL);
        rl_expect(&run, eq(int, access(tmp, F_OK), -1));
        char *expected = i == 0 ? text_of(r) : i == 2 ? dot_of(r) : i == 3 ? sarif_of(r) : NULL;
        if (expected)
            rl_expect(&run, eq(str, written, expected));
        else
            rl_expect(&run, contains(written, "<!DOCTYPE html>") && contains(written, "lock_a"));
        free(expected);
        free(written);
        unlink(out);
        rl_run_free(&run);
    }
    rmdir(dir);
    json_decref(r);
}

Test(cli, report_from_stdin)
{
    rl_run run;
    rl_run_command(&run, (const char *const[]){ "/bin/sh", "-c", "exec \"$0\" report - --format dot < \"$1\"", RACELAB_BIN,
                                               FIXTURES "three_cycle.json", NULL },
                   NULL);
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "lock2 -> lock0"));
    rl_run_free(&run);
}

/* Colours only on a terminal, and never with NO_COLOR set (script(1) gives the command a terminal). */
Test(cli, colours_on_a_terminal_unless_NO_COLOR)
{
    if (access("/usr/bin/script", X_OK) != 0)
        cr_skip_test("script(1) is not installed");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "env -u NO_COLOR %s report %s", RACELAB_BIN, FIXTURES "lock_order_apart.json");
    rl_run run;
    rl_run_command(&run, (const char *const[]){ "/usr/bin/script", "-qec", cmd, "/dev/null", NULL }, NULL);
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "\033[1;31m==") && contains(run.out, "\033[1mSUMMARY:"));
    rl_run_free(&run);
    snprintf(cmd, sizeof cmd, "%s report %s", RACELAB_BIN, FIXTURES "lock_order_apart.json");
    rl_run_command(&run, (const char *const[]){ "/usr/bin/script", "-qec", cmd, "/dev/null", NULL },
                   (const char *const[]){ "NO_COLOR=1", NULL });
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "SUMMARY:") && lacks(run.out, "\033["));
    rl_run_free(&run);
}

/* `racelab report --format text` of a report whose strings hold ESC sequences and newlines: the
 * escapes are shown, never sent (the reporter's repro: "\u001b[31m" and "\n" in every string). */
Test(cli, text_of_a_crafted_report_sends_no_control_characters)
{
    char dir[] = "/tmp/racelab-render-XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/crafted.json", dir);
    write_all(path, "{\"racelab_version\": \"0.1.0\", \"program\": \"\\u001b[31m./prog\\nX\", \"instrumented\": true, "
                    "\"findings\": [{\"kind\": \"double-lock\", \"pid\": 1, \"summary\": \"\\u001b[31mred\\nnext\", "
                    "\"locks\": [{\"id\": 0, \"name\": \"\\u001b[2Jm\"}], \"stack\": []}], \"notes\": []}");
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){ "report", path, "--format", "text", NULL });
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, eq(str, run.err, ""));
    rl_expect(&run, only_printable(run.out));
    rl_expect(&run, contains(run.out, "==1== racelab: double-lock #1: \\x1b[31mred\\nnext\n"));
    rl_expect(&run, contains(run.out, "SUMMARY: racelab: 1 finding (1 double-lock) in \\x1b[31m./prog\\nX ("));
    rl_run_free(&run);
    unlink(path);
    rmdir(dir);
}

Test(cli, run_writes_html_after_the_json)
{
    char dir[] = "/tmp/racelab-render-XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    char html[600], json[600], tmp[640];
    snprintf(html, sizeof html, "%s/r.html", dir);
    snprintf(json, sizeof json, "%s/r.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", html);
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){ "run", "--quiet", "--json", json, "--html", html, "--",
                                               RACELAB_LAB_DIR "/lock_order_deadlock", "--mode", "apart", NULL });
    rl_expect(&run, eq(int, run.status, 66));
    char *page = read_all(html);
    rl_expect(&run, page != NULL);
    rl_expect(&run, contains(page, "potential-deadlock") && contains(page, "lock_a") && contains(page, "lock_b"));
    rl_expect(&run, eq(int, access(tmp, F_OK), -1));
    free(page);
    unlink(html);
    unlink(json);
    rl_run_free(&run);
    /* an HTML file that cannot be created: status 3 before the program runs, so no JSON either
     * (an HTML write that fails later, after the run, still leaves the JSON: it is written first) */
    rl_run_racelab(&run, (const char *const[]){ "run", "--quiet", "--json", json, "--html", "/nonexistent-racelab-dir/r.html",
                                               "--", RACELAB_LAB_DIR "/lock_order_deadlock", "--mode", "apart", NULL });
    rl_expect(&run, eq(int, run.status, 3));
    rl_expect(&run, contains(run.err, "cannot write the HTML report"));
    rl_expect(&run, eq(int, access(json, F_OK), -1));
    rmdir(dir);
    rl_run_free(&run);
}

Test(cli, help_mentions_report_and_html)
{
    rl_run run;
    rl_run_racelab(&run, (const char *const[]){ "--help", NULL });
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "racelab report REPORT.json"));
    rl_expect(&run, contains(run.out, "--html"));
    rl_run_free(&run);
    rl_run_racelab(&run, (const char *const[]){ "report", "--help", NULL });
    rl_expect(&run, eq(int, run.status, 0));
    rl_expect(&run, contains(run.out, "sarif"));
    rl_run_free(&run);
}
