/* test_confirm_tsan.c: `racelab confirm` (a reported lock-order cycle made to happen, or shown not to
 * happen once a gate lock guards it) and ThreadSanitizer builds run through `racelab run`, with TSan's
 * findings merged into racelab's report as "source": "tsan". */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "run_racelab.h"

#define LAB(name) RACELAB_LAB_DIR "/" name

static bool contains(const char *haystack, const char *needle) { return haystack && strstr(haystack, needle); }

/* A potential-deadlock report of lock_order_deadlock --mode timing, written to `path`. */
static void potential_report(rl_run *first, const char *path)
{
    rl_run_racelab(first, (const char *const[]){"run", "--quiet", "--json", path, "--",
                                                LAB("lock_order_deadlock"), "--mode", "timing", NULL});
    rl_expect(first, eq(int, first->status, 66));
}

Test(confirm, timing_cycle_is_confirmed)
{
    rl_run first, c;
    char path[300], out[300];
    rl_run_racelab(&first, (const char *const[]){"--version", NULL});
    snprintf(path, sizeof path, "%s/first.json", first.dir);
    snprintf(out, sizeof out, "%s/confirm.json", first.dir);
    potential_report(&first, path);
    rl_run_racelab(&c, (const char *const[]){"confirm", path, "--json", out, "--", LAB("lock_order_deadlock"), "--mode",
                                            "timing", NULL});
    rl_expect(&c, eq(int, c.status, 66));
    rl_expect(&c, contains(c.err, "confirmed"));
    json_error_t err;
    json_t *j = json_load_file(out, 0, &err);
    cr_assert(j != NULL, "no confirm JSON: %s", err.text);
    bool confirmed = json_is_true(json_object_get(j, "confirmed"));
    cr_expect(confirmed);
    cr_expect(eq(str, (char *)json_string_value(json_object_get(json_object_get(j, "deadlock"), "kind")), "deadlock"));
    json_decref(j);
    rl_run_free(&c);
    rl_run_free(&first);
}

Test(confirm, gate_locked_variant_is_never_confirmed)
{
    rl_run first, c;
    char path[300];
    rl_run_racelab(&first, (const char *const[]){"--version", NULL});
    snprintf(path, sizeof path, "%s/first.json", first.dir);
    potential_report(&first, path);
    /* the same binary, now with every transfer behind one bank-wide lock */
    rl_run_racelab(&c, (const char *const[]){"confirm", path, "--tries", "3", "--", LAB("lock_order_deadlock"), "--mode",
                                            "timing", "--gate", NULL});
    rl_expect(&c, eq(int, c.status, 0));
    rl_expect(&c, contains(c.err, "not confirmed after 3 tries"));
    rl_run_free(&c);
    rl_run_free(&first);
}

Test(confirm, bad_input)
{
    rl_run first, c;
    char path[300], garbage[300];
    rl_run_racelab(&first, (const char *const[]){"run", "--quiet", "--json", RL_REPORT, "--", LAB("locked_counter"),
                                                "-n", "10", NULL});
    rl_expect(&first, eq(int, first.status, 0));
    snprintf(path, sizeof path, "%s", first.report_path);
    /* no potential-deadlock in it */
    rl_run_racelab(&c, (const char *const[]){"confirm", path, "--", LAB("locked_counter"), NULL});
    rl_expect(&c, eq(int, c.status, 4));
    rl_run_free(&c);
    /* malformed JSON */
    snprintf(garbage, sizeof garbage, "%s/garbage.json", first.dir);
    FILE *g = fopen(garbage, "w");
    cr_assert(g != NULL);
    fputs("{\"findings\": [", g);
    fclose(g);
    rl_run_racelab(&c, (const char *const[]){"confirm", garbage, "--", LAB("locked_counter"), NULL});
    rl_expect(&c, eq(int, c.status, 4));
    rl_expect(&c, contains(c.err, "racelab: cannot read the report"));
    rl_run_free(&c);
    /* usage */
    rl_run_racelab(&c, (const char *const[]){"confirm", path, LAB("locked_counter"), NULL});
    rl_expect(&c, eq(int, c.status, 2));
    rl_run_free(&c);
    rl_run_racelab(&c, (const char *const[]){"confirm", "--", LAB("locked_counter"), NULL});
    rl_expect(&c, eq(int, c.status, 2));
    rl_run_free(&c);
    rl_run_free(&first);
}

Test(tsan_merge, unsafe_counter_race_has_source_tsan)
{
    rl_run run;
    rl_run_lab(&run, "unsafe_counter-tsan", "-n", "1000", NULL);
    rl_expect(&run, eq(int, run.status, 66));
    json_t *race = rl_finding(&run, "data-race", 0);
    rl_expect(&run, race != NULL);
    rl_expect(&run, eq(str, rl_str_at(&run, race, "source"), "tsan"));
    bool merged = json_is_true(json_object_get(run.report, "tsan"));
    rl_expect(&run, merged);
    rl_run_free(&run);
}

Test(tsan_merge, lock_order_inversion_is_potential_deadlock)
{
    rl_run run;
    rl_run_lab(&run, "lock_order_deadlock-tsan", "--mode", "apart", NULL);
    rl_expect(&run, eq(int, run.status, 66));
    json_t *f = rl_finding(&run, "potential-deadlock", 0);
    rl_expect(&run, f != NULL);
    rl_expect(&run, eq(str, rl_str_at(&run, f, "source"), "tsan"));
    rl_run_free(&run);
}

Test(tsan_merge, locked_counter_is_clean)
{
    rl_run run;
    rl_run_lab(&run, "locked_counter-tsan", "-n", "1000", NULL);
    rl_expect_normal_exit(&run, "");
    rl_run_free(&run);
}
