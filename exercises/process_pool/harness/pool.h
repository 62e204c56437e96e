/* pool.h: what the harness (main.c) and your pool.c share. Do not change this file. */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

/* Provided by the harness: x * x, computed slowly (it keeps a CPU busy for a while). */
long slow_square(long x);

/* Yours. Squares in[0 .. n) into out[0 .. n) with slow_square(), using `workers` worker PROCESSES
 * (fork) that run at the same time, each sending its results back to the parent through a pipe.
 * Waits for every worker before it returns. Returns 0, or -1 if something failed. */
int pool_square(const long *in, long *out, size_t n, int workers);

#endif
