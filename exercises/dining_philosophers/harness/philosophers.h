/* philosophers.h: what the harness (main.c) and your philosophers.c share. Do not change this file. */
#ifndef PHILOSOPHERS_H
#define PHILOSOPHERS_H

#include <pthread.h>

#define MAX_PHILOSOPHERS 16

/* The table, set by the harness: `philosophers` philosophers sit round it, and forks[i] lies between
 * philosopher i and philosopher (i + 1) % philosophers. Philosopher i eats with forks[i] (on the left)
 * and forks[(i + 1) % philosophers] (on the right). Each fork is a mutex. */
extern int philosophers;
extern pthread_mutex_t forks[MAX_PHILOSOPHERS];

/* Yours. Philosopher i calls pick_up_forks(i) when hungry: it returns once i holds both its forks.
 * After eating, put_down_forks(i) puts both back. No philosopher may wait for ever (no deadlock), and
 * neighbours never eat at the same time (they share a fork). */
void pick_up_forks(int i);
void put_down_forks(int i);

#endif
