/* test_kmap.c - the kernel's own mappings: W^X and the direct map. */
#include "kernel/boot_info.h"
#include "kernel/ktest.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"

static const int some_constant = 42;
static int some_variable = 7;

KTEST(kmap, text_is_read_only)
{
    EXPECT_EQ(arch_probe_read((void *)kmain), 0);
    EXPECT_EQ(arch_probe_write((void *)kmain), -EFAULT);
    pte_t leaf;
    ASSERT(pgtable_translate(kernel_pml4, (uint64_t)kmain, NULL, &leaf));
    EXPECT(!(leaf & PTE_W));
    EXPECT(!(leaf & PTE_NX));
}

KTEST(kmap, rodata_is_read_only_and_nx)
{
    EXPECT_EQ(arch_probe_write((void *)&some_constant), -EFAULT);
    pte_t leaf;
    ASSERT(pgtable_translate(kernel_pml4, (uint64_t)&some_constant, NULL, &leaf));
    EXPECT(!(leaf & PTE_W));
    EXPECT(leaf & PTE_NX);
}

KTEST(kmap, data_is_writable_and_nx)
{
    EXPECT_EQ(arch_probe_write(&some_variable), 0);
    pte_t leaf;
    ASSERT(pgtable_translate(kernel_pml4, (uint64_t)&some_variable, NULL, &leaf));
    EXPECT(leaf & PTE_W);
    EXPECT(leaf & PTE_NX);
}

KTEST(kmap, null_page_unmapped)
{
    EXPECT_EQ(arch_probe_read((void *)0), -EFAULT);
    EXPECT_EQ(arch_probe_read((void *)0x1000), -EFAULT);
}

KTEST(kmap, direct_map_covers_ram)
{
    const struct boot_info *bi = &boot_info;
    for (int i = 0; i < bi->nmmap; i++) {
        const struct boot_mem_range *r = &bi->mmap[i];
        if (r->type != MEM_USABLE)
            continue;
        uint64_t last = ALIGN_DOWN(r->base + r->len - 1, PAGE_SIZE);
        uint64_t pa;
        pte_t leaf;
        EXPECT(pgtable_translate(kernel_pml4, (uint64_t)phys_to_virt(last), &pa, &leaf));
        EXPECT_EQ(pa, last);
        EXPECT(leaf & PTE_NX);
        EXPECT_EQ(arch_probe_read(phys_to_virt(last)), 0);
    }
}
