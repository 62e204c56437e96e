/* crash_segv.c: a program killed by a signal (for the CLI tests).
 *
 * Locks and unlocks a mutex properly, then raises SIGSEGV. Core dumps are turned off first so the
 * test leaves no core file behind. racelab must still write its report, with exit.signal 11.
 * Expect: no findings; exit {"signal": 11, "signal_name": "SIGSEGV"}.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
    pthread_mutex_lock(&lock_a);
    pthread_mutex_unlock(&lock_a);
    raise(SIGSEGV);
    return 0; /* not reached: SIGSEGV's default action ends the process */
}
