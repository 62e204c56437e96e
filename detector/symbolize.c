/* symbolize.c: the report-time symbolizer: code addresses to function/file/line (inlining
 * included), data addresses to "sym", "sym[i]" or "sym+OFF", over elfutils libdwfl in offline mode.
 *
 * How modules are reported (the one subtle point): dwfl_report_elf(..., base, add_p_vaddr) with
 * add_p_vaddr = true makes libdwfl's bias equal `base`, which is what dl_iterate_phdr's dlpi_addr
 * is (runtime address = dlpi_addr + p_vaddr). With add_p_vaddr = false libdwfl takes `base` as the
 * start of the first PT_LOAD and sets bias = base - p_vaddr(first PT_LOAD), which is only the same
 * when that p_vaddr is 0 (usual for PIE executables and libraries, but not guaranteed: prelinked
 * libraries, -Ttext-segment, some linker scripts). For ET_EXEC files libdwfl ignores base (bias 0).
 *
 * libdwfl wants all modules reported between dwfl_report_begin* and dwfl_report_end; lookups need
 * the report ended. So the symbolizer keeps a flag: adding a module (re)opens a report with
 * dwfl_report_begin_add (which keeps the modules already there), and a lookup closes it.
 *
 * Reporting the same file twice is not harmless to libdwfl: dwfl_report_elf opens it again, sees
 * a different descriptor for an existing module, calls that an overlap and drops the module. So
 * the symbolizer remembers every (path, bias) declared and reports each pair once.
 */
#include "symbolize.h"

#include "rl_alloc.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct declared_module {
    char *path;    /* as given to rl_symbolizer_add_module (owned) */
    uint64_t bias; /* as given */
    int result;    /* what the first declaration returned: 0 or -1 */
} declared_module;

struct rl_symbolizer {
    Dwfl *dwfl;     /* the libdwfl session; owns the module list and every open ELF/DWARF file */
    bool reporting; /* true between dwfl_report_begin(_add) and dwfl_report_end: lookups must end it */
    declared_module *declared; /* every (path, bias) declared so far, each once */
    size_t ndeclared;          /* entries used in declared */
    size_t declared_cap;       /* entries allocated in declared */
};

static char *debuginfo_path; /* NULL: elfutils' default search path for separate debug files */

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf, /* not normally called: every module's ELF is preinstalled */
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

/* Copy src into dst[size], truncating; dst is always NUL-terminated when size > 0. */
static void copy_string(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* C++ names: demangle with __cxa_demangle when the process has libstdc++ loaded (racelab itself is
 * C and does not link it; then the mangled name is kept). Returns true when buf was written. */
static bool demangle(const char *mangled, char *buf, size_t size)
{
    typedef char *cxa_demangle_fn(const char *, char *, size_t *, int *);
    if (strncmp(mangled, "_Z", 2) != 0)
        return false;
    cxa_demangle_fn *cxa_demangle;
    *(void **)&cxa_demangle = dlsym(RTLD_DEFAULT, "__cxa_demangle");
    if (!cxa_demangle)
        return false;
    int status = -1;
    char *plain = cxa_demangle(mangled, NULL, NULL, &status);
    if (status != 0 || !plain) {
        free(plain);
        return false;
    }
    copy_string(buf, size, plain);
    free(plain);
    return true;
}

static void copy_symbol_name(char *dst, size_t size, const char *name)
{
    if (!demangle(name, dst, size))
        copy_string(dst, size, name);
}

rl_symbolizer *rl_symbolizer_new(void)
{
    rl_symbolizer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dwfl = dwfl_begin(&offline_callbacks);
    if (!s->dwfl) {
        free(s);
        return NULL;
    }
    dwfl_report_begin(s->dwfl);
    s->reporting = true;
    return s;
}

void rl_symbolizer_free(rl_symbolizer *s)
{
    if (!s)
        return;
    dwfl_end(s->dwfl);
    for (size_t i = 0; i < s->ndeclared; i++)
        free(s->declared[i].path);
    rl_libc_allocator.free(rl_libc_allocator.ctx, s->declared,
                           s->declared_cap * sizeof *s->declared);
    free(s);
}

int rl_symbolizer_add_module(rl_symbolizer *s, const char *path, uint64_t bias)
{
    if (!path || !path[0])
        return -1;
    for (size_t i = 0; i < s->ndeclared; i++)
        if (s->declared[i].bias == bias && strcmp(s->declared[i].path, path) == 0)
            return s->declared[i].result;
    declared_module *grown = rl_array_grow(&rl_libc_allocator, s->declared, sizeof *grown,
                                           &s->declared_cap, s->ndeclared + 1);
    char *copy = strdup(path);
    if (grown)
        s->declared = grown;
    if (!grown || !copy) {
        free(copy);
        return -1;
    }

    if (!s->reporting) {
        dwfl_report_begin_add(s->dwfl);
        s->reporting = true;
    }
    /* name = path, so that dwfl_module_info() gives the path back for rl_frame.module. */
    Dwfl_Module *m = dwfl_report_elf(s->dwfl, path, path, -1, (GElf_Addr)bias, true);
    int result = m ? 0 : -1;
    s->declared[s->ndeclared++] = (declared_module){ .path = copy, .bias = bias, .result = result };
    return result;
}

/* Ends the pending report, if any, so that address lookups see every module added so far. */
static void finish_report(rl_symbolizer *s)
{
    if (s->reporting) {
        dwfl_report_end(s->dwfl, NULL, NULL);
        s->reporting = false;
    }
}

/* The module containing addr (NULL if none), with its path copied into module[size] (if module). */
static Dwfl_Module *find_module(rl_symbolizer *s, Dwarf_Addr addr, char *module, size_t size)
{
    finish_report(s);
    Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, addr);
    if (mod && module) {
        const char *name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        copy_string(module, size, name ? name : "");
    }
    return mod;
}

