/* timeline.c: the thread timeline for the HTML report (`--timeline`, implied by `--html`). Each thread
 * keeps its most recent RT_TIMELINE_EVENTS lock events (request, acquired, release, cond wait/wake) in a
 * ring of its own, with CLOCK_MONOTONIC timestamps; older ones are counted as dropped, and the report
 * says so. The ring is written to the log (Z lines) when the thread ends, at exit, and when a deadlock
 * is reported. Off by default: then each hook is one predictable branch. */
#include <time.h>

#include "rt.h"

#define RT_TIMELINE_EVENTS 4096

typedef struct rt_tl_event {
    uint64_t t_ns;
    uint64_t lock_uid;
    uint8_t op;
} rt_tl_event;

typedef struct rt_timeline {
    rt_tl_event ev[RT_TIMELINE_EVENTS];
    uint64_t count;   /* events ever recorded; the ring holds the last RT_TIMELINE_EVENTS */
    uint64_t flushed; /* events already written */
} rt_tl_ring;

static const char *op_names[] = { "?", "lock", "acquired", "unlock", "wait", "wake" };

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void rt_timeline_record(rt_thread *t, int op, const rt_lock *l)
{
    rt_tl_ring *tl = t->timeline;
    if (!tl) {
        tl = rt_pages_alloc(sizeof *tl);
        if (!tl)
            return;
        t->timeline = tl;
    }
    rt_tl_event *e = &tl->ev[tl->count % RT_TIMELINE_EVENTS];
    e->t_ns = now_ns() - rt.start_ns;
    e->lock_uid = l ? l->uid : 0;
    e->op = (uint8_t)op;
    tl->count++;
}

/* rt.lock held. Writes what the thread recorded since the last flush (and says what was dropped). */
void rt_timeline_flush(rt_thread *t)
{
    rt_tl_ring *tl = t->timeline;
    if (!tl || tl->flushed == tl->count)
        return;
    uint64_t first = tl->flushed;
    if (tl->count - first > RT_TIMELINE_EVENTS) {
        rt_line ln;
        rt_line_start(&ln, "ZD");
        rt_line_u64(&ln, t->tid);
        rt_line_u64(&ln, tl->count - first - RT_TIMELINE_EVENTS);
        rt_line_end(&ln);
        first = tl->count - RT_TIMELINE_EVENTS;
    }
    for (uint64_t i = first; i < tl->count; i++) {
        const rt_tl_event *e = &tl->ev[i % RT_TIMELINE_EVENTS];
        rt_line ln;
        rt_line_start(&ln, "Z");
        rt_line_u64(&ln, t->tid);
        rt_line_u64(&ln, e->t_ns / 1000);
        rt_line_str(&ln, e->op < sizeof op_names / sizeof *op_names ? op_names[e->op] : "?");
        rt_line_hex(&ln, e->lock_uid);
        rt_line_end(&ln);
    }
    tl->flushed = tl->count;
}

/* rt.lock held: every thread's ring, and the moment of the deadlock (or of the end). */
void rt_timeline_flush_all(const char *mark)
{
    if (!rt.timeline)
        return;
    for (rt_thread *t = rt.threads; t; t = t->next)
        rt_timeline_flush(t);
    rt_line ln;
    rt_line_start(&ln, "ZM");
    rt_line_str(&ln, mark);
    rt_line_u64(&ln, (now_ns() - rt.start_ns) / 1000);
    rt_line_end(&ln);
}
