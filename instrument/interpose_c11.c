/* interpose_c11.c: C11 <threads.h> (mtx_*, cnd_*, thrd_create / join / exit). glibc implements these
 * by calling its own pthread functions internally, so a preloaded pthread_mutex_lock never sees an
 * mtx_lock: each is wrapped here and handed to the same work as its pthread twin (with the program's
 * call site), its result mapped to C11's thrd_* codes as glibc maps it. mtx_t, cnd_t and thrd_t are
 * glibc's pthread_mutex_t, pthread_cond_t and pthread_t under other names. */
#include <errno.h>
#include <threads.h>

#include "rt.h"

_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t) && sizeof(cnd_t) == sizeof(pthread_cond_t) &&
                   sizeof(thrd_t) == sizeof(pthread_t),
               "glibc's C11 types are its pthread types");

static int thrd_result(int rc)
{
    switch (rc) {
    case 0: return thrd_success;
    case EBUSY: return thrd_busy;
    case ETIMEDOUT: return thrd_timedout;
    case ENOMEM: return thrd_nomem;
    default: return thrd_error;
    }
}

RT_EXPORT int mtx_init(mtx_t *m, int type)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    if (type == (mtx_plain | mtx_recursive) || type == (mtx_timed | mtx_recursive)) /* as glibc: else a plain one */
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    int rc = rt_mutex_init_at((pthread_mutex_t *)m, &attr, RT_CALLER_PC);
    pthread_mutexattr_destroy(&attr);
    return thrd_result(rc);
}

RT_EXPORT void mtx_destroy(mtx_t *m) { rt_mutex_destroy_at((pthread_mutex_t *)m, RT_CALLER_PC); }

RT_EXPORT int mtx_lock(mtx_t *m) { return thrd_result(rt_mutex_lock_at((pthread_mutex_t *)m, RT_CALLER_PC)); }

RT_EXPORT int mtx_trylock(mtx_t *m)
{
    return thrd_result(rt_mutex_acquire_at((pthread_mutex_t *)m, NULL, CLOCK_REALTIME, true, RT_CALLER_PC));
}

RT_EXPORT int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abstime)
{
    return thrd_result(rt_mutex_acquire_at((pthread_mutex_t *)m, abstime, CLOCK_REALTIME, false, RT_CALLER_PC));
}

RT_EXPORT int mtx_unlock(mtx_t *m) { return thrd_result(rt_mutex_unlock_at((pthread_mutex_t *)m, RT_CALLER_PC)); }

RT_EXPORT int cnd_wait(cnd_t *c, mtx_t *m)
{
    return thrd_result(rt_cond_wait_at((pthread_cond_t *)c, (pthread_mutex_t *)m, NULL, CLOCK_REALTIME, RT_CALLER_PC));
}

RT_EXPORT int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict abstime)
{
    return thrd_result(rt_cond_wait_at((pthread_cond_t *)c, (pthread_mutex_t *)m, abstime, CLOCK_REALTIME, RT_CALLER_PC));
}

RT_EXPORT int cnd_signal(cnd_t *c) { return thrd_result(rt_cond_signal_at((pthread_cond_t *)c, false, RT_CALLER_PC)); }

RT_EXPORT int cnd_broadcast(cnd_t *c) { return thrd_result(rt_cond_signal_at((pthread_cond_t *)c, true, RT_CALLER_PC)); }

RT_EXPORT int thrd_create(thrd_t *th, thrd_start_t start, void *arg)
{
    return thrd_result(rt_thread_create((pthread_t *)th, NULL, (void *(*)(void *))(void (*)(void))start, arg, true));
}

RT_EXPORT int thrd_join(thrd_t th, int *result)
{
    void *ret = NULL;
    int rc = rt_thread_join_at((pthread_t)th, &ret, RT_JOIN_WAIT, NULL, CLOCK_REALTIME, RT_CALLER_PC);
    if (rc == 0 && result)
        *result = (int)(uintptr_t)ret;
    return thrd_result(rc);
}

RT_EXPORT _Noreturn void thrd_exit(int result) { rt_thread_exit_at((void *)(uintptr_t)result, RT_CALLER_PC); }
