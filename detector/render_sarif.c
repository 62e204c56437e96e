/* render_sarif.c: the report as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), for
 * code-review tools and CI annotations (`racelab report --format sarif`). Formats the report only.
 *
 * Mapping (also in docs/report-formats.md):
 *   report                -> one run; tool.driver {name "racelab", version, rules}; run.properties
 *                            keep the program, its exit and the schedule (seed, rerun command)
 *   finding kind          -> rule {id = kind, shortDescription, defaultConfiguration.level}
 *   finding               -> result {ruleId, ruleIndex, level, message.text = summary}
 *   first located frame   -> result.locations[0] (artifactLocation.uri + region.startLine)
 *   other stacks          -> relatedLocations (their first located frame each) and, for cycles,
 *                            deadlocks and races, codeFlows[0].threadFlows: one per thread
 *   lost-update           -> the stale store's stack; a report without one (older, or the totals only)
 *                            gets a logical location naming the variable
 * A frame is "located" when it has a file and a line >= 1. Relative paths (relative to the directory
 * racelab ran in) keep uriBaseId "SRCROOT"; absolute ones become file:// URIs. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *str_(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* snprintf that never leaves half a UTF-8 character at the end when it truncates (jansson rejects
 * invalid UTF-8, and the report's strings are valid UTF-8). */
static void fmt(char *buf, size_t n, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t n, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int len = vsnprintf(buf, n, format, ap);
    va_end(ap);
    if (len < 0) {
        buf[0] = 0;
        return;
    }
    if ((size_t)len < n)
        return;
    size_t end = strlen(buf), lead = end;
    while (lead > 0 && ((unsigned char)buf[lead - 1] & 0xC0) == 0x80 && end - lead < 3)
        lead--;
    if (lead == 0)
        return;
    unsigned char c = (unsigned char)buf[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (end - (lead - 1) < need)
        buf[lead - 1] = 0;
}

static const struct rule_text {
    const char *kind, *level, *text;
} rule_texts[] = {
    { "potential-deadlock", "error", "Lock-order cycle that can deadlock: threads take the same locks in opposite orders." },
    { "deadlock", "error", "Deadlock: threads waited for each other for ever; racelab ended the program." },
    { "data-race", "error", "Data race: two unordered accesses to one shared variable, at least one a write." },
    { "lost-update", "error", "Lost update: a read-modify-write overwrote other threads' updates." },
    { "use-after-free", "error", "Use of heap memory after it was freed (ThreadSanitizer)." },
    { "double-lock", "warning", "A thread locks a non-recursive lock it already holds." },
    { "unlock-unlocked", "warning", "Unlocking a lock that nobody holds." },
    { "unlock-foreign", "warning", "Unlocking a lock that another thread holds." },
    { "destroy-locked", "warning", "Destroying a lock that is held." },
    { "held-at-exit", "warning", "A thread ended while holding a lock." },
    { "uninitialized-lock", "warning", "A spinlock used without pthread_spin_init." },
    { "cond-misuse", "warning", "Condition variable misuse: waiting without the mutex, or with two different mutexes." },
    { "thread-leak", "warning", "A thread was neither joined nor detached (ThreadSanitizer)." },
    { "signal-unsafe", "warning", "An async-signal-unsafe function called in a signal handler (ThreadSanitizer)." },
};

static const struct rule_text *rule_for(const char *kind)
{
    for (size_t i = 0; i < sizeof rule_texts / sizeof *rule_texts; i++)
        if (strcmp(rule_texts[i].kind, kind) == 0)
            return &rule_texts[i];
    return NULL;
}

static const char *level_for(const char *kind)
{
    const struct rule_text *r = rule_for(kind);
    return r ? r->level : "warning";
}

/* "potential-deadlock" -> "PotentialDeadlock" (SARIF's rule.name is an identifier-like name). */
static void pascal_name(const char *kind, char *buf, size_t n)
{
    size_t at = 0;
    bool upper = true;
    for (; *kind && at + 1 < n; kind++) {
        if (*kind == '-' || *kind == '_' || *kind == ' ') {
            upper = true;
            continue;
        }
        bool alnum = (*kind >= 'a' && *kind <= 'z') || (*kind >= 'A' && *kind <= 'Z') || (*kind >= '0' && *kind <= '9');
        if (!alnum)
            continue; /* an identifier: ASCII letters and digits only */
        buf[at++] = upper && *kind >= 'a' && *kind <= 'z' ? (char)(*kind - 'a' + 'A') : *kind;
        upper = false;
    }
    buf[at] = 0;
}

static json_t *make_rule(const char *kind)
{
    const struct rule_text *r = rule_for(kind);
    char name[128], text[256];
    pascal_name(kind, name, sizeof name);
    if (r)
        fmt(text, sizeof text, "%s", r->text);
    else if (strncmp(kind, "tsan-", 5) == 0)
        fmt(text, sizeof text, "ThreadSanitizer: %s.", kind + 5);
    else
        fmt(text, sizeof text, "racelab finding of kind %s.", kind);
    return json_pack("{s:s,s:s,s:{s:s},s:{s:s}}", "id", kind, "name", name, "shortDescription", "text", text,
                     "defaultConfiguration", "level", level_for(kind));
}

/* A path as a URI reference: unreserved characters and '/' kept, every other byte %-encoded. */
static json_t *artifact_location(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(path);
    char *uri = malloc(3 * len + 8);
    if (!uri)
        return NULL;
    size_t at = 0;
    bool absolute = path[0] == '/';
    if (absolute) {
        memcpy(uri, "file://", 7);
        at = 7;
    }
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-._~/", *c)) {
            uri[at++] = (char)*c;
        } else {
            uri[at++] = '%';
            uri[at++] = hex[*c >> 4];
            uri[at++] = hex[*c & 15];
        }
    }
    uri[at] = 0;
    json_t *loc = absolute ? json_pack("{s:s}", "uri", uri) : json_pack("{s:s,s:s}", "uri", uri, "uriBaseId", "SRCROOT");
    free(uri);
    return loc;
}

