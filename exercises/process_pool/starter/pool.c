/* pool.c: YOUR FILE. Square the numbers in parallel, in a pool of worker processes.
 *
 * For now pool_square() does all the work itself, one number after another, in one process. Fork
 * `workers` worker processes that run at the same time: give each a share of the numbers, have it send
 * its squares back through a pipe of its own, read them in the parent, and wait for every worker.
 *
 * Check your work:  racelab check exercises/process_pool
 */
#include "pool.h"

int pool_square(const long *in, long *out, size_t n, int workers)
{
    (void)workers;
    for (size_t i = 0; i < n; i++)
        out[i] = slow_square(in[i]);
    return 0;
}
