/* bank.h: what the harness (main.c) and your bank.c share. Do not change this file. */
#ifndef BANK_H
#define BANK_H

#include <pthread.h>

#include "racelab.h"

struct account {
    int id;                   /* 0, 1, 2, ...: every account has a different one */
    pthread_mutex_t lock;     /* guards balance */
    racelab_shared balance;   /* in cents; read with racelab_load, write with racelab_store */
};

/* Moves `amount` cents from `from` to `to` (two different accounts). Many threads call it at the same
 * time, on any pair of accounts, in both directions. No money may be created or lost, and it must
 * never deadlock. */
void transfer(struct account *from, struct account *to, long amount);

#endif
