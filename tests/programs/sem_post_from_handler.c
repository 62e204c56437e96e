/* sem_post_from_handler.c (trap): a signal handler wakes the main thread through a semaphore.
 *
 * main installs a SIGALRM handler that posts `tick`, arms a 500 ms timer and waits on `tick`. For half
 * a second every thread of the program is blocked in a semaphore wait, but the program is not
 * deadlocked: sem_post is async-signal-safe, and the handler will post (this is the example in
 * sem_wait(3)). racelab must let the timer fire instead of ending the program as stalled.
 * Expect: no findings; prints "woken"; exit status 0.
 */
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static sem_t tick;

static void on_alarm(int sig)
{
    (void)sig;
    sem_post(&tick);
}

int main(void)
{
    sem_init(&tick, 0, 0);
    struct sigaction sa = { .sa_handler = on_alarm };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval half_second = { .it_value = { 0, 500 * 1000 } };
    setitimer(ITIMER_REAL, &half_second, NULL);
    while (sem_wait(&tick) != 0)
        ; /* EINTR: the handler ran; the post is there now */
    puts("woken");
    return 0;
}
