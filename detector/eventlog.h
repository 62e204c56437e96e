/* eventlog.h: the runtime's event logs, read back. One racelab run leaves one log per process
 * (racelab.<pid>.log; an exec'd image appends a new P section to the same file). This module parses
 * them into plain arrays: processes, and, shared by all processes (ids are unique across them: the
 * high 32 bits of every uid name the process image that made it), stacks, locks and gate sets.
 * The line format is documented in docs/eventlog.md.
 *
 * Contract: rl_eventlog_read_dir never fails on malformed lines: it skips them and counts them in
 * `malformed` (the runtime may have been killed mid-write). It fails (returns -1, errno set) only
 * when the directory cannot be read. Threading: none. Memory: libc; rl_eventlog_free releases all.
 */
#ifndef RACELAB_EVENTLOG_H
#define RACELAB_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rl_ev_stack { uint64_t uid; uint64_t *pcs; size_t n; } rl_ev_stack;
typedef struct rl_ev_lock {
    uint64_t uid, addr, init_stack;
    char kind[16], mtype[16];
    int pshared;
    bool first_use; /* no init call was seen: init_stack is where it was first used */
    size_t proc;   /* index of the process image that created it */
} rl_ev_lock;
typedef struct rl_ev_gates { uint64_t uid; uint64_t *locks; size_t n; } rl_ev_gates;
typedef struct rl_ev_module { uint64_t bias; char *path; } rl_ev_module;
typedef struct rl_ev_thread { uint32_t tid; int32_t parent; uint64_t stack; bool ended; } rl_ev_thread;
typedef struct rl_ev_edge {
    uint64_t from, to;            /* lock uids */
    uint32_t tid;
    char hold_mode, want_mode;    /* 'r' or 'w' */
    bool trylock;
    uint64_t from_stack, to_stack, gates;
} rl_ev_edge;
typedef struct rl_ev_misuse {
    char kind[32], detail[64];
    uint32_t tid;
    uint64_t lock, stack, other;
} rl_ev_misuse;
typedef struct rl_ev_wait {       /* one thread of a real deadlock */
    uint32_t tid;
    char op[16];
    uint64_t object;              /* lock uid, 0 if none */
    int64_t join_tid;             /* thread joined, -1 if not a join */
    uint64_t where;               /* stack uid of the blocking call (its call site) */
    uint64_t full;                /* a full stack of that acquisition, when known (0 if not) */
    uint64_t via;                 /* cond-wait: the mutex it must take back, when known (0 if not) */
} rl_ev_wait;
typedef struct rl_ev_hold { uint32_t tid; uint64_t lock; char mode; uint64_t where, first_stack; } rl_ev_hold;
typedef struct rl_ev_name { uint64_t addr; char *name; } rl_ev_name;

typedef struct rl_ev_access {
    uint32_t tid; char op; int64_t value; uint64_t stack;
    uint64_t held[8]; uint32_t n_held;
    uint8_t held_read;            /* bit i: held[i] was held for reading */
} rl_ev_access;
typedef struct rl_ev_race {      /* R: a data race found by happens-before */
    uint64_t var; char kind[16];
    rl_ev_access now, earlier;
} rl_ev_race;
typedef struct rl_ev_lockset { uint64_t var; uint32_t tid; char op; uint64_t stack; } rl_ev_lockset;
typedef struct rl_ev_trace_event {
    int64_t tid; char op[8]; int64_t value; uint64_t version; bool stale; int64_t overwrote;
    uint64_t stack; /* one frame: where the access was made (0: unknown) */
} rl_ev_trace_event;
typedef struct rl_ev_var {
    uint64_t uid; int64_t initial; char *name;
    bool has_totals;             /* U line seen */
    int64_t actual, expected, lost_value, lost_since_assignment;
    uint64_t lost_updates;
    uint64_t accesses, locked_accesses, threads;  /* how it was used */
    uint64_t lost_writes, stale_stores, version, outside_writes;
    bool nomem;
    bool has_trace; uint32_t trace_tid; uint64_t trace_skipped;
    uint64_t trace_stack;        /* the stale store's full stack (0: unknown) */
    rl_ev_trace_event *trace; size_t n_trace;
} rl_ev_var;

typedef struct rl_ev_reaped { int pid; int64_t status; int signal; } rl_ev_reaped; /* W: a child the program waited for */
typedef struct rl_ev_tl { uint32_t tid; uint64_t t_us; char op[12]; uint64_t lock; } rl_ev_tl;

typedef struct rl_ev_proc {
    int pid, ppid;
    uint32_t incarnation;
    uint64_t start_us;
    char *exe;
    rl_ev_module *modules; size_t n_modules;
    rl_ev_thread *threads; size_t n_threads;
    rl_ev_edge *edges; size_t n_edges;
    rl_ev_misuse *misuse; size_t n_misuse;
    char deadlock[16];            /* "cycle", "stall" or "" */
    rl_ev_wait *waits; size_t n_waits;
    rl_ev_hold *holds; size_t n_holds;
    char **notes; size_t n_notes;
    uint64_t **live_cycles; size_t *live_cycle_len; size_t n_live_cycles;
    bool has_stats;
    uint64_t stat_threads, stat_locks, stat_edges, stat_acquisitions, stat_max_live;
    rl_ev_var *vars; size_t n_vars;
    rl_ev_race *races; size_t n_races;
    rl_ev_lockset *lockset; size_t n_lockset;
    rl_ev_tl *timeline; size_t n_timeline;
    uint64_t timeline_dropped;
    char timeline_mark[16]; uint64_t timeline_mark_us; /* "deadlock" or "exit", and when */
    bool has_schedule;
    char schedule[16]; uint64_t seed, event_hash, steps, fallbacks;
    char exit_how[16];            /* "exit", "deadlock" or "" (no exit record: crashed or killed) */
    rl_ev_reaped *reaped; size_t n_reaped; /* children this process waited for, and how they ended */
    int64_t exit_status;
} rl_ev_proc;

typedef struct rl_eventlog {
    rl_ev_proc *procs; size_t n_procs;
    rl_ev_stack *stacks; size_t n_stacks;
    rl_ev_lock *locks; size_t n_locks;
    rl_ev_gates *gates; size_t n_gates;
    rl_ev_name *names; size_t n_names;
    size_t malformed;             /* lines skipped */
    void *index;                  /* private lookup tables */
} rl_eventlog;

int rl_eventlog_read_dir(const char *dir, rl_eventlog *out);
/* Parses one log's text (for tests and fuzzing); may be called several times to add logs. */
void rl_eventlog_parse(rl_eventlog *log, const char *text, size_t len);
void rl_eventlog_free(rl_eventlog *log);

const rl_ev_stack *rl_eventlog_stack(const rl_eventlog *log, uint64_t uid);
const rl_ev_lock *rl_eventlog_lock(const rl_eventlog *log, uint64_t uid);
const rl_ev_gates *rl_eventlog_gates(const rl_eventlog *log, uint64_t uid);
/* The process image a uid belongs to (by its high 32 bits), or NULL. */
const rl_ev_proc *rl_eventlog_proc_of(const rl_eventlog *log, uint64_t uid);
const char *rl_eventlog_name_for(const rl_eventlog *log, uint64_t addr);

#endif
