/* no_threads.c (trap): a plain single-threaded C program that never calls pthreads.
 *
 * It sums 1..1000 and prints the result and its effective user id (a test runs a setuid copy of it
 * and checks which user it ran as).
 * Expect: no findings; exit status 0.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    long sum = 0;
    for (int i = 1; i <= 1000; i++)
        sum += i;
    printf("sum %ld euid %d\n", sum, (int)geteuid());
    return sum == 500500 ? 0 : 1;
}
