/* stack.c: captures call stacks (glibc backtrace(), which unwinds with .eh_frame and needs no frame
 * pointers) and logs them once each. Capture happens with no runtime lock held: the unwinder takes the
 * loader's lock. Logging deduplicates identical stacks by hash, under rt.lock. Frames inside the
 * runtime itself are dropped, so a stack starts at the program's call into pthreads. */
#include <errno.h>
#include <execinfo.h>
#include <string.h>

#include "rt.h"

void rt_stack_capture(rt_stack *s)
{
    int saved_errno = errno;
    void *raw[RT_MAX_FRAMES + 8];
    int n = backtrace(raw, RT_MAX_FRAMES + 8);
    s->n = 0;
    for (int i = 0; i < n && s->n < RT_MAX_FRAMES; i++) {
        uintptr_t pc = (uintptr_t)raw[i];
        if (pc >= rt.self_lo && pc < rt.self_hi)
            continue;
        s->pcs[s->n++] = pc;
    }
    rt_modules_log_if_changed();
    errno = saved_errno;
}

/* Stack dedup table: hash of pcs -> uid; open addressing, grown under rt.lock. */
typedef struct stack_slot {
    uint64_t hash;
    uint64_t uid;
    uintptr_t first_pc;
} stack_slot;

static struct {
    stack_slot *slots;
    size_t mask, used;
} stacks;

static uint64_t stack_hash(const uintptr_t *pcs, int n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    for (int i = 0; i < n; i++)
        h = rt_mix64(h ^ pcs[i]);
    return h | 1;
}

static bool stacks_grow(void)
{
    size_t nslots = stacks.slots ? (stacks.mask + 1) * 2 : 1024;
    stack_slot *fresh = rt_pool_alloc(nslots * sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t i = 0; stacks.slots && i <= stacks.mask; i++) {
        if (!stacks.slots[i].hash)
            continue;
        size_t j = stacks.slots[i].hash & (nslots - 1);
        while (fresh[j].hash)
            j = (j + 1) & (nslots - 1);
        fresh[j] = stacks.slots[i];
    }
    if (stacks.slots)
        rt_pool_free(stacks.slots, (stacks.mask + 1) * sizeof *stacks.slots);
    stacks.slots = fresh;
    stacks.mask = nslots - 1;
    return true;
}

static uint64_t log_frames(const uintptr_t *pcs, int n)
{
    if (n <= 0)
        return 0;
    uint64_t h = stack_hash(pcs, n);
    if ((stacks.used + 1) * 2 > (stacks.slots ? stacks.mask + 1 : 0) && !stacks_grow() && !stacks.slots)
        return 0;
    size_t i = h & stacks.mask;
    for (; stacks.slots[i].hash; i = (i + 1) & stacks.mask)
        if (stacks.slots[i].hash == h)
            return stacks.slots[i].uid;
    uint64_t uid = rt_uid(++rt.next_stack);
    if (stacks.used + 1 < stacks.mask + 1) {
        stacks.slots[i].hash = h;
        stacks.slots[i].uid = uid;
        stacks.slots[i].first_pc = pcs[0];
        stacks.used++;
    }
    rt_line ln;
    rt_line_start(&ln, "S");
    rt_line_hex(&ln, uid);
    for (int k = 0; k < n && rt_line_room(&ln) > 24; k++)
        rt_line_hex(&ln, pcs[k]);
    rt_line_end(&ln);
    return uid;
}

uint64_t rt_stack_log(const rt_stack *s) { return log_frames(s->pcs, s->n); }

/* Was stack uid logged with pc as its first frame? (stacks are remembered by hash only, so look at
 * the pcs recorded alongside: rt.lock not needed, the table only grows) */
bool rt_stack_starts_at(uint64_t uid, uintptr_t pc)
{
    if (!uid || !pc)
        return false;
    for (size_t i = 0; stacks.slots && i <= stacks.mask; i++)
        if (stacks.slots[i].uid == uid)
            return stacks.slots[i].first_pc == pc;
    return false;
}

uint64_t rt_stack_log_pc(uintptr_t pc) { return log_frames(&pc, pc ? 1 : 0); }
