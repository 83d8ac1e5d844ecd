/* test_pgtable.c - the walker: map, unmap, translate, destroy, and the
 * hardware really using the tables we build. */
#include "kernel/ktest.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"

#define VA1 0x0000000000400000ul /* PML4 0, PDPT 0, PD 2, PT 0 */
#define VA2 0x0000004000000000ul /* PML4 0, PDPT 256: another 1 GiB */
#define VA3 0x0000700000001000ul /* PML4 224: another 512 GiB slot */

KTEST(pgtable, map_translate_unmap)
{
    pte_t *pml4 = pgtable_create();
    ASSERT(pml4 != NULL);
    struct page *p = pmm_alloc(0, PAGE_USER, PMM_ZERO);
    ASSERT(p != NULL);
    EXPECT_EQ(pgtable_map(pml4, VA1, page_to_phys(p), PTE_W | PTE_U), 0);
    EXPECT_EQ(p->refcount, 2); /* ours + the mapping's */

    uint64_t pa = 0;
    pte_t leaf = 0;
    EXPECT(pgtable_translate(pml4, VA1 + 0x123, &pa, &leaf));
    EXPECT_EQ(pa, page_to_phys(p) + 0x123);
    EXPECT(leaf & PTE_W);
    EXPECT(leaf & PTE_U);
    EXPECT(!pgtable_translate(pml4, VA1 + PAGE_SIZE, NULL, NULL));

    EXPECT_EQ(pgtable_map(pml4, VA1, page_to_phys(p), PTE_U), -EEXIST);
    EXPECT_EQ(pgtable_unmap_range(pml4, VA1, VA1 + PAGE_SIZE), 0);
    EXPECT_EQ(p->refcount, 1);
    EXPECT(!pgtable_translate(pml4, VA1, NULL, NULL));
    pte_t *e;
    ASSERT_EQ(pgtable_walk(pml4, VA1, 1, 0, &e), 0);
    EXPECT_EQ(*e, 0); /* the leaf is empty: nothing left to unmap ... */
    EXPECT_EQ(pgtable_unmap_range(pml4, VA1, VA1 + PAGE_SIZE), 0);
    EXPECT_EQ(p->refcount, 1); /* ... and unmapping it again drops no reference */
    page_put(p);
    pgtable_destroy(pml4);
}

KTEST(pgtable, kernel_half_shared)
{
    pte_t *pml4 = pgtable_create();
    ASSERT(pml4 != NULL);
    for (unsigned i = 256; i < 512; i++)
        EXPECT_EQ(pml4[i], kernel_pml4[i]);
    uint64_t pa;
    EXPECT(pgtable_translate(pml4, (uint64_t)&kernel_pml4, &pa, NULL));
    EXPECT_EQ(pa, virt_to_phys(&kernel_pml4));
    pgtable_destroy(pml4);
}

KTEST(pgtable, tables_per_level)
{
    pte_t *pml4 = pgtable_create();
    ASSERT(pml4 != NULL);
    struct page *p = pmm_alloc(0, PAGE_USER, 0);
    ASSERT(p != NULL);
    uint64_t before = pmm_free_pages();
    EXPECT_EQ(pgtable_map(pml4, VA1, page_to_phys(p), PTE_U), 0);
    EXPECT_EQ(pgtable_count_tables(pml4), 3); /* PDPT, PD, PT */
    EXPECT_EQ(before - pmm_free_pages(), 3);
    EXPECT_EQ(pgtable_map(pml4, VA1 + PAGE_SIZE, page_to_phys(p), PTE_U), 0);
    EXPECT_EQ(pgtable_count_tables(pml4), 3); /* same PT */
    EXPECT_EQ(pgtable_map(pml4, VA2, page_to_phys(p), PTE_U), 0);
    EXPECT_EQ(pgtable_count_tables(pml4), 5); /* + PD, PT */
    EXPECT_EQ(pgtable_map(pml4, VA3, page_to_phys(p), PTE_U), 0);
    EXPECT_EQ(pgtable_count_tables(pml4), 8); /* + PDPT, PD, PT */
    EXPECT_EQ(p->refcount, 5);
    pgtable_destroy(pml4); /* drops all four mappings */
    EXPECT_EQ(p->refcount, 1);
    page_put(p);
}

