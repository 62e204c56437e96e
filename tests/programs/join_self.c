/* join_self.c (schedules): a thread joins itself. glibc refuses at once with EDEADLK; under serial and
 * pct racelab used to wait in its scheduler for the thread to end, and then ended the program as a
 * deadlock ("T1 waits in pthread_join(T1)").
 * Expect: prints "EDEADLK"; no findings; exit status 0, under every schedule.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static void *joins_itself(void *arg)
{
    (void)arg;
    puts(pthread_join(pthread_self(), NULL) == EDEADLK ? "EDEADLK" : "something else");
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, joins_itself, NULL);
    pthread_join(t, NULL);
    return 0;
}