static bool is_function_scope(Dwarf_Die *die)
{
    int tag = dwarf_tag(die);
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point;
}

/* Name of a subprogram or inlined-subroutine DIE (following abstract_origin/specification):
 * the demangled linkage name when there is one and it demangles, else DW_AT_name. */
static bool die_function_name(Dwarf_Die *die, char *buf, size_t size)
{
    Dwarf_Attribute attr;
    const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
    if (!linkage)
        linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
    if (linkage && demangle(linkage, buf, size))
        return true;
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
    if (!name)
        name = linkage;
    if (!name)
        return false;
    copy_string(buf, size, name);
    return true;
}

/* The compile unit covering addr (module address; *bias receives the DWARF bias), or NULL.
 * dwfl_module_addrdie relies on .debug_aranges, which clang does not emit and libdw 0.188 does not
 * rebuild from the units' own ranges, so when it finds nothing every unit's ranges are searched
 * (linear in the number of units, once per lookup). */
static Dwarf_Die *find_cu(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);
    if (cu)
        return cu;
    while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
        if (dwarf_haspc(cu, addr - *bias) > 0)
            return cu;
    return NULL;
}

/* File and line of the line-table row covering pc (a DWARF address: module address - bias). */
static void fill_source_line(Dwarf_Die *cudie, Dwarf_Addr pc, rl_frame *f)
{
    Dwarf_Line *row = dwarf_getsrc_die(cudie, pc);
    if (!row)
        return;
    int line = 0;
    const char *file = dwarf_linesrc(row, NULL, NULL);
    if (file && dwarf_lineno(row, &line) == 0) {
        copy_string(f->file, sizeof f->file, file);
        f->line = line;
    }
}

/* The ELF symbol containing addr (any type), for code without DWARF. */
static void fill_symtab_function(Dwfl_Module *mod, Dwarf_Addr addr, rl_frame *f)
{
    GElf_Off offset = 0;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(mod, addr, &offset, &sym, NULL, NULL, NULL);
    if (name && name[0])
        copy_symbol_name(f->function, sizeof f->function, name);
}

static void frame_clear(rl_frame *f, uint64_t pc)
{
    memset(f, 0, sizeof *f);
    f->pc = pc;
}

/* Writes frame f as out[index] when it fits. */
static void frame_put(rl_frame *out, size_t max, size_t index, const rl_frame *f)
{
    if (index < max)
        out[index] = *f;
}

/* The callers of inlined code: walks the concrete DIE chain from the innermost scope at the pc
 * outwards; every DW_TAG_inlined_subroutine on it adds one frame, named after the next function
 * scope further out, at the inlined subroutine's DW_AT_call_file:DW_AT_call_line. Frames are
 * written from out[first] on; returns how many exist. */
static size_t fill_inline_callers(Dwarf_Die *cudie, Dwarf_Die *innermost, const rl_frame *base,
                                  rl_frame *out, size_t max, size_t first)
{
    Dwarf_Die *chain = NULL;
    int nchain = dwarf_getscopes_die(innermost, &chain);
    if (nchain <= 0)
        return 0;
    Dwarf_Files *files = NULL;
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(cudie, &files, &nfiles) != 0)
        files = NULL;

    size_t n = 0;
    int i = 0;
    while (i < nchain && !is_function_scope(&chain[i]))
        i++;
    /* chain[i] is the innermost function scope: already frame 0. */
    while (i < nchain && dwarf_tag(&chain[i]) == DW_TAG_inlined_subroutine) {
        int caller = i + 1;
        while (caller < nchain && !is_function_scope(&chain[caller]))
            caller++;
        if (caller >= nchain)
            break;
        rl_frame f;
        frame_clear(&f, base->pc);
        copy_string(f.module, sizeof f.module, base->module);
        die_function_name(&chain[caller], f.function, sizeof f.function);
        Dwarf_Attribute attr;
        Dwarf_Word value;
        if (files && dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_file, &attr), &value) == 0
            && value < nfiles) {
            const char *file = dwarf_filesrc(files, value, NULL, NULL);
            if (file)
                copy_string(f.file, sizeof f.file, file);
        }
        if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_line, &attr), &value) == 0)
            f.line = (int)value;
        frame_put(out, max, first + n, &f);
        n++;
        i = caller;
    }
    free(chain);
    return n;
}

