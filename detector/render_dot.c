/* render_dot.c: the report's lock-order graph in Graphviz's DOT language (`racelab report --format
 * dot`, and the input of the HTML page's picture). Formats the report only: every edge drawn is in the
 * report, either as a finding's witness edge, a deadlock's hold-and-wait, or a suppressed cycle's
 * consecutive locks.
 *
 *   node   one per lock: a finding's lock by its id (ids are unique within a report), a lock that only
 *          a suppressed-cycle note names by (process, name); label = the lock's name
 *   edge   red, labelled "<thread> <file>:<line>" (where the thread took the second lock), for every
 *          edge of a reported cycle and every hold-and-wait of a real deadlock; dashed grey, labelled
 *          with the reason, for a suppressed cycle
 *
 * Output is deterministic (report order, no addresses or times beyond what the report holds), so it
 * can be compared with golden files. */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "render.h"

enum edge_style { EDGE_CYCLE, EDGE_DEADLOCK, EDGE_SUPPRESSED };

typedef struct dot_node {
    bool has_id;        /* keyed by the report's lock id, else by (pid, name) */
    json_int_t id;      /* lock id when has_id */
    json_int_t pid;     /* process the lock belongs to (0: unknown) */
    const char *name;   /* label; borrowed from the report */
    const char *detail; /* tooltip extra, e.g. "mutex (errorcheck)"; NULL for none */
} dot_node;

typedef struct dot_edge {
    size_t from, to;       /* indexes into nodes */
    json_int_t thread;     /* -1: none (suppressed cycles) */
    json_int_t pid;
    enum edge_style style;
    char label[160];
    char tooltip[512];
} dot_edge;

typedef struct dot_graph {
    dot_node *nodes; size_t n_nodes, cap_nodes;
    dot_edge *edges; size_t n_edges, cap_edges;
    bool nomem;            /* an allocation failed: the graph is incomplete */
} dot_graph;

static const char *str_(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* Drops a UTF-8 character that snprintf cut short at the end of s (Graphviz warns about those). */
static void trim_utf8_tail(char *s)
{
    size_t end = strlen(s), lead = end;
    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80 && end - lead < 3)
        lead--;
    if (lead == 0)
        return;
    unsigned char c = (unsigned char)s[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (end - (lead - 1) < need)
        s[lead - 1] = 0;
}

/* Finds or adds the node of lock `id` (has_id) or of (pid, name). Returns its index, or SIZE_MAX when
 * out of memory. */
static size_t node_at(dot_graph *g, bool has_id, json_int_t id, json_int_t pid, const char *name, const char *detail)
{
    for (size_t i = 0; i < g->n_nodes; i++) {
        dot_node *n = &g->nodes[i];
        if (has_id ? (n->has_id && n->id == id) : (n->pid == pid && n->name && strcmp(n->name, name) == 0))
            return i;
    }
    if (g->n_nodes == g->cap_nodes) {
        size_t cap = g->cap_nodes ? 2 * g->cap_nodes : 16;
        dot_node *grown = realloc(g->nodes, cap * sizeof *grown);
        if (!grown) {
            g->nomem = true;
            return SIZE_MAX;
        }
        g->nodes = grown;
        g->cap_nodes = cap;
    }
    g->nodes[g->n_nodes] = (dot_node){ .has_id = has_id, .id = id, .pid = pid, .name = name, .detail = detail };
    return g->n_nodes++;
}

/* A suppressed cycle names locks only: the node of a finding's lock of that name in that process when
 * there is one, else a node of its own. */
static size_t node_by_name(dot_graph *g, json_int_t pid, const char *name)
{
    for (size_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].pid == pid && g->nodes[i].name && strcmp(g->nodes[i].name, name) == 0)
            return i;
    return node_at(g, false, 0, pid, name, NULL);
}

