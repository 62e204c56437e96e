/* lab_options.h: the command-line mechanics every lab shares. Each lab keeps its own option table,
 * short-option string and usage text; these run getopt_long over them, answer -h/--help and a bad
 * command line the same way in every lab, and read numeric option values.
 *
 * Exit statuses, the same in every lab: 0 after -h/--help (the usage on stdout); 2 for an unknown
 * option or an option without its value (getopt's line naming it, then the usage on stderr), for an
 * operand (the usage on stderr; no lab takes any) and for a number out of range (one line on stderr). */
#ifndef RACELAB_LAB_OPTIONS_H
#define RACELAB_LAB_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

enum { LAB_EXIT_USAGE = 2 };

/* One lab's command line. */
struct lab_options {
    const char *name;                          /* the lab, first word of its errors: "unsafe_counter" */
    const char *short_options;                 /* for getopt_long; 'h' is -h, the help */
    const struct option *long_options;         /* ends with a zero entry; "help" maps to 'h' */
    void (*usage)(FILE *to, const char *prog); /* prints the lab's help; prog is argv[0] */
};

/* The next option, as getopt_long returns it (its value in optarg), or -1 when the options are over
 * and no operand follows. Does not return for -h/--help (exit 0) nor for a bad command line (exit 2). */
int lab_next_option(const struct lab_options *lab, int argc, char **argv);

/* Prints the usage on stderr and exits with 2: for a combination of options the lab refuses. */
_Noreturn void lab_usage_error(const struct lab_options *lab, const char *prog);

/* Whether text is a whole decimal number from min to max; if it is, stores it in *value. */
bool lab_number_in_range(const char *text, long min, long max, long *value);

/* text as a whole decimal number from min to max; on anything else prints
 * "NAME: WHAT must be a number from MIN to MAX, not 'TEXT'" and exits with 2. */
long lab_count_option(const struct lab_options *lab, const char *text, const char *what, long min, long max);

#endif
