/* chain_set.c: the set of held-lock chains already seen (lockdep's chain hash), mapping each chain
 * key to the stack of the acquisition that first produced it. A hit means the acquisition teaches
 * nothing new: no edge, no stack capture, no lock. Same lock-free scheme as lock_table.c; key 0 is
 * never used (keys are forced odd). */
#include "rt.h"

_Atomic(rt_chain_table *) rt_chain_current;

static void set_put(rt_chain_table *t, uint64_t key, uint64_t stack)
{
    for (size_t i = (size_t)key & t->mask;; i = (i + 1) & t->mask) {
        uint64_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
        if (k == key)
            return;
        if (k == 0) {
            atomic_store_explicit(&t->slots[i].stack, stack, memory_order_relaxed);
            atomic_store_explicit(&t->slots[i].key, key, memory_order_release);
            t->used++;
            return;
        }
    }
}

void rt_chain_insert(uint64_t key, uint64_t stack)
{
    rt_chain_table *t = atomic_load_explicit(&rt_chain_current, memory_order_relaxed);
    if (!t || (t->used + 1) * 2 > t->mask + 1) {
        size_t slots = t ? (t->mask + 1) * 2 : 8192;
        rt_chain_table *bigger = rt_pages_alloc(sizeof(rt_chain_table) + slots * sizeof(rt_chain_slot));
        if (!bigger) {
            if (t && t->used + 1 < t->mask + 1)
                set_put(t, key, stack);
            /* else: the chain is simply learned again next time (slower, still correct) */
            return;
        }
        bigger->mask = slots - 1;
        if (t)
            for (size_t i = 0; i <= t->mask; i++) {
                uint64_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
                if (k)
                    set_put(bigger, k, atomic_load_explicit(&t->slots[i].stack, memory_order_relaxed));
            }
        atomic_store_explicit(&rt_chain_current, bigger, memory_order_release);
        t = bigger;
    }
    set_put(t, key, stack);
}
