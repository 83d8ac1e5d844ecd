/* boot.c - turns the loader's boot information (multiboot2 MBI or PVH
 * hvm_start_info) into the normalized struct boot_info, then calls kmain().
 * Runs on the boot page tables: the loader's structures are read through the
 * direct map of the low 4 GiB and copied, because that memory is handed to
 * the page allocator later. */
#include "arch.h"
#include "uapi/pvh.h"
#include "kernel/boot_info.h"
#include "kernel/cpu.h"
#include "lib/string.h"
#include "lib/types.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

struct boot_info boot_info;

static void add_mem(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
    if (bi->nmmap < BOOT_MMAP_MAX && len)
        bi->mmap[bi->nmmap++] =
            (struct boot_mem_range){base, len, type < 1 || type > 5 ? MEM_RESERVED : type};
}

static void add_module(struct boot_info *bi, uint64_t start, uint64_t end, const char *name)
{
    if (bi->nmodules == BOOT_MODULES_MAX)
        return;
    struct boot_module *m = &bi->modules[bi->nmodules++];
    m->start = start;
    m->end = end;
    strlcpy(m->name, name ? name : "", sizeof(m->name));
}

/* ---- multiboot2: a list of 8-byte aligned tags after an 8-byte header */
struct mb2_tag {
    uint32_t type, size;
};

static void parse_mb2_tag(struct boot_info *bi, const struct mb2_tag *tag)
{
    const char *body = (const char *)(tag + 1);
    switch (tag->type) {
    case 1: /* command line */
        strlcpy(bi->cmdline, body, sizeof(bi->cmdline));
        break;
    case 3: { /* module: u32 start, u32 end, string */
        const uint32_t *m = (const uint32_t *)body;
        add_module(bi, m[0], m[1], (const char *)(m + 2));
        break;
    }
    case 6: { /* memory map: u32 entry_size, u32 version, entries */
        const uint32_t *h = (const uint32_t *)body;
        for (const char *e = body + 8; e + h[0] <= (const char *)tag + tag->size; e += h[0]) {
            const uint64_t *r = (const uint64_t *)e;
            add_mem(bi, r[0], r[1], *(const uint32_t *)(e + 16));
        }
        break;
    }
    case 14: /* ACPI 1.0 RSDP copy */
    case 15: /* ACPI 2.0+ RSDP copy */
        if (!bi->rsdp_phys || tag->type == 15) {
            static char rsdp_copy[64];
            memcpy(rsdp_copy, body, MIN(tag->size - 8, sizeof(rsdp_copy)));
            bi->rsdp_phys = virt_to_phys(rsdp_copy);
        }
        break;
    }
}

static void parse_multiboot2(struct boot_info *bi, uint64_t mbi_phys)
{
    bi->loader = "multiboot2";
    const char *mbi = phys_to_virt(mbi_phys);
    uint32_t total = *(const uint32_t *)mbi;
    for (uint32_t off = 8; off + 8 <= total;) {
        const struct mb2_tag *tag = (const struct mb2_tag *)(mbi + off);
        if (tag->type == 0)
            break;
        parse_mb2_tag(bi, tag);
        off += ALIGN_UP(tag->size, 8);
    }
}

/* ---- PVH: struct hvm_start_info and its lists (uapi/pvh.h) */
static void parse_pvh(struct boot_info *bi, uint64_t info_phys)
{
    const struct hvm_start_info *si = phys_to_virt(info_phys);
    bi->loader = "pvh";
    if (si->cmdline_paddr)
        strlcpy(bi->cmdline, phys_to_virt(si->cmdline_paddr), sizeof(bi->cmdline));
    const struct hvm_modlist_entry *mods = phys_to_virt(si->modlist_paddr);
    for (uint32_t i = 0; si->modlist_paddr && i < si->nr_modules; i++)
        add_module(bi, mods[i].paddr, mods[i].paddr + mods[i].size,
                   mods[i].cmdline_paddr ? phys_to_virt(mods[i].cmdline_paddr) : "");
    bi->rsdp_phys = si->rsdp_paddr;
    if (si->version >= 1 && si->memmap_paddr) {
        const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
        for (uint32_t i = 0; i < si->memmap_entries; i++)
            add_mem(bi, mm[i].addr, mm[i].size, mm[i].type);
    }
}

void arch_boot(uint32_t magic, uint64_t info_phys)
{
    arch_percpu_init(&boot_cpu, 0); /* first: every spinlock uses this_cpu() */
    arch_serial_init();
    struct boot_info *bi = &boot_info;
    if (magic == MB2_BOOTLOADER_MAGIC)
        parse_multiboot2(bi, info_phys);
    else if (((const struct hvm_start_info *)phys_to_virt(info_phys))->magic == PVH_START_MAGIC)
        parse_pvh(bi, info_phys);
    else
        bi->loader = "unknown";
    if (!bi->rsdp_phys)
        arch_acpi_find_rsdp(bi);
    kmain(bi);
}
