/* findings.c: logs the misuse findings the runtime decides on the spot (double-lock, unlock-unlocked,
 * unlock-foreign, destroy-locked, held-at-exit, cond-misuse) as F lines, each once per (kind, object,
 * call site), with the stack captured before taking rt.lock; and free-text notes (I lines) about
 * limits reached. */
#include <string.h>

#include "rt.h"

/* Seen (kind, object, pc) triples; rt.lock. */
static struct {
    uint64_t *keys;
    size_t mask, used;
} seen;

static bool seen_insert(uint64_t key)
{
    if ((seen.used + 1) * 2 > (seen.keys ? seen.mask + 1 : 0)) {
        size_t n = seen.keys ? (seen.mask + 1) * 2 : 256;
        uint64_t *fresh = rt_pool_alloc(n * sizeof *fresh);
        if (fresh) {
            for (size_t i = 0; seen.keys && i <= seen.mask; i++)
                if (seen.keys[i]) {
                    size_t j = seen.keys[i] & (n - 1);
                    while (fresh[j])
                        j = (j + 1) & (n - 1);
                    fresh[j] = seen.keys[i];
                }
            if (seen.keys)
                rt_pool_free(seen.keys, (seen.mask + 1) * sizeof *seen.keys);
            seen.keys = fresh;
            seen.mask = n - 1;
        } else if (!seen.keys || seen.used + 1 >= seen.mask + 1) {
            return true; /* cannot remember: report again rather than drop */
        }
    }
    size_t i = key & seen.mask;
    for (; seen.keys[i]; i = (i + 1) & seen.mask)
        if (seen.keys[i] == key)
            return false;
    seen.keys[i] = key;
    seen.used++;
    return true;
}

bool rt_seen_once(uint64_t key) { return seen_insert(key | 1); }

void rt_report_misuse(rt_thread *t, const char *kind, rt_lock *l, uintptr_t pc, const char *detail,
                      rt_lock *other)
{
    rt_report_misuse_at(t, kind, l, pc, detail, other, 0);
}

void rt_report_misuse_at(rt_thread *t, const char *kind, rt_lock *l, uintptr_t pc, const char *detail,
                         rt_lock *other, uint64_t known_stack)
{
    rt_stack st;
    st.n = 0;
    if (!known_stack)
        rt_stack_capture(&st);
    uint64_t key = 0xcbf29ce484222325ULL;
    for (const char *p = kind; *p; p++)
        key = (key ^ (unsigned char)*p) * 0x100000001b3ULL;
    key = rt_mix64(key ^ (l ? l->uid : 0) ^ rt_mix64(pc)) | 1;
    rt_real.mutex_lock(&rt.lock);
    if (seen_insert(key)) {
        uint64_t stack = known_stack ? known_stack : st.n ? rt_stack_log(&st) : rt_stack_log_pc(pc);
        rt_line ln;
        rt_line_start(&ln, "F");
        rt_line_str(&ln, kind);
        rt_line_u64(&ln, t ? t->tid : 0);
        rt_line_hex(&ln, l ? l->uid : 0);
        rt_line_hex(&ln, stack);
        rt_line_hex(&ln, other ? other->uid : 0);
        rt_line_str(&ln, detail ? detail : "-");
        rt_line_end(&ln);
    }
    rt_real.mutex_unlock(&rt.lock);
}

/* "T<tid>" at buf (at least 12 bytes), terminated (no stdio in the runtime's paths). */
static void put_thread_name(char *buf, uint32_t tid)
{
    char digits[12];
    int k = 0;
    do {
        digits[k++] = (char)('0' + tid % 10);
        tid /= 10;
    } while (tid);
    size_t n = 0;
    buf[n++] = 'T';
    while (k)
        buf[n++] = digits[--k];
    buf[n] = 0;
}

const char *rt_holder_detail(const rt_lock *l, char *buf)
{
    const rt_thread *owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
    if (!owner)
        return atomic_load_explicit(&l->readers, memory_order_relaxed) > 0 ? "held-for-reading" : NULL;
    memcpy(buf, "held-by-", 8);
    put_thread_name(buf + 8, owner->tid);
    return buf;
}

void rt_note(const char *text)
{
    rt_line ln;
    rt_line_start(&ln, "I");
    rt_line_str(&ln, text);
    rt_line_end(&ln);
}

void rt_note_owner_died(rt_thread *t, const rt_lock *l)
{
    char tid[16];
    put_thread_name(tid, t->tid);
    int was = t->in_runtime;
    t->in_runtime = 1;
    rt_real.mutex_lock(&rt.lock);
    rt_line ln;
    rt_line_start(&ln, "I");
    rt_line_str(&ln, tid);
    rt_line_str(&ln, "locked a robust mutex whose owner had ended holding it (EOWNERDEAD); racelab counts it as held by");
    rt_line_str(&ln, tid);
    rt_line_str(&ln, "from there; the mutex is at");
    rt_line_hex(&ln, l->addr);
    rt_line_end(&ln);
    rt_real.mutex_unlock(&rt.lock);
    t->in_runtime = was;
}
