/* lock_table.c: maps an address (a mutex, rwlock, cond, semaphore or pthread_t) to the runtime's
 * record for it. Lookups take no lock: open addressing over atomic slots; a slot's value is written
 * before its key is published. Inserts and growth happen under rt.lock; a grown table replaces the
 * old one atomically and the old one is kept (never unmapped), so a concurrent reader still sees
 * valid memory and at worst misses, which sends it to the slow path that re-checks under rt.lock.
 * Invariant: at most half the slots are used. */
#include "rt.h"

_Atomic(rt_table *) rt_current_table;

static rt_table *table_new(size_t slots)
{
    rt_table *t = rt_pages_alloc(sizeof(rt_table) + slots * sizeof(rt_table_slot));
    if (t)
        t->mask = slots - 1;
    return t;
}

static void table_put(rt_table *t, uintptr_t addr, rt_lock *obj)
{
    for (size_t i = rt_addr_hash(addr) & t->mask;; i = (i + 1) & t->mask) {
        uintptr_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
        if (k == addr) {
            atomic_store_explicit(&t->slots[i].value, obj, memory_order_release);
            return;
        }
        if (k == 0) {
            atomic_store_explicit(&t->slots[i].value, obj, memory_order_relaxed);
            atomic_store_explicit(&t->slots[i].key, addr, memory_order_release);
            t->used++;
            return;
        }
    }
}

void rt_table_publish(uintptr_t addr, rt_lock *obj)
{
    rt_table *t = atomic_load_explicit(&rt_current_table, memory_order_relaxed);
    if (!t || (t->used + 1) * 2 > t->mask + 1) {
        size_t slots = t ? (t->mask + 1) * 2 : 4096;
        rt_table *bigger = table_new(slots);
        if (!bigger) {
            if (t && t->used + 1 < t->mask + 1) { /* still room: keep going, just fuller */
                table_put(t, addr, obj);
                return;
            }
            rt_note("out of memory for the lock table: an object is not tracked");
            return;
        }
        if (t) {
            for (size_t i = 0; i <= t->mask; i++) {
                uintptr_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
                if (k)
                    table_put(bigger, k, atomic_load_explicit(&t->slots[i].value, memory_order_relaxed));
            }
        }
        atomic_store_explicit(&rt_current_table, bigger, memory_order_release);
        t = bigger;
    }
    table_put(t, addr, obj);
}
