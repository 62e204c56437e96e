/* event_loop: one thread, one poll() loop, overlapping the waits of several tasks, as asyncio does.
 *
 * Each of --tasks tasks does two steps: it waits for its own timer (a timerfd: a timer the kernel
 * reports through a file descriptor), then sends a message through its own pipe and reads it back.
 * The timers run for different times (the first task's longest, --ms), so the tasks finish in a
 * different order from the one they started in.
 *
 *   - One after another: each task's read() of its timer blocks until that timer fires, so the waits
 *     add up.
 *   - One poll() loop: every timer is started at once, then one loop asks poll() which of the
 *     descriptors it watches (each task's timer, or its pipe once the message is on its way) are
 *     ready, runs the next step of those tasks (a step never blocks: its descriptor is ready), and
 *     polls again. The waits overlap, on one thread: the total is the longest wait, not the sum.
 *
 * That is what Python's asyncio does under `await`: a task that would wait hands control back to the
 * loop, and the loop resumes it when poll() (epoll) says its descriptor is ready. (asyncio keeps its
 * timers in a heap and uses poll's timeout for the nearest one; a timerfd per task is simpler to show.)
 * The catch: a step that computes for long, or blocks, holds up every task, since nothing else runs.
 * --stall MS shows it: the shortest task's first step then makes a blocking call (nanosleep of MS),
 * as a Python coroutine calling time.sleep() instead of awaiting asyncio.sleep() would, and the loop
 * can serve nobody until it returns.
 * With no threads there is nothing to race on; racelab finds nothing.
 *
 * Run:
 *   build/labs/event_loop [--tasks N] [--ms MS] [--stall MS]
 *   racelab run -- build/labs/event_loop        0 findings
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lab_options.h"

enum state {
    WAITING_FOR_TIMER,   /* its timer has not fired yet */
    WAITING_FOR_MESSAGE, /* the message is in its pipe, to be read */
    DONE,
};

struct task {
    int number;       /* 1, 2, ... */
    long delay_ms;    /* how long its timer runs */
    int timer;        /* timerfd: readable once the timer has fired */
    int pipe[2];      /* the task's message goes in at pipe[1] and comes out at pipe[0] */
    enum state state;
};

static long ntasks = 4;     /* tasks */
static long longest = 200;  /* the first task's timer, in ms; the others' are shorter */
static long stall_ms;       /* --stall: a blocking call of this long in the last task's first step */
static double run_start;    /* CLOCK_MONOTONIC time the current run began, in ms */

/* The monotonic clock in milliseconds: it never jumps when the wall clock is set. */
static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void fail(const char *what)
{
    perror(what);
    exit(1);
}

/* Starts the task's timer: its descriptor becomes readable delay_ms from now. */
static void start_timer(struct task *t)
{
    struct itimerspec when = {{0, 0}, {t->delay_ms / 1000, (t->delay_ms % 1000) * 1000000L}};
    if (t->delay_ms == 0)
        when.it_value.tv_nsec = 1; /* a zero it_value would stop the timer instead */
    if (timerfd_settime(t->timer, 0, &when, NULL) != 0)
        fail("event_loop: timerfd_settime");
    t->state = WAITING_FOR_TIMER;
}

/* Step 1: the timer has fired (or, called early, read() blocks until it does); send the message. */
static void on_timer(struct task *t)
{
    uint64_t expirations;
    if (read(t->timer, &expirations, sizeof expirations) != (ssize_t)sizeof expirations)
        fail("event_loop: read timer");
    if (stall_ms > 0 && t->number == ntasks) {
        /* A blocking call inside a step: the whole loop stops with it. */
        struct timespec left = {stall_ms / 1000, (stall_ms % 1000) * 1000000L};
        while (nanosleep(&left, &left) == -1 && errno == EINTR)
            continue;
    }
    char message[64];
    int n = snprintf(message, sizeof message, "task %d: my %ld ms are up", t->number, t->delay_ms);
    if (write(t->pipe[1], message, (size_t)n) != n)
        fail("event_loop: write pipe");
    t->state = WAITING_FOR_MESSAGE;
}

/* Step 2: the message has arrived; read it and finish. */
static void on_message(struct task *t)
{
    char message[64];
    ssize_t n = read(t->pipe[0], message, sizeof message - 1);
    if (n <= 0)
        fail("event_loop: read pipe");
    message[n] = '\0';
    printf("  %6.0f ms  task %d done: read \"%s\"\n", now_ms() - run_start, t->number, message);
    t->state = DONE;
}

/* Each task in turn, every wait a blocking read. Returns the measured ms. */
static double run_one_after_another(struct task *tasks)
{
    run_start = now_ms();
    for (long i = 0; i < ntasks; i++) {
        start_timer(&tasks[i]);
        on_timer(&tasks[i]);   /* blocks in read() until this timer fires; nothing else happens */
        on_message(&tasks[i]);
    }
    return now_ms() - run_start;
}

