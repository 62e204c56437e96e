/* tsan_report.h: reads ThreadSanitizer's own text reports (what a program built with
 * -fsanitize=thread writes to stderr or to its log_path.<pid> files) and turns each one into a
 * racelab finding with "source": "tsan", so that one report can show what racelab found and what
 * TSan found. It also tells whether a binary was built with TSan at all.
 *
 * What is a report: a block
 *     ==================
 *     WARNING: ThreadSanitizer: <title> (pid=<pid>)
 *     ...
 *     ==================
 * Everything outside such blocks (the program's own output, "ThreadSanitizer: reported N
 * warnings", deadly-signal "==PID==ERROR: ThreadSanitizer: SEGV ..." dumps) is ignored. ANSI colour
 * codes (TSAN_OPTIONS=color=always) are removed first.
 * A block counts as skipped, not as a finding, when it is cut short (no closing "=================="
 * line before the next WARNING or the end of the text) or has no title. Inside a complete block,
 * lines the parser does not know are ignored; the block itself is always kept in "tsan_text".
 *
 * Finding kinds, by TSan's title:
 *     data race                                         -> data-race
 *     lock-order-inversion (potential deadlock)         -> potential-deadlock
 *     double lock of a mutex                            -> double-lock
 *     unlock of an unlocked mutex (or by a wrong thread)-> unlock-unlocked
 *     destroy of a locked mutex                         -> destroy-locked
 *     thread leak                                       -> thread-leak
 *     signal-unsafe call inside of a signal             -> signal-unsafe
 *     heap-use-after-free                               -> use-after-free
 *     anything else                                     -> "tsan-" + the title in lower case, each run
 *                                                          of other characters than [a-z0-9] as one
 *                                                          '-' ("tsan-signal-handler-spoils-errno")
 *
 * A finding (the shape of docs/report.schema.json's findings, plus the fields marked +; the schema's
 * kind enum does not list the kinds above that racelab itself never reports, data-race and so on):
 *     kind, source (+, "tsan")
 *     summary      one line: the title, then "on 'var'", the cycle, the first frame with a source
 *                  line ("data race on 'counter' at increment (main.c:43)", "thread leak: T1 created
 *                  at main (leak.c:11); 2 more similar")
 *     pid          from the "(pid=N)" of the title line; the caller's pid if the line has none
 *     threads      [{id, name "T<id>", parent, created_at}] for each thread that made an access,
 *                  holds an edge's lock or has a "Thread T<n> ... created by" section (TSan's "main
 *                  thread" is T0); [] when there is none (TSan names no thread in mutex misuse by
 *                  the main thread)
 *     locks        [{id, name, address, init}]: TSan's mutexes M0, M1 ... ; name is "M<n>", or the
 *                  global variable when the report's "Location is global 'x'" is that mutex;
 *                  init is the "created at" stack (TSan prints none in lock-order reports)
 *     accesses (+) [{thread, op "read"|"write", size, address, atomic, stack, holds}] of a data race
 *                  or use after free, current access first; holds (only when non-empty) is
 *                  [{lock, mode}] from "(mutexes: write M0, read M1)"
 *     variable (+) the name from "Location is global 'counter' ...", when the report has one
 *     detail       the location line after "Location is ", when the report has one
 *     cycle        lock ids in order (lock-order-inversion)
 *     edges        [{from, to, thread, to_stack, from_stack}] (lock-order-inversion); from_stack is
 *                  [] unless TSAN_OPTIONS had second_deadlock_stack=1
 *     stack        the first stack of a single-stack report (mutex misuse, signal-unsafe, ...); for
 *                  a thread leak, where the leaked thread was created
 *     other_stacks (+) the further stacks TSan prints after "and:" (destroy-locked: where it was
 *                  locked)
 *     count (+)    for "And N more similar thread leaks.": N + 1
 *     tsan_text (+) the whole block, colour codes removed
 * A frame is {pc, function, file, line, module} from "#0 fn /path/f.c:43:17 (mod+0xd0612) ...":
 * pc is the offset inside module as TSan prints it (TSan prints no absolute addresses for code in a
 * known module), the address for "(0x...)", "0x0" for "(<unknown module>)"; function and file are
 * left out when TSan prints "<null>", line when it prints none; the column is dropped.
 *
 * Lock ids are unique in `findings`: new ids continue after the largest "id" already in the
 * "locks" of the findings in the array, and within one call the same (pid, address) gets the same
 * id in every finding (TSan numbers M0, M1 ... afresh in each report).
 *
 * Threading: none; no global state. Memory: malloc; the findings belong to the array.
 * Cost: linear in the text, times the number of distinct mutexes for the lock ids.
 */
#ifndef RACELAB_TSAN_REPORT_H
#define RACELAB_TSAN_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses len bytes of TSan output (any bytes: colour codes are removed, NULs and bytes that are not
 * UTF-8 become '?') and appends one finding per complete report to `findings`, a JSON array. Returns the number
 * appended. Adds the number of reports it could not use to *skipped (skipped may be NULL). Text
 * with no report appends nothing; a NULL text or a findings that is not an array appends nothing. */
size_t rl_tsan_parse(const char *text, size_t len, int pid, json_t *findings, size_t *skipped);

/* Parses every regular file in dir whose name starts with prefix, in the order of the pid suffix
 * (TSan writes PREFIX.<pid>, e.g. log_path=DIR/tsan gives DIR/tsan.1234; pass "tsan"). The pid is
 * the number after the name's last '.', 0 when that is not a number (the reports' own pids win
 * anyway). A file that cannot be read counts as one skipped report. Returns the number of findings
 * appended; 0 when dir cannot be opened. */
size_t rl_tsan_parse_dir(const char *dir, const char *prefix, json_t *findings, size_t *skipped);

/* True if the ELF file at path was built with ThreadSanitizer: a symbol named __tsan_init in its
 * .symtab or .dynsym, defined (clang links the runtime in) or undefined (gcc's libtsan.so, or a
 * shared library built with -fsanitize=thread). False for anything else, including a file that is
 * not ELF or cannot be opened. */
bool rl_is_tsan_binary(const char *path);

#endif