KTEST(pgtable, populated_bitmap)
{
    pte_t *pml4 = pgtable_create();
    ASSERT(pml4 != NULL);
    struct page *p = pmm_alloc(0, PAGE_USER, 0);
    ASSERT(p != NULL);
    uint64_t va = VA1 + 9 * PAGE_SIZE; /* PT entry 9 */
    uint64_t group = 1ul << (9 / PT_POPULATED_GROUP);
    ASSERT_EQ(pgtable_map(pml4, va, page_to_phys(p), PTE_U), 0);
    pte_t *e;
    ASSERT_EQ(pgtable_walk(pml4, va, 1, 0, &e), 0);
    struct page *pt = virt_to_page(e);
    EXPECT_EQ(pt->kind, PAGE_TABLE);
    EXPECT_EQ(pt->level, 1);
    EXPECT_EQ(pt->populated, group);
    ASSERT_EQ(pgtable_map(pml4, va + PAGE_SIZE, page_to_phys(p), PTE_U), 0); /* entry 10 */
    EXPECT_EQ(pgtable_unmap_range(pml4, va, va + PAGE_SIZE), 0);
    EXPECT_EQ(pt->populated, group); /* entry 10, same group, still there */
    EXPECT_EQ(pgtable_unmap_range(pml4, va + PAGE_SIZE, va + 2 * PAGE_SIZE), 0);
    EXPECT_EQ(pt->populated, 0);
    page_put(p);
    pgtable_destroy(pml4);
}

KTEST(pgtable, walk_says_why_there_is_no_entry)
{
    pte_t *pml4 = pgtable_create();
    ASSERT(pml4 != NULL);
    pte_t *e = NULL;
    EXPECT_EQ(pgtable_walk(pml4, VA1, 1, 0, &e), -ENOENT); /* no PDPT, no PGW_ALLOC */
    EXPECT(e == NULL);                                    /* untouched on failure */
    pmm_fail_after(1);                                    /* the PDPT succeeds, the PD does not */
    EXPECT_EQ(pgtable_walk(pml4, VA1, 1, PGW_ALLOC, &e), -ENOMEM);
    pmm_fail_after(-1);
    EXPECT_EQ(pgtable_walk(pml4, VA1, 2, 0, &e), -ENOENT); /* the PDPT is there, the PD not */
    /* A 2 MiB page at VA2 (a supervisor mapping of physical 0, no reference). */
    ASSERT_EQ(pgtable_map_large(pml4, VA2, 0, PTE_W), 0);
    EXPECT_EQ(pgtable_walk(pml4, VA2 + PAGE_SIZE, 1, PGW_ALLOC, &e), -EEXIST);
    EXPECT_EQ(pgtable_map(pml4, VA2, 0, PTE_W), -EEXIST); /* a large page is in the way */
    ASSERT_EQ(pgtable_walk(pml4, VA2, 2, 0, &e), 0);
    EXPECT(pte_large(*e));
    pte_set(e, 0); /* table_put would take a large page for a table */
    EXPECT_EQ(pgtable_walk(pml4, VA1, 1, PGW_ALLOC, &e), 0);
    EXPECT_EQ(*e, 0);
    pgtable_destroy(pml4);
}

KTEST(pgtable, map_fails_cleanly_without_memory)
{
    pte_t *pml4 = pgtable_create();
    ASSERT(pml4 != NULL);
    struct page *p = pmm_alloc(0, PAGE_USER, 0);
    ASSERT(p != NULL);
    pmm_fail_after(1); /* the PDPT succeeds, the PD does not */
    int err = pgtable_map(pml4, VA1, page_to_phys(p), PTE_U);
    pmm_fail_after(-1);
    EXPECT_EQ(err, -ENOMEM);
    EXPECT_EQ(p->refcount, 1); /* no reference taken on failure */
    EXPECT(!pgtable_translate(pml4, VA1, NULL, NULL));
    page_put(p);
    pgtable_destroy(pml4); /* frees the half-built path too */
}

/* Switch to a new address space and let the MMU do the walk. */
KTEST(pgtable, hardware_walks_our_tables)
{
    pte_t *pml4 = pgtable_create();
    ASSERT(pml4 != NULL);
    struct page *p = pmm_alloc(0, PAGE_USER, PMM_ZERO);
    ASSERT(p != NULL);
    /* No PTE_U: a supervisor page in the lower half, so SMAP does not object. */
    ASSERT_EQ(pgtable_map(pml4, VA1, page_to_phys(p), PTE_W), 0);
    uint64_t irq = irq_save();
    uint64_t old = read_cr3();
    write_cr3(virt_to_phys(pml4));
    *(volatile uint64_t *)(VA1 + 8) = 0xc0ffee;
    int unmapped = arch_probe_read((void *)(VA1 + PAGE_SIZE));
    write_cr3(old);
    irq_restore(irq);
    EXPECT_EQ(((uint64_t *)page_to_virt(p))[1], 0xc0ffee);
    EXPECT_EQ(unmapped, -EFAULT);
    page_put(p);
    pgtable_destroy(pml4);
}