static void add_edge(dot_graph *g, const dot_edge *e)
{
    if (e->from == SIZE_MAX || e->to == SIZE_MAX)
        return;
    for (size_t i = 0; i < g->n_edges; i++) {
        const dot_edge *o = &g->edges[i];
        if (o->from == e->from && o->to == e->to && o->thread == e->thread && o->pid == e->pid &&
            (o->style == EDGE_SUPPRESSED) == (e->style == EDGE_SUPPRESSED) &&
            (e->style != EDGE_SUPPRESSED || strcmp(o->label, e->label) == 0))
            return; /* the same edge from another finding (a deadlock and its potential-deadlock) */
    }
    if (g->n_edges == g->cap_edges) {
        size_t cap = g->cap_edges ? 2 * g->cap_edges : 16;
        dot_edge *grown = realloc(g->edges, cap * sizeof *grown);
        if (!grown) {
            g->nomem = true;
            return;
        }
        g->edges = grown;
        g->cap_edges = cap;
    }
    g->edges[g->n_edges++] = *e;
}

/* The finding's lock entry with that id, or NULL. */
static json_t *finding_lock(json_t *finding, json_int_t id)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(finding, "locks"), i, l)
        if (json_is_integer(json_object_get(l, "id")) && json_integer_value(json_object_get(l, "id")) == id)
            return l;
    return NULL;
}

/* Node of the finding's lock `id`; a lock the finding does not describe still gets a node ("lock N"). */
static size_t finding_node(dot_graph *g, json_t *finding, json_t *id_value)
{
    if (!json_is_integer(id_value))
        return SIZE_MAX;
    json_int_t id = json_integer_value(id_value);
    json_t *l = finding_lock(finding, id);
    json_int_t pid = json_integer_value(json_object_get(finding, "pid"));
    if (l && json_string_value(json_object_get(l, "name")))
        return node_at(g, true, id, pid, str_(l, "name"), json_string_value(json_object_get(l, "kind")));
    return node_at(g, true, id, pid, NULL, NULL);
}

static void thread_name(json_t *finding, json_int_t tid, char *buf, size_t n)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(finding, "threads"), i, t)
        if (json_integer_value(json_object_get(t, "id")) == tid && json_string_value(json_object_get(t, "name"))) {
            snprintf(buf, n, "%s", str_(t, "name"));
            trim_utf8_tail(buf);
            return;
        }
    snprintf(buf, n, "T%lld", (long long)tid);
}

