/* ksyms.h - the kernel's own symbol table, embedded at build time
 * (tools/gensyms.py writes it from `nm` of a first link), for backtraces. */
#ifndef KSYMS_H
#define KSYMS_H

#include <stdint.h>

struct ksym {
    uint64_t addr;
    const char *name;
};

extern const struct ksym ksyms[];
extern const unsigned ksyms_count;

/* The function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);
/* The address of a function by name, or 0. */
uint64_t ksym_address(const char *name);

#endif
