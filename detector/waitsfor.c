/* waitsfor.c: cycle finding in a waits-for graph by iterative depth-first search (no recursion: the
 * runtime's watchdog runs it on graphs of thousands of threads). */
#include "waitsfor.h"

#include <string.h>

size_t rl_waitsfor_find_cycle(const rl_allocator *a, size_t n, const rl_edge_pair *edges, size_t m,
                              uint32_t *out)
{
    if (n == 0 || m == 0)
        return 0;
    /* CSR adjacency */
    uint32_t *start = a->alloc(a->ctx, (n + 1) * sizeof *start);
    uint32_t *adj = a->alloc(a->ctx, m * sizeof *adj);
    uint8_t *color = a->alloc(a->ctx, n);          /* 0 white, 1 on stack, 2 done */
    uint32_t *stack = a->alloc(a->ctx, n * sizeof *stack);
    uint32_t *next = a->alloc(a->ctx, n * sizeof *next); /* next edge to try per node on stack */
    size_t found = 0;
    if (!start || !adj || !color || !stack || !next)
        goto done;
    for (size_t i = 0; i < m; i++)
        if (edges[i].from < n && edges[i].to < n)
            start[edges[i].from + 1]++;
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    {
        uint32_t *fill = next; /* reuse as fill cursor */
        memcpy(fill, start, n * sizeof *fill);
        for (size_t i = 0; i < m; i++)
            if (edges[i].from < n && edges[i].to < n)
                adj[fill[edges[i].from]++] = edges[i].to;
    }
    for (size_t root = 0; root < n && !found; root++) {
        if (color[root])
            continue;
        size_t sp = 0;
        stack[sp++] = (uint32_t)root;
        next[root] = start[root];
        color[root] = 1;
        while (sp && !found) {
            uint32_t v = stack[sp - 1];
            if (next[v] < start[v + 1]) {
                uint32_t w = adj[next[v]++];
                if (color[w] == 1) { /* back edge: the cycle is the stack from w up */
                    size_t k = sp;
                    while (stack[k - 1] != w)
                        k--;
                    for (size_t i = k - 1; i < sp; i++)
                        out[found++] = stack[i];
                } else if (color[w] == 0) {
                    color[w] = 1;
                    next[w] = start[w];
                    stack[sp++] = w;
                }
            } else {
                color[v] = 2;
                sp--;
            }
        }
    }
done:
    a->free(a->ctx, next, n * sizeof *next);
    a->free(a->ctx, stack, n * sizeof *stack);
    a->free(a->ctx, color, n);
    a->free(a->ctx, adj, m * sizeof *adj);
    a->free(a->ctx, start, (n + 1) * sizeof *start);
    return found;
}
