/* counter.h: what the harness (main.c) and your counter.c share. Do not change this file. */
#ifndef COUNTER_H
#define COUNTER_H

#include "racelab.h"

/* The shared counter, defined by the harness. Every thread adds 1 to it, `iterations` times. Read it
 * with racelab_load(&counter), write it with racelab_store(&counter, value), or add to it atomically
 * with racelab_add(&counter, 1): racelab sees every access. */
extern racelab_shared counter;

/* Starts `threads` threads that all count at the same time, each adding 1 to counter `iterations`
 * times, and returns once every one of them has finished. Afterwards counter must have grown by
 * exactly threads * iterations. */
void count_concurrently(int threads, long iterations);

#endif
