/* chain_set.c: the set of held-lock chains already seen (lockdep's chain hash), mapping each chain
 * key to the stack of the acquisition that first produced it. A hit means the acquisition teaches
 * nothing new: no edge, no stack capture, no lock. Same lock-free scheme as lock_table.c; key 0 is
 * never used (keys are forced odd). */
#include "rt.h"

typedef struct slot {
    _Atomic uint64_t key;
    _Atomic uint64_t stack;
} slot;

typedef struct table {
    size_t mask;
    size_t used;
    slot slots[];
} table;

static _Atomic(table *) current_set;

bool rt_chain_lookup(uint64_t key, uint64_t *stack)
{
    table *t = atomic_load_explicit(&current_set, memory_order_acquire);
    if (!t)
        return false;
    for (size_t i = (size_t)key & t->mask;; i = (i + 1) & t->mask) {
        uint64_t k = atomic_load_explicit(&t->slots[i].key, memory_order_acquire);
        if (k == key) {
            *stack = atomic_load_explicit(&t->slots[i].stack, memory_order_relaxed);
            return true;
        }
        if (k == 0)
            return false;
    }
}

static void set_put(table *t, uint64_t key, uint64_t stack)
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
    table *t = atomic_load_explicit(&current_set, memory_order_relaxed);
    if (!t || (t->used + 1) * 2 > t->mask + 1) {
        size_t slots = t ? (t->mask + 1) * 2 : 8192;
        table *bigger = rt_pages_alloc(sizeof(table) + slots * sizeof(slot));
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
        atomic_store_explicit(&current_set, bigger, memory_order_release);
        t = bigger;
    }
    set_put(t, key, stack);
}