/* The first frame with a file and a line >= 1, or NULL. */
static json_t *located_frame(json_t *stack)
{
    size_t i;
    json_t *f;
    json_array_foreach(stack, i, f)
        if (str_(f, "file")[0] && json_integer_value(json_object_get(f, "line")) >= 1)
            return f;
    return NULL;
}

/* A SARIF location for the stack's first located frame, with `message` (may be NULL); NULL when the
 * stack has no located frame. */
static json_t *stack_location(json_t *stack, const char *message)
{
    json_t *fr = located_frame(stack);
    if (!fr)
        return NULL;
    json_t *loc = json_pack("{s:{s:o,s:{s:I}}}", "physicalLocation", "artifactLocation",
                            artifact_location(str_(fr, "file")), "region", "startLine",
                            json_integer_value(json_object_get(fr, "line")));
    if (!loc)
        return NULL;
    if (str_(fr, "function")[0])
        json_object_set_new(loc, "logicalLocations",
                            json_pack("[{s:s,s:s}]", "name", str_(fr, "function"), "kind", "function"));
    if (message)
        json_object_set_new(loc, "message", json_pack("{s:s}", "text", message));
    return loc;
}

static const char *lock_name(json_t *finding, json_t *id)
{
    size_t i;
    json_t *l;
    if (!json_is_integer(id))
        return "?";
    json_array_foreach(json_object_get(finding, "locks"), i, l)
        if (json_integer_value(json_object_get(l, "id")) == json_integer_value(id) && json_string_value(json_object_get(l, "name")))
            return str_(l, "name");
    return "?";
}

static void thread_name(json_t *finding, json_t *tid, char *buf, size_t n)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(finding, "threads"), i, t)
        if (json_integer_value(json_object_get(t, "id")) == json_integer_value(tid) && json_string_value(json_object_get(t, "name"))) {
            fmt(buf, n, "%s", str_(t, "name"));
            return;
        }
    if (json_integer_value(tid) < 0)
        fmt(buf, n, "another thread");
    else
        fmt(buf, n, "T%lld", (long long)json_integer_value(tid));
}

/* What a result is being built from: its locations in order, the first becoming the primary. */
typedef struct result_parts {
    json_t *result;
    json_t *related;      /* relatedLocations */
    json_t *flows;        /* threadFlows */
    bool have_primary;
} result_parts;

/* Adds the stack's location: as the primary location if there is none yet, else as a related one. */
static void add_location(result_parts *rp, json_t *stack, const char *message)
{
    json_t *loc = stack_location(stack, message);
    if (!loc)
        return;
    if (!rp->have_primary) {
        json_object_set_new(rp->result, "locations", json_pack("[o]", loc));
        rp->have_primary = true;
    } else {
        json_object_set_new(loc, "id", json_integer((json_int_t)json_array_size(rp->related)));
        json_array_append_new(rp->related, loc);
    }
}

