/* real.c: finds the real pthread/semaphore/fork functions behind our wrappers, once.
 * The condition-variable functions are looked up by version (GLIBC_2.3.2, the current ABI), as
 * TSan's TSAN_INTERCEPT_VER does: plain dlsym(RTLD_NEXT) may return the old 2.2.5 ABI. */
#include <dlfcn.h>
#include <stddef.h>

#include "rt.h"

rt_real_fns rt_real;

#define FIND(field, name) (*(void **)&rt_real.field = dlsym(RTLD_NEXT, name))
#define FIND_COND(field, name)                                                     \
    do {                                                                           \
        *(void **)&rt_real.field = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2");          \
        if (!rt_real.field)                                                        \
            FIND(field, name);                                                     \
    } while (0)

void rt_real_resolve_slow(void)
{
    if (rt_real.fork) /* last one resolved below: all done */
        return;
    FIND(mutex_init, "pthread_mutex_init");
    FIND(mutex_destroy, "pthread_mutex_destroy");
    FIND(mutex_lock, "pthread_mutex_lock");
    FIND(mutex_trylock, "pthread_mutex_trylock");
    FIND(mutex_timedlock, "pthread_mutex_timedlock");
    FIND(mutex_unlock, "pthread_mutex_unlock");
    FIND(rwlock_init, "pthread_rwlock_init");
    FIND(rwlock_destroy, "pthread_rwlock_destroy");
    FIND(rwlock_rdlock, "pthread_rwlock_rdlock");
    FIND(rwlock_wrlock, "pthread_rwlock_wrlock");
    FIND(rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
    FIND(rwlock_trywrlock, "pthread_rwlock_trywrlock");
    FIND(rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
    FIND(rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
    FIND(rwlock_unlock, "pthread_rwlock_unlock");
    FIND(mutex_clocklock, "pthread_mutex_clocklock");
    FIND(rwlock_clockrdlock, "pthread_rwlock_clockrdlock");
    FIND(rwlock_clockwrlock, "pthread_rwlock_clockwrlock");
    FIND(cond_clockwait, "pthread_cond_clockwait");
    FIND(sem_clockwait, "sem_clockwait");
    FIND(c11_create, "thrd_create");
    FIND(c11_call_once, "call_once");
    FIND(once, "pthread_once");
    FIND(tryjoin, "pthread_tryjoin_np");
    FIND(timedjoin, "pthread_timedjoin_np");
    FIND(clockjoin, "pthread_clockjoin_np");
    FIND_COND(cond_wait, "pthread_cond_wait");
    FIND_COND(cond_timedwait, "pthread_cond_timedwait");
    FIND_COND(cond_signal, "pthread_cond_signal");
    FIND_COND(cond_broadcast, "pthread_cond_broadcast");
    FIND_COND(cond_destroy, "pthread_cond_destroy");
    FIND(sem_init, "sem_init");
    FIND(sem_destroy, "sem_destroy");
    FIND(sem_wait, "sem_wait");
    FIND(sem_trywait, "sem_trywait");
    FIND(sem_timedwait, "sem_timedwait");
    FIND(sem_post, "sem_post");
    FIND(barrier_wait, "pthread_barrier_wait");
    FIND(barrier_init, "pthread_barrier_init");
    FIND(create, "pthread_create");
    FIND(join, "pthread_join");
    FIND(exit, "pthread_exit");
    FIND(cancel, "pthread_cancel");
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    FIND(fork, "fork");
}
