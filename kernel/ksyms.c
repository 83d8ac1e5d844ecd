/* ksyms.c - looking up the embedded symbol table (sorted by address). */
#include "kernel/ksyms.h"
#include "lib/string.h"

extern char __text_start[], __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
    if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end || ksyms_count == 0)
        return NULL;
    unsigned lo = 0, hi = ksyms_count; /* find the last symbol <= addr */
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (ksyms[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (ksyms[lo].addr > addr)
        return NULL;
    *offset = addr - ksyms[lo].addr;
    return ksyms[lo].name;
}

uint64_t ksym_address(const char *name)
{
    for (unsigned i = 0; i < ksyms_count; i++)
        if (!strcmp(ksyms[i].name, name))
            return ksyms[i].addr;
    return 0;
}
