/* kmap.c - the kernel's own page tables, built once at boot.
 *
 *   0xffff800000000000  direct map of all physical memory, RW, NX (2 MiB pages)
 *   0xffffffff80000000  the kernel image: .text R-X, .rodata R--, .data/.bss RW-
 *
 * These upper-half tables are shared by every address space and are never
 * refcounted, unshared or freed (docs/fork.md, section 1). */
#include "kernel/boot_info.h"
#include "kernel/printk.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vmstat.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern char boot_stack_guard[]; /* boot/entry.asm: left unmapped */

static void map_or_die(int err, uint64_t va)
{
    if (err)
        panic("kmap_init: cannot map %lx (error %d)", va, err);
}

static void map_image_range(char *start, char *end, pte_t flags)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE)
        if (va != (uint64_t)boot_stack_guard)
            map_or_die(pgtable_map(kernel_pml4, va, va - KERNEL_VMA, flags | PTE_G), va);
}

/* End of the highest RAM range (usable or ACPI), at least 4 GiB so that the
 * local APIC and other low MMIO are reachable too.  Reserved ranges far above
 * RAM (QEMU lists a HyperTransport hole at 1 TiB) are not mapped. */
static uint64_t phys_top(const struct boot_info *bi)
{
    uint64_t top = 4 * GiB;
    for (int i = 0; i < bi->nmmap; i++)
        if (bi->mmap[i].type != MEM_RESERVED && bi->mmap[i].type != MEM_BAD)
            top = MAX(top, bi->mmap[i].base + bi->mmap[i].len);
    return ALIGN_UP(top, 2 * MiB);
}

uint64_t kmap_tables[VM_LEVELS];

/* Count the tables under `table` (at `level`), which is one of ours. */
static void count_tables(const pte_t *table, int level)
{
    kmap_tables[level]++;
    if (level == 1)
        return;
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        if (pte_present(table[i]) && !pte_large(table[i]))
            count_tables(pte_table(table[i]), level - 1);
}

void kmap_init(const struct boot_info *bi)
{
    struct page *root = pmm_alloc(0, PAGE_TABLE, PMM_ZERO);
    if (!root)
        panic("kmap_init: no page for the kernel PML4");
    root->level = 4;
    kernel_pml4 = page_to_virt(root);

    uint64_t top = phys_top(bi);
    for (uint64_t pa = 0; pa < top; pa += 2 * MiB)
        map_or_die(pgtable_map_large(kernel_pml4, DIRECT_MAP_BASE + pa, pa, PTE_W | PTE_NX | PTE_G),
                   pa);

    map_image_range(__text_start, __text_end, 0);
    map_image_range(__rodata_start, __rodata_end, PTE_NX);
    map_image_range(__data_start, __data_end, PTE_W | PTE_NX);

    write_cr3(virt_to_phys(kernel_pml4));
    count_tables(kernel_pml4, 4); /* all of them: nothing maps kernel memory later */
    pr_info("kmap: direct map of %lu MiB at %lx, kernel text %lu KiB read-only\n", top / MiB,
            DIRECT_MAP_BASE, (uint64_t)(__text_end - __text_start) / KiB);
}