/* Every task at once, one poll() loop. Returns the measured ms; *polls is set to the poll() calls. */
static double run_event_loop(struct task *tasks, long *polls)
{
    struct pollfd *watch = calloc((size_t)ntasks, sizeof *watch);
    struct task **owner = calloc((size_t)ntasks, sizeof *owner); /* the task of watch[k] */
    if (!watch || !owner)
        fail("event_loop: calloc");
    run_start = now_ms();
    for (long i = 0; i < ntasks; i++)
        start_timer(&tasks[i]);
    *polls = 0;
    for (;;) {
        /* Watch what each unfinished task waits for: its timer, or its pipe. */
        nfds_t n = 0;
        for (long i = 0; i < ntasks; i++) {
            if (tasks[i].state == DONE)
                continue;
            watch[n].fd = tasks[i].state == WAITING_FOR_TIMER ? tasks[i].timer : tasks[i].pipe[0];
            watch[n].events = POLLIN;
            owner[n++] = &tasks[i];
        }
        if (n == 0)
            break;
        /* The only place the loop waits: until at least one descriptor is ready. */
        ++*polls;
        if (poll(watch, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            fail("event_loop: poll");
        }
        /* Run the next step of every task whose descriptor is ready; none of them blocks. */
        for (nfds_t k = 0; k < n; k++) {
            if (!(watch[k].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            if (owner[k]->state == WAITING_FOR_TIMER)
                on_timer(owner[k]);
            else
                on_message(owner[k]);
        }
    }
    free(watch);
    free(owner);
    return now_ms() - run_start;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [-n TASKS] [-m MS] [-s MS]\n"
            "TASKS tasks each wait on a timer (MS for the first, less for the others), then pass a\n"
            "message through a pipe: one task after another, then all in one poll() loop on one thread.\n"
            "  -n, --tasks N   number of tasks (default 4)\n"
            "  -m, --ms MS     the longest timer, in ms (default 200)\n"
            "  -s, --stall MS  the last task's first step blocks for MS ms (default 0: no)\n"
            "  -h, --help      show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"tasks", required_argument, NULL, 'n'},
        {"ms", required_argument, NULL, 'm'},
        {"stall", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"event_loop", "n:m:s:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'n': ntasks = lab_count_option(&cli, optarg, "TASKS", 1, 100); break;
        case 'm': longest = lab_count_option(&cli, optarg, "MS", 0, 10000); break;
        case 's': stall_ms = lab_count_option(&cli, optarg, "stall MS", 0, 10000); break;
        }
    }

    struct task *tasks = calloc((size_t)ntasks, sizeof *tasks);
    if (!tasks)
        fail("event_loop: calloc");
    printf("event_loop: %ld tasks on one thread; each waits on a timer, then passes a message through a "
           "pipe\n", ntasks);
    printf("timers:");
    for (long i = 0; i < ntasks; i++) {
        tasks[i].number = (int)i + 1;
        tasks[i].delay_ms = longest * (ntasks - i) / ntasks; /* the first longest, the last shortest */
        tasks[i].timer = timerfd_create(CLOCK_MONOTONIC, 0);
        if (tasks[i].timer < 0 || pipe(tasks[i].pipe) != 0)
            fail("event_loop: timerfd_create or pipe");
        printf(" task %d %ld ms%s", tasks[i].number, tasks[i].delay_ms, i + 1 < ntasks ? "," : "\n");
    }
    if (stall_ms > 0)
        printf("--stall: task %ld's first step blocks for %ld ms\n", ntasks, stall_ms);

    printf("one after another (each read blocks until that task's timer fires):\n");
    double sequential = run_one_after_another(tasks);
    printf("  total: %.0f ms\n", sequential);
    long polls;
    printf("one poll() loop (all the timers started at once, every wait watched by one poll):\n");
    double loop = run_event_loop(tasks, &polls);
    printf("  total: %.0f ms, %ld calls to poll()\n", loop, polls);
    printf("speed-up: %.2fx, with no threads\n", sequential / (loop > 0 ? loop : 1));
    printf("One after another the waits add up. The loop never waits for one task: poll() sleeps until\n"
           "any timer or pipe is ready, the loop runs that task's next step and polls again, so the total\n"
           "is the longest wait. A step that computes for long would hold up every task.\n");
    if (stall_ms > 0)
        printf("Here it did: task %ld's step blocked for %ld ms, and no other task could run meanwhile.\n",
               ntasks, stall_ms);

    for (long i = 0; i < ntasks; i++) {
        close(tasks[i].timer);
        close(tasks[i].pipe[0]);
        close(tasks[i].pipe[1]);
    }
    free(tasks);
    return 0;
}