/* A thread flow: (stack, message) pairs, the located ones become its steps. */
static void add_flow(result_parts *rp, const char *thread, json_t *const *stacks, const char *const *messages, size_t n)
{
    json_t *steps = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *loc = stack_location(stacks[i], messages[i]);
        if (loc)
            json_array_append_new(steps, json_pack("{s:o}", "location", loc));
    }
    if (json_array_size(steps))
        json_array_append_new(rp->flows, json_pack("{s:{s:s},s:o}", "message", "text", thread, "locations", steps));
    else
        json_decref(steps);
}

static void potential_deadlock(result_parts *rp, json_t *f)
{
    size_t i;
    json_t *e;
    char thread[64], take[512], hold[512];
    json_array_foreach(json_object_get(f, "edges"), i, e) {
        const char *from = lock_name(f, json_object_get(e, "from")), *to = lock_name(f, json_object_get(e, "to"));
        thread_name(f, json_object_get(e, "thread"), thread, sizeof thread);
        fmt(take, sizeof take, "%s takes %s while holding %s", thread, to, from);
        fmt(hold, sizeof hold, "%s takes %s", thread, from);
        add_location(rp, json_object_get(e, "to_stack"), take);
        add_location(rp, json_object_get(e, "from_stack"), hold);
        json_t *stacks[2] = { json_object_get(e, "from_stack"), json_object_get(e, "to_stack") };
        const char *messages[2] = { hold, take };
        add_flow(rp, thread, stacks, messages, 2);
    }
}

static void deadlock(result_parts *rp, json_t *f)
{
    size_t i, k;
    json_t *w, *h;
    char thread[64], wait[512], held[64][512];
    json_t *stacks[65];
    const char *messages[65];
    json_array_foreach(json_object_get(f, "waits"), i, w) {
        thread_name(f, json_object_get(w, "thread"), thread, sizeof thread);
        json_t *target = json_object_get(w, "waits_for") ? json_object_get(w, "waits_for") : json_object_get(w, "object");
        if (target)
            fmt(wait, sizeof wait, "%s waits in %s for %s", thread, str_(w, "op"), lock_name(f, target));
        else if (json_object_get(w, "joins"))
            fmt(wait, sizeof wait, "%s waits in %s for T%lld to finish", thread, str_(w, "op"),
                     (long long)json_integer_value(json_object_get(w, "joins")));
        else
            fmt(wait, sizeof wait, "%s waits in %s", thread, str_(w, "op"));
        add_location(rp, json_object_get(w, "stack"), wait);
        size_t n = 0;
        json_array_foreach(json_object_get(w, "holds"), k, h) {
            if (n == 64)
                break;
            fmt(held[n], sizeof held[n], "%s holds %s (%s), taken here", thread, lock_name(f, json_object_get(h, "lock")),
                     str_(h, "mode"));
            add_location(rp, json_object_get(h, "stack"), held[n]);
            stacks[n] = json_object_get(h, "stack");
            messages[n] = held[n];
            n++;
        }
        stacks[n] = json_object_get(w, "stack");
        messages[n] = wait;
        add_flow(rp, thread, stacks, messages, n + 1);
    }
}

static void data_race(result_parts *rp, json_t *f)
{
    size_t i;
    json_t *a;
    char thread[64], what[512];
    json_array_foreach(json_object_get(f, "accesses"), i, a) {
        thread_name(f, json_object_get(a, "thread"), thread, sizeof thread);
        fmt(what, sizeof what, "%s by %s%s%s", str_(a, "op")[0] ? str_(a, "op") : "access", thread,
                 str_(f, "variable")[0] ? " of " : "", str_(f, "variable"));
        json_t *stack = json_object_get(a, "stack");
        add_location(rp, stack, what);
        const char *messages[1] = { what };
        add_flow(rp, thread, &stack, messages, 1);
    }
}

