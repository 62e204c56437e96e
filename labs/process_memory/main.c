/* process_memory: processes do not share memory unless they ask for it, and then they need a lock too.
 *
 * Threads of one process share all its memory. fork() makes a new process with a COPY of the
 * parent's memory: from then on each changes only its own copy. So a global counter that a child
 * increments stays 0 in the parent. Processes that must work on one number need memory that both
 * map (here mmap(MAP_SHARED | MAP_ANONYMOUS) before fork), and then they race on it exactly like
 * threads do: an increment is a load and a store, and another process may store in between. A mutex
 * can guard it only if it lives in that shared memory too and is made for it
 * (PTHREAD_PROCESS_SHARED). Often the simplest way is to share nothing: each child counts in its own
 * memory and sends its result back through a pipe.
 *
 *   --mode separate      (default) each child increments the global counter; the parent's stays 0.
 *   --mode shared        the counter is in shared memory; the children increment it with no lock.
 *                        Updates are usually lost, how many depends on timing (it may even be none
 *                        on a single core). racelab and ThreadSanitizer watch the threads of each
 *                        process; memory shared between processes is outside what they check, so
 *                        only the program's own "expected vs got" shows the loss.
 *   --mode shared-mutex  the same with a process-shared mutex in the shared memory: always exact.
 *   --mode pipe          each child counts in its own memory and writes its count into a pipe; the
 *                        parent adds them up: always exact, no shared memory, no lock.
 * The children start counting together (a process-shared barrier), so that they overlap.
 *
 * Run:
 *   build/labs/process_memory [--mode separate|shared|shared-mutex|pipe] [-p PROCESSES] [-n INCREMENTS]
 *   racelab run -- build/labs/process_memory --mode shared-mutex   no findings, exact count
 *   build/labs/process_memory-tsan --mode shared-mutex             ThreadSanitizer stays quiet
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab_options.h"

enum mode { SEPARATE, SHARED, SHARED_MUTEX, PIPE };
static const char *const mode_names[] = {"separate", "shared", "shared-mutex", "pipe"};

/* Lives in memory mapped MAP_SHARED before the fork: parent and children see the same bytes. */
struct shared_page {
    pthread_barrier_t start_line;  /* process-shared: the children start counting together */
    pthread_mutex_t lock;          /* process-shared: guards counter in --mode shared-mutex */
    volatile long counter;         /* volatile: each increment is one real load and one real store */
};

static enum mode mode = SEPARATE;
static long processes = 4;
static long increments = 1000000;  /* per child */
static long private_counter;       /* a plain global: each process has its own copy after fork */

static void die(const char *what)
{
    fprintf(stderr, "process_memory: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* What child number `index` does; `result_fd` is the pipe's write end (--mode pipe). */
static int child_main(long index, struct shared_page *page, int result_fd)
{
    pthread_barrier_wait(&page->start_line);
    for (long i = 0; i < increments; i++) {
        if (mode == SEPARATE || mode == PIPE) {
            private_counter++;                /* this process's own copy */
        } else if (mode == SHARED) {
            long seen = page->counter;        /* load ...                                        */
            page->counter = seen + 1;         /* ... and store: another process may store between */
        } else {
            pthread_mutex_lock(&page->lock);
            page->counter = page->counter + 1;
            pthread_mutex_unlock(&page->lock);
        }
    }
    if (mode == SEPARATE)
        printf("child %ld: my counter is %ld\n", index, private_counter);
    if (mode == PIPE) {
        if (write(result_fd, &private_counter, sizeof private_counter) != (ssize_t)sizeof private_counter)
            return 1; /* a write of 8 bytes to a pipe is atomic: all or nothing */
        close(result_fd);
    }
    return 0;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [--mode separate|shared|shared-mutex|pipe] [-p PROCESSES] [-n INCREMENTS]\n"
            "PROCESSES child processes each add 1 to a counter INCREMENTS times.\n"
            "  -m, --mode separate      a plain global counter: each child changes its own copy, the\n"
            "                           parent's stays 0 (default)\n"
            "  -m, --mode shared        the counter in shared memory (mmap MAP_SHARED), no lock:\n"
            "                           updates get lost (how many depends on timing)\n"
            "  -m, --mode shared-mutex  shared memory and a process-shared mutex: exact\n"
            "  -m, --mode pipe          each child counts alone and sends its count through a pipe\n"
            "  -p, --processes N        child processes (default 4)\n"
            "  -n, --increments N       increments per child (default 1000000)\n"
            "  -h, --help               show this help\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"mode", required_argument, NULL, 'm'},
        {"processes", required_argument, NULL, 'p'},
        {"increments", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const struct lab_options cli = {"process_memory", "m:p:n:h", options, usage};
    int opt;
    while ((opt = lab_next_option(&cli, argc, argv)) != -1) {
        switch (opt) {
        case 'm': {
            size_t m = 0;
            while (m < 4 && strcmp(optarg, mode_names[m]) != 0)
                m++;
            if (m == 4) {
                fprintf(stderr, "process_memory: --mode is separate, shared, shared-mutex or pipe, not '%s'\n",
                        optarg);
                return 2;
            }
            mode = (enum mode)m;
            break;
        }
        case 'p': processes = lab_count_option(&cli, optarg, "PROCESSES", 1, 64); break;
        case 'n': increments = lab_count_option(&cli, optarg, "INCREMENTS", 0, 100000000); break;
        }
    }

    struct shared_page *page = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        die("mmap");
    pthread_barrierattr_t battr;
    pthread_barrierattr_init(&battr);
    pthread_barrierattr_setpshared(&battr, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&page->start_line, &battr, (unsigned)processes);
    pthread_barrierattr_destroy(&battr);
    pthread_mutexattr_t mattr;
    pthread_mutexattr_init(&mattr);
    pthread_mutexattr_setpshared(&mattr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&page->lock, &mattr);
    pthread_mutexattr_destroy(&mattr);
    page->counter = 0;

    int fds[2] = {-1, -1};
    if (mode == PIPE && pipe(fds) != 0)
        die("pipe");

    printf("mode %s: %ld processes, %ld increments each\n", mode_names[mode], processes, increments);
    fflush(stdout); /* or each child would print the parent's buffered lines again */
    for (long i = 1; i <= processes; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            if (mode == PIPE)
                close(fds[0]);
            exit(child_main(i, page, fds[1]));
        }
    }
    if (mode == PIPE)
        close(fds[1]); /* the children hold the write ends now: end of file when they all exit */

    long expected = processes * increments, got = 0;
    if (mode == PIPE) {
        long part;
        while (read(fds[0], &part, sizeof part) == (ssize_t)sizeof part)
            got += part;
        close(fds[0]);
    }
    int failed = 0;
    for (long i = 0; i < processes; i++) {
        int status;
        if (wait(&status) < 0)
            die("wait");
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    if (failed) {
        fprintf(stderr, "process_memory: a child failed\n");
        return 1;
    }

    int exact = 1;
    if (mode == SEPARATE) {
        printf("parent: my counter is still %ld\n", private_counter);
    } else {
        if (mode != PIPE)
            got = page->counter; /* every child has exited: nobody writes it now */
        printf("expected %ld, got %ld (lost %ld updates)\n", expected, got, expected - got);
        exact = got == expected;
    }
    pthread_mutex_destroy(&page->lock);
    pthread_barrier_destroy(&page->start_line);
    munmap(page, sizeof *page);
    /* --mode shared may lose updates: that is what it shows, not a failure of the program */
    return exact || mode == SHARED ? 0 : 1;
}
