/* lab_options.c: the command-line mechanics every lab shares (getopt loop, help, usage errors,
 * numeric values); see lab_options.h. */
#include "lab_options.h"

#include <stdlib.h>

int lab_next_option(const struct lab_options *lab, int argc, char **argv)
{
    int opt = getopt_long(argc, argv, lab->short_options, lab->long_options, NULL);
    switch (opt) {
    case 'h':
        lab->usage(stdout, argv[0]);
        exit(0);
    case '?': /* an unknown option or one without its value: getopt has said which */
        lab_usage_error(lab, argv[0]);
    case -1:
        if (optind != argc) /* an operand: no lab takes any */
            lab_usage_error(lab, argv[0]);
        return -1;
    default:
        return opt;
    }
}

void lab_usage_error(const struct lab_options *lab, const char *prog)
{
    lab->usage(stderr, prog);
    exit(LAB_EXIT_USAGE);
}

bool lab_number_in_range(const char *text, long min, long max, long *value)
{
    char *end;
    long number = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || number < min || number > max)
        return false;
    *value = number;
    return true;
}

long lab_count_option(const struct lab_options *lab, const char *text, const char *what, long min, long max)
{
    long value;
    if (!lab_number_in_range(text, min, max, &value)) {
        fprintf(stderr, "%s: %s must be a number from %ld to %ld, not '%s'\n", lab->name, what, min, max,
                text);
        exit(LAB_EXIT_USAGE);
    }
    return value;
}
