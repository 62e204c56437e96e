/* pool.c, WRONG: uses worker THREADS instead of processes. In C that is fast too, but the exercise is a
 * process pool: the work must be done in worker processes that send their results through pipes. */
#include <pthread.h>
#include <stdlib.h>

#include "pool.h"

struct share {
    const long *in;
    long *out;
    size_t n, first, step;
};

static void *work(void *arg)
{
    struct share *s = arg;
    for (size_t i = s->first; i < s->n; i += s->step)
        s->out[i] = slow_square(s->in[i]);
    return NULL;
}

int pool_square(const long *in, long *out, size_t n, int workers)
{
    pthread_t *threads = calloc((size_t)workers, sizeof *threads);
    struct share *shares = calloc((size_t)workers, sizeof *shares);
    if (!threads || !shares)
        return -1;
    for (int w = 0; w < workers; w++) {
        shares[w] = (struct share){ in, out, n, (size_t)w, (size_t)workers };
        pthread_create(&threads[w], NULL, work, &shares[w]);
    }
    for (int w = 0; w < workers; w++)
        pthread_join(threads[w], NULL);
    free(threads);
    free(shares);
    return 0;
}
