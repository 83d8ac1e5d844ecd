/* boot_info.h - the normalized boot record.  Both boot paths (multiboot2 and
 * PVH) fill this in before kmain() runs; nothing after that looks at the
 * loader's own structures. */
#ifndef BOOT_INFO_H
#define BOOT_INFO_H

#include <stdint.h>

#define BOOT_MMAP_MAX    128
#define BOOT_MODULES_MAX 16
#define BOOT_CMDLINE_MAX 4096 /* room for test= lists */
#define BOOT_NAME_MAX    64

enum mem_type {
    MEM_USABLE = 1, /* free RAM */
    MEM_RESERVED = 2,
    MEM_ACPI = 3, /* ACPI tables, reclaimable once parsed */
    MEM_NVS = 4,
    MEM_BAD = 5,
};

struct boot_mem_range {
    uint64_t base;
    uint64_t len;
    uint32_t type; /* enum mem_type (E820 numbering) */
};

struct boot_module {
    uint64_t start; /* physical, inclusive */
    uint64_t end;   /* physical, exclusive */
    char name[BOOT_NAME_MAX];
};

struct boot_info {
    const char *loader; /* "multiboot2" or "pvh" */
    char cmdline[BOOT_CMDLINE_MAX];
    struct boot_mem_range mmap[BOOT_MMAP_MAX];
    int nmmap;
    struct boot_module modules[BOOT_MODULES_MAX];
    int nmodules;
    uint64_t rsdp_phys; /* 0 if no ACPI */
};

extern struct boot_info boot_info;

void kmain(struct boot_info *bi);

#endif