/* The first frame of a stack with a file and a line, or NULL. */
static json_t *located_frame(json_t *stack)
{
    size_t i;
    json_t *f;
    json_array_foreach(stack, i, f)
        if (str_(f, "file")[0] && json_integer_value(json_object_get(f, "line")) > 0)
            return f;
    return NULL;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "T1 main.c:67" for the label, "T1 takes lock_b while holding lock_a at transfer
 * (labs/x/main.c:67)" for the tooltip. */
static void describe_edge(dot_graph *g, dot_edge *e, const char *thread, const char *verb, json_t *stack)
{
    json_t *fr = located_frame(stack);
    const char *from = g->nodes[e->from].name ? g->nodes[e->from].name : "?";
    const char *to = g->nodes[e->to].name ? g->nodes[e->to].name : "?";
    if (fr) {
        snprintf(e->label, sizeof e->label, "%s %s:%lld", thread, base_name(str_(fr, "file")),
                 (long long)json_integer_value(json_object_get(fr, "line")));
        snprintf(e->tooltip, sizeof e->tooltip, "%s %s %s while holding %s at %s (%s:%lld)", thread, verb, to, from,
                 str_(fr, "function")[0] ? str_(fr, "function") : "?", str_(fr, "file"),
                 (long long)json_integer_value(json_object_get(fr, "line")));
    } else {
        snprintf(e->label, sizeof e->label, "%s", thread);
        snprintf(e->tooltip, sizeof e->tooltip, "%s %s %s while holding %s", thread, verb, to, from);
    }
    trim_utf8_tail(e->label);
    trim_utf8_tail(e->tooltip);
}

static void add_finding(dot_graph *g, json_t *f)
{
    json_int_t pid = json_integer_value(json_object_get(f, "pid"));
    size_t i, k;
    json_t *e, *w, *h;
    char thread[64];
    /* the locks of a cycle or deadlock, in the finding's order (so isolated ones still show) */
    if (json_array_size(json_object_get(f, "edges")) || json_array_size(json_object_get(f, "waits"))) {
        json_array_foreach(json_object_get(f, "locks"), i, e)
            finding_node(g, f, json_object_get(e, "id"));
    }
    json_array_foreach(json_object_get(f, "edges"), i, e) {
        dot_edge de = { .thread = json_integer_value(json_object_get(e, "thread")), .pid = pid, .style = EDGE_CYCLE };
        de.from = finding_node(g, f, json_object_get(e, "from"));
        de.to = finding_node(g, f, json_object_get(e, "to"));
        if (de.from == SIZE_MAX || de.to == SIZE_MAX)
            continue;
        thread_name(f, de.thread, thread, sizeof thread);
        describe_edge(g, &de, thread, json_is_true(json_object_get(e, "trylock")) ? "trylocks" : "takes",
                      json_object_get(e, "to_stack"));
        add_edge(g, &de);
    }
    json_array_foreach(json_object_get(f, "waits"), i, w) {
        json_t *target = json_object_get(w, "waits_for");
        if (!json_is_integer(target))
            continue;
        json_array_foreach(json_object_get(w, "holds"), k, h) {
            dot_edge de = { .thread = json_integer_value(json_object_get(w, "thread")), .pid = pid, .style = EDGE_DEADLOCK };
            de.from = finding_node(g, f, json_object_get(h, "lock"));
            de.to = finding_node(g, f, target);
            if (de.from == SIZE_MAX || de.to == SIZE_MAX)
                continue;
            thread_name(f, de.thread, thread, sizeof thread);
            describe_edge(g, &de, thread, "waits for", json_object_get(w, "stack"));
            add_edge(g, &de);
        }
    }
}

static void add_suppressed(dot_graph *g, json_t *note)
{
    json_t *locks = json_object_get(note, "locks");
    size_t n = json_array_size(locks);
    json_int_t pid = json_integer_value(json_object_get(note, "pid"));
    for (size_t i = 0; i < n; i++) {
        const char *a = json_string_value(json_array_get(locks, i));
        const char *b = json_string_value(json_array_get(locks, (i + 1) % n));
        if (!a || !b)
            continue;
        dot_edge de = { .thread = -1, .pid = pid, .style = EDGE_SUPPRESSED };
        de.from = node_by_name(g, pid, a);
        de.to = node_by_name(g, pid, b);
        const char *reason = str_(note, "reason")[0] ? str_(note, "reason") : "suppressed";
        if (str_(note, "gate")[0])
            snprintf(de.label, sizeof de.label, "%s: %s", reason, str_(note, "gate"));
        else
            snprintf(de.label, sizeof de.label, "%s", reason);
        snprintf(de.tooltip, sizeof de.tooltip, "not a deadlock (%s): %s", reason, str_(note, "summary"));
        trim_utf8_tail(de.label);
        trim_utf8_tail(de.tooltip);
        add_edge(g, &de);
    }
}

/* A DOT double-quoted string's contents: quotes and backslashes escaped (so Graphviz's \N, \l... never
 * apply), line breaks as \n, other control characters as spaces. */
static void put_dot_string(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fputc('\\', out), fputc(c, out);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20 || c == 0x7f)
            fputc(' ', out);
        else
            fputc(c, out);
    }
}

static void put_node_id(FILE *out, const dot_graph *g, size_t i)
{
    if (g->nodes[i].has_id)
        fprintf(out, "lock%lld", (long long)g->nodes[i].id);
    else
        fprintf(out, "named%zu", i);
}

