/* fuzz_exercise.c: libFuzzer target for the exercise spec reader (cli/grade_spec.c, with the check
 * expressions it parses through cli/grade_expr.c): any exercise.json text is either loaded or refused
 * with a one-line reason; a loaded one is freed whole. */
#include <string.h>

#include "grade.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    rl_exercise ex;
    char err[1024];
    if (rl_exercise_load_text("exercises/fuzz", (const char *)data, size, &ex, err, sizeof err) == 0) {
        char out[256];
        for (size_t i = 0; i < ex.n_tests; i++)
            for (size_t c = 0; c < ex.tests[i].n_checks; c++)
                if (ex.tests[i].checks[c].message)
                    rl_expr_format(ex.tests[i].checks[c].message, NULL, NULL, out, sizeof out);
        rl_exercise_free(&ex);
    } else if (!err[0] || strchr(err, '\n')) {
        __builtin_trap(); /* a refusal always says why, on one line */
    }
    return 0;
}