static json_t *make_result(json_t *f, size_t rule_index)
{
    const char *kind = str_(f, "kind")[0] ? str_(f, "kind") : "unknown";
    const char *summary = str_(f, "summary")[0] ? str_(f, "summary") : kind;
    result_parts rp = {
        .result = json_pack("{s:s,s:I,s:s,s:{s:s}}", "ruleId", kind, "ruleIndex", (json_int_t)rule_index, "level",
                            level_for(kind), "message", "text", summary),
        .related = json_array(),
        .flows = json_array(),
    };
    if (!rp.result || !rp.related || !rp.flows) {
        json_decref(rp.result), json_decref(rp.related), json_decref(rp.flows);
        return NULL;
    }
    if (strcmp(kind, "potential-deadlock") == 0)
        potential_deadlock(&rp, f);
    else if (strcmp(kind, "deadlock") == 0)
        deadlock(&rp, f);
    else if (json_object_get(f, "accesses"))
        data_race(&rp, f);
    if (json_object_get(f, "stack")) { /* misuse: where it happened, then where its locks were made */
        add_location(&rp, json_object_get(f, "stack"), str_(f, "detail")[0] ? str_(f, "detail") : NULL);
        json_t *first = json_array_get(json_object_get(f, "trace"), 0); /* lost update: its stale read */
        if (json_object_get(first, "at")) {
            json_t *read_at = json_pack("[O]", json_object_get(first, "at"));
            add_location(&rp, read_at, "the read the stale store's value was computed from");
            json_decref(read_at);
        }
        size_t i;
        json_t *l;
        char created[512];
        json_array_foreach(json_object_get(f, "locks"), i, l) {
            fmt(created, sizeof created, "%s was created here", str_(l, "name"));
            add_location(&rp, json_object_get(l, "init"), created);
        }
    }
    if (!rp.have_primary && str_(f, "variable")[0]) /* a lost update without its stale store's stack */
        json_object_set_new(rp.result, "locations",
                            json_pack("[{s:[{s:s,s:s}]}]", "logicalLocations", "name", str_(f, "variable"), "kind", "variable"));
    if (json_array_size(rp.related))
        json_object_set(rp.result, "relatedLocations", rp.related);
    if (json_array_size(rp.flows))
        json_object_set_new(rp.result, "codeFlows", json_pack("[{s:O}]", "threadFlows", rp.flows));
    json_decref(rp.related);
    json_decref(rp.flows);

    json_t *props = json_object();
    if (json_is_integer(json_object_get(f, "pid")))
        json_object_set(props, "pid", json_object_get(f, "pid"));
    const char *copied[] = { "source", "method", "variable", "race", "cause", "detail" };
    for (size_t k = 0; k < sizeof copied / sizeof *copied; k++)
        if (json_is_string(json_object_get(f, copied[k])))
            json_object_set(props, copied[k], json_object_get(f, copied[k]));
    const char *numbers[] = { "expected", "actual", "lost" };
    for (size_t k = 0; k < sizeof numbers / sizeof *numbers; k++)
        if (json_is_integer(json_object_get(f, numbers[k])))
            json_object_set(props, numbers[k], json_object_get(f, numbers[k]));
    if (json_object_size(props))
        json_object_set_new(rp.result, "properties", props);
    else
        json_decref(props);
    return rp.result;
}

json_t *rl_report_to_sarif(const json_t *report_c)
{
    json_t *report = (json_t *)report_c; /* jansson's getters take non-const */
    json_t *rules = json_array(), *results = json_array();
    size_t i;
    json_t *f;
    if (!rules || !results)
        goto error;
    json_array_foreach(json_object_get(report, "findings"), i, f) {
        const char *kind = str_(f, "kind")[0] ? str_(f, "kind") : "unknown";
        size_t r = 0;
        while (r < json_array_size(rules) && strcmp(str_(json_array_get(rules, r), "id"), kind) != 0)
            r++;
        if (r == json_array_size(rules) && json_array_append_new(rules, make_rule(kind)) != 0)
            goto error;
        json_t *result = make_result(f, r);
        if (!result || json_array_append_new(results, result) != 0)
            goto error;
    }
    json_t *driver = json_pack("{s:s,s:s,s:o}", "name", "racelab", "version",
                               str_(report, "racelab_version")[0] ? str_(report, "racelab_version") : "unknown",
                               "rules", rules);
    rules = NULL; /* owned by driver now (or freed by json_pack on failure) */
    json_t *run = json_pack("{s:{s:o},s:o}", "tool", "driver", driver, "results", results);
    results = NULL;
    if (!run)
        return NULL;
    json_t *props = json_object();
    const char *copied[] = { "program", "args", "exit", "instrumented", "schedule", "tsan" };
    for (size_t k = 0; k < sizeof copied / sizeof *copied; k++)
        if (json_object_get(report, copied[k]))
            json_object_set(props, copied[k], json_object_get(report, copied[k]));
    if (json_object_size(props))
        json_object_set_new(run, "properties", props);
    else
        json_decref(props);
    return json_pack("{s:s,s:s,s:[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs", run);
error:
    json_decref(rules);
    json_decref(results);
    return NULL;
}