static void put_node(FILE *out, const dot_graph *g, size_t i, const char *indent)
{
    const dot_node *n = &g->nodes[i];
    char fallback[48];
    snprintf(fallback, sizeof fallback, "lock %lld", (long long)n->id);
    fputs(indent, out);
    put_node_id(out, g, i);
    fputs(" [label=\"", out);
    put_dot_string(out, n->name ? n->name : fallback);
    fputs("\", tooltip=\"", out);
    put_dot_string(out, n->name ? n->name : fallback);
    if (n->detail) {
        fputs(" (", out);
        put_dot_string(out, n->detail);
        fputc(')', out);
    }
    fputs("\"];\n", out);
}

int rl_report_render_dot(const json_t *report_c, FILE *out)
{
    json_t *report = (json_t *)report_c; /* jansson's getters take non-const */
    dot_graph g = { 0 };
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(report, "findings"), i, v)
        add_finding(&g, v);
    json_array_foreach(json_object_get(report, "notes"), i, v)
        if (strcmp(str_(v, "kind"), "suppressed-cycle") == 0)
            add_suppressed(&g, v);

    fputs("// racelab lock-order graph: red edges belong to reported cycles (label: the thread, and the\n"
          "// line where it took the second lock); dashed grey ones to cycles ruled out (label: why).\n"
          "digraph racelab {\n"
          "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=\"", out);
    put_dot_string(out, "lock-order graph");
    if (str_(report, "program")[0]) {
        put_dot_string(out, " of ");
        put_dot_string(out, str_(report, "program"));
    }
    if (g.n_nodes == 0)
        put_dot_string(out, " (no lock-order cycle recorded)");
    if (g.nomem)
        put_dot_string(out, " (incomplete: out of memory)");
    fputs("\"];\n"
          "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", color=\"#555555\", fontname=\"Helvetica\"];\n"
          "  edge [fontname=\"Helvetica\", fontsize=10];\n", out);

    /* nodes, one cluster per process when there are several */
    json_int_t pids[64];
    size_t n_pids = 0;
    bool many = false;
    for (i = 0; i < g.n_nodes; i++) {
        size_t k = 0;
        while (k < n_pids && pids[k] != g.nodes[i].pid)
            k++;
        if (k == n_pids && n_pids < sizeof pids / sizeof *pids)
            pids[n_pids++] = g.nodes[i].pid;
    }
    many = n_pids > 1;
    for (size_t p = 0; p < (many ? n_pids : 1); p++) {
        if (many)
            fprintf(out, "  subgraph cluster_process%zu {\n    label=\"process %lld\"; style=dashed; color=\"#999999\";\n", p,
                    (long long)pids[p]);
        for (i = 0; i < g.n_nodes; i++) {
            size_t k = 0;
            while (k < n_pids && pids[k] != g.nodes[i].pid)
                k++;
            /* beyond 64 processes the remaining locks go with the last cluster */
            if (!many || k == p || (k == n_pids && p == n_pids - 1))
                put_node(out, &g, i, many ? "    " : "  ");
        }
        if (many)
            fputs("  }\n", out);
    }
    for (i = 0; i < g.n_edges; i++) {
        const dot_edge *e = &g.edges[i];
        fputs("  ", out);
        put_node_id(out, &g, e->from);
        fputs(" -> ", out);
        put_node_id(out, &g, e->to);
        fputs(" [label=\"", out);
        put_dot_string(out, e->label);
        fputs("\", tooltip=\"", out);
        put_dot_string(out, e->tooltip);
        switch (e->style) {
        case EDGE_CYCLE: fputs("\", color=red, fontcolor=red, penwidth=2, class=cycle];\n", out); break;
        case EDGE_DEADLOCK: fputs("\", color=red, fontcolor=red, penwidth=3, style=bold, class=deadlock];\n", out); break;
        case EDGE_SUPPRESSED: fputs("\", color=grey55, fontcolor=grey40, style=dashed, class=suppressed];\n", out); break;
        }
    }
    fputs("}\n", out);
    free(g.nodes);
    free(g.edges);
    return ferror(out) ? -1 : 0;
}
