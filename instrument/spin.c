/* spin.c: the waiting half of the runtime's spin lock (spin.h): spin, then yield, then sleep. */
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "spin.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void rt_spin_lock_contended(rt_spin *s)
{
    for (unsigned round = 0;; round++) {
        for (int i = 0; i < 128 && atomic_load_explicit(s, memory_order_relaxed); i++)
            cpu_relax();
        if (!atomic_load_explicit(s, memory_order_relaxed) &&
            !atomic_exchange_explicit(s, 1, memory_order_acquire))
            return;
        if (round < 8) {
            sched_yield();
        } else {
            /* the holder may be a lower-priority thread that yielding does not let run: sleep,
             * 1 us growing to 1 ms */
            unsigned shift = round - 8 < 10 ? round - 8 : 10;
            struct timespec ts = { 0, 1000L << shift };
            syscall(SYS_nanosleep, &ts, NULL); /* not nanosleep(): no cancellation point in the runtime */
        }
    }
}
