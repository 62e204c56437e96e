/* symbolize.h: turns raw addresses recorded by the runtime into names a person can read, at report
 * time, after the program under test has exited: code addresses into function/file/line, data
 * addresses (global locks) into "fork_[3]" or "accounts+48".
 *
 * Built on elfutils libdwfl in offline mode: the process is gone, so the caller declares each module
 * it had loaded (ELF path + load bias, as recorded from dl_iterate_phdr) and the symbolizer reads the
 * files from disk. Debug info is found the standard elfutils way (the file itself, .gnu_debuglink,
 * /usr/lib/debug/.build-id, and debuginfod if DEBUGINFOD_URLS is set in the environment).
 *
 * Bias: `bias` is dl_iterate_phdr's dlpi_addr, i.e. runtime address = bias + ELF virtual address.
 * It is NOT the address of the first mapping: for a shared library whose first PT_LOAD has a
 * non-zero p_vaddr the two differ. For a non-PIE (ET_EXEC) executable the bias is ignored (0).
 *
 * Degrading: a module whose file cannot be opened is skipped (its addresses stay unknown); a module
 * without debug info gives function names from its symbol table and an empty file; a data address
 * is named only from the ELF symbol table (static symbols need .symtab, i.e. an unstripped file or
 * its separate debug file). Nothing aborts and there are no fixed caps.
 *
 * Threading: no internal locking; calls on one symbolizer must be serialised by the caller.
 * Memory: uses malloc (through libdw); not for use inside the preloaded runtime.
 * Cost: the first lookup in a module reads its symbol table and debug info; later ones are cached.
 * A code lookup in a module without .debug_aranges (clang does not emit them) scans its compile
 * units' address ranges. Declaring a module is linear in the modules declared so far.
 *
 * Known limit: data names rely on the symbol's st_size. clang's ASan pads globals and grows
 * st_size by the redzone, so in such binaries array elements come out as "sym+OFF".
 */
#ifndef RACELAB_SYMBOLIZE_H
#define RACELAB_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rl_symbolizer rl_symbolizer;

typedef struct rl_frame {
    uint64_t pc;        /* the address as recorded */
    char function[256]; /* demangled if possible, "" if unknown; truncated if longer */
    char file[512];     /* source file path as in DWARF ("" if unknown) */
    int line;           /* 0 if unknown */
    char module[512];   /* path of the ELF module containing pc ("" if none) */
} rl_frame;

/* A symbolizer with no modules. Returns NULL when out of memory. */
rl_symbolizer *rl_symbolizer_new(void);
/* Frees everything, including libdw's state and open files. NULL is allowed. */
void rl_symbolizer_free(rl_symbolizer *s);

/* Declare a module loaded in the (now gone) process: ELF file path and its load bias (dlpi_addr:
 * 0 for a non-PIE executable). Call for each module before symbolizing; modules may also be added
 * after lookups. Returns 0, or -1 when the file cannot be opened or is not an ELF file with program
 * headers (e.g. "linux-vdso.so.1"): the module is then skipped, silently, and addresses in its
 * range stay unknown. Declaring the same path and bias twice is harmless. */
int rl_symbolizer_add_module(rl_symbolizer *s, const char *path, uint64_t bias);

/* Code address. `is_return_address`: true for frames that are return addresses (pc-1 is looked up,
 * so the line is the call's line, not the next one's). Fills *out: always sets pc; fields empty/0
 * when unknown. When pc lies in inlined code, function/file/line describe the innermost inlined
 * function (the line belongs to it); rl_symbolize_code_inlined() gives the whole chain.
 * Returns 0 when at least the function or the file was found, -1 otherwise. */
int rl_symbolize_code(rl_symbolizer *s, uint64_t pc, bool is_return_address, rl_frame *out);

/* Like rl_symbolize_code, with inlining expanded, as `addr2line -i` does: out[0] is the innermost
 * function (as rl_symbolize_code gives it), out[1] the function it was inlined into, with file/line
 * of the inlined call, and so on out to the real (out-of-line) function. All frames get the same
 * pc and module. Writes at most `max` frames and returns how many exist (which may exceed max), or
 * 0 when neither function nor file is known (out[0] is then still filled as rl_symbolize_code
 * fills it, if max > 0). */
size_t rl_symbolize_code_inlined(rl_symbolizer *s, uint64_t pc, bool is_return_address,
                                 rl_frame *out, size_t max);

/* Data address (a global lock): writes a person's name for it into buf, from the ELF symbol table
 * entry (data objects only: STT_OBJECT, STT_TLS, STT_COMMON, local ones included) containing addr:
 *   offset 0                                              -> "sym"
 *   symbol size and offset both multiples of elem_size    -> "sym[i]", i = offset / elem_size
 *   otherwise                                             -> "sym+OFF", OFF in decimal
 * e.g. "fork_[3]" for &fork_[3] of `pthread_mutex_t fork_[5]` with elem_size =
 * sizeof(pthread_mutex_t); "accounts+48". elem_size 0 means "no element size" (never "[i]").
 * The name is truncated to fit bufsize (always NUL-terminated when bufsize > 0).
 * Returns 0 if a symbol was found, -1 otherwise (buf is then empty). */
int rl_symbolize_data(rl_symbolizer *s, uint64_t addr, size_t elem_size, char *buf, size_t bufsize);

/* Shorter paths for reports: if `path` lies under directory `root` ("/a/b" or "/a/b/"), returns
 * the part after root (a pointer into path, e.g. "src/x.c" for "/a/b/src/x.c"); otherwise returns
 * path unchanged. A path equal to root, a NULL or empty root, and "/a/bc" under "/a/b" are left
 * unchanged. No state, no allocation. */
const char *rl_path_relative(const char *path, const char *root);

#endif
