/* heap_lock_names.c (names): a lock-order cycle between two locks that one constructor made on the heap.
 *
 * make_node() mallocs a node and initialises its lock (line marked below); main makes two nodes, then
 * one thread locks node a then node b, and a later thread node b then node a. Heap locks have no symbol,
 * so racelab names them by the place that made them, and both were made at the same line: the names
 * must still tell them apart, in the order they were made.
 * Expect: one potential deadlock whose locks are named "mutex #1 at make_node (heap_lock_names.c:L)"
 * and "mutex #2 at make_node (heap_lock_names.c:L)", L the marked line; exit status 0.
 */
#include <pthread.h>
#include <stdlib.h>

struct node {
    int value;
    pthread_mutex_t lock;
};

static struct node *a, *b;

static struct node *make_node(int value)
{
    struct node *n = malloc(sizeof *n);
    n->value = value;
    pthread_mutex_init(&n->lock, NULL); /* both locks are made here */
    return n;
}

static void *lock_in_order(void *arg)
{
    struct node **order = arg;
    pthread_mutex_lock(&order[0]->lock);
    pthread_mutex_lock(&order[1]->lock);
    pthread_mutex_unlock(&order[1]->lock);
    pthread_mutex_unlock(&order[0]->lock);
    return NULL;
}

int main(void)
{
    a = make_node(1);
    b = make_node(2);
    struct node *a_then_b[2] = { a, b }, *b_then_a[2] = { b, a };
    pthread_t t;
    pthread_create(&t, NULL, lock_in_order, a_then_b);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, lock_in_order, b_then_a);
    pthread_join(t, NULL);
    return 0;
}