/* The system's own libraries (libc, libstdc++, ...) are named from their symbol table alone: a student
 * needs "start_thread", not libc's source lines, and reading libc's separate DWARF (libc6-dbg, compressed)
 * costs about 0.1 s per report. */
static bool is_system_library(const char *path)
{
    static const char *const prefixes[] = { "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/" };
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

size_t rl_symbolize_code_inlined(rl_symbolizer *s, uint64_t pc, bool is_return_address,
                                 rl_frame *out, size_t max)
{
    rl_frame top;
    frame_clear(&top, pc);
    /* A return address points after the call; pc-1 is inside the call instruction. */
    Dwarf_Addr addr = (is_return_address && pc > 0) ? pc - 1 : pc;
    Dwfl_Module *mod = find_module(s, addr, top.module, sizeof top.module);
    if (!mod) {
        frame_put(out, max, 0, &top);
        return 0;
    }

    if (is_system_library(top.module)) {
        fill_symtab_function(mod, addr, &top);
        frame_put(out, max, 0, &top);
        return top.function[0] ? 1 : 0;
    }

    Dwarf_Addr bias = 0;
    Dwarf_Die *cudie = find_cu(mod, addr, &bias);
    Dwarf_Die *scopes = NULL;
    int nscopes = 0;
    if (cudie) {
        fill_source_line(cudie, addr - bias, &top);
        nscopes = dwarf_getscopes(cudie, addr - bias, &scopes);
    }
    int fn = 0;
    while (fn < nscopes && !is_function_scope(&scopes[fn]))
        fn++;
    if (fn < nscopes)
        die_function_name(&scopes[fn], top.function, sizeof top.function);
    if (!top.function[0])
        fill_symtab_function(mod, addr, &top);

    frame_put(out, max, 0, &top);
    size_t n = 0;
    if (top.function[0] || top.file[0]) {
        n = 1;
        if (fn < nscopes && dwarf_tag(&scopes[fn]) == DW_TAG_inlined_subroutine)
            n += fill_inline_callers(cudie, &scopes[0], &top, out, max, 1);
    }
    free(scopes);
    return n;
}

int rl_symbolize_code(rl_symbolizer *s, uint64_t pc, bool is_return_address, rl_frame *out)
{
    return rl_symbolize_code_inlined(s, pc, is_return_address, out, 1) > 0 ? 0 : -1;
}

int rl_symbolize_data(rl_symbolizer *s, uint64_t addr, size_t elem_size, char *buf, size_t bufsize)
{
    if (bufsize > 0)
        buf[0] = '\0';
    Dwfl_Module *mod = find_module(s, (Dwarf_Addr)addr, NULL, 0);
    if (!mod)
        return -1;
    GElf_Off offset = 0;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(mod, (GElf_Addr)addr, &offset, &sym, NULL, NULL, NULL);
    if (!name || !name[0])
        return -1;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_OBJECT && type != STT_TLS && type != STT_COMMON)
        return -1;
    /* A sizeless symbol (assembler label) only names its own address: "label+4000" would guess. */
    if (sym.st_size == 0 && offset != 0)
        return -1;

    char symbol[256];
    copy_symbol_name(symbol, sizeof symbol, name);
    bool array = elem_size > 0 && sym.st_size > elem_size && sym.st_size % elem_size == 0;
    if (offset == 0 && !array)
        snprintf(buf, bufsize, "%s", symbol);
    else if (array && offset % elem_size == 0)
        snprintf(buf, bufsize, "%s[%llu]", symbol, (unsigned long long)(offset / elem_size));
    else
        snprintf(buf, bufsize, "%s+%llu", symbol, (unsigned long long)offset);
    return 0;
}

const char *rl_path_relative(const char *path, const char *root)
{
    if (!path || !root || !root[0])
        return path;
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--; /* "/a/b/" is the directory "/a/b" */
    if (strncmp(path, root, n) != 0)
        return path;
    const char *rest = path + n;
    if (n == 1 && root[0] == '/')
        rest = path + 1; /* root "/": every absolute path is under it */
    else if (rest[0] != '/')
        return path; /* "/a/bc" is not under "/a/b"; "/a/b" itself has no relative name here */
    while (rest[0] == '/')
        rest++;
    return rest[0] ? rest : path;
}
