/* peak_memory.h: for the scale test programs: prints the process's peak resident memory (VmHWM from
 * /proc/self/status) as one stdout line "peak_rss_kb N", so a test can compare a run under racelab
 * with a plain run of the same program and bound what racelab's runtime added. Header-only: the
 * programs stay single files. */
#ifndef RACELAB_TEST_PEAK_MEMORY_H
#define RACELAB_TEST_PEAK_MEMORY_H

#include <stdio.h>
#include <string.h>

static void print_peak_memory(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            sscanf(line + 6, "%ld", &kb);
    if (f)
        fclose(f);
    printf("peak_rss_kb %ld\n", kb);
    fflush(stdout);
}

#endif
