/* messages.c: the CLI's error and warning lines. Each is one line on stderr starting "racelab: ",
 * whatever the text it quotes holds: a newline or other control character in a file name or an
 * argument is shown as '?', so that a message never spans lines and scripts can take the first line. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void rl_cli_error(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (unsigned char *c = (unsigned char *)msg; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            *c = '?';
    fprintf(stderr, "racelab: %s\n", msg);
}
