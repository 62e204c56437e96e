/* spin_uninit.c: a spinlock used without pthread_spin_init.
 *
 * `zeroed_spin` is a zero-initialised global. POSIX has no static initialiser for spinlocks, and
 * glibc on x86-64 takes the value 0 as *locked*: pthread_spin_lock on it would spin forever. The
 * program tries it with pthread_spin_trylock (so it never hangs), says what it found, then
 * initialises it properly and uses it: only the first, uninitialised use is reported.
 * Expect: findings {uninitialized-lock} on zeroed_spin, exactly one; exit status 0 (racelab: 66).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_spinlock_t zeroed_spin; /* never passed to pthread_spin_init before first use */

int main(void)
{
    int rc = pthread_spin_trylock(&zeroed_spin);
    printf("a zeroed spinlock is %s\n", rc == EBUSY ? "locked (it would spin forever)" : "unlocked");
    if (rc == 0)
        pthread_spin_unlock(&zeroed_spin);
    pthread_spin_init(&zeroed_spin, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_lock(&zeroed_spin);
    pthread_spin_unlock(&zeroed_spin);
    pthread_spin_destroy(&zeroed_spin);
    return 0;
}
