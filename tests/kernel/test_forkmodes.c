/* test_forkmodes.c - the classic fork modes, beside share (test_share.c). */
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define VA1 0x0000000000400000ul
#define VA2 0x0000300000000000ul

static struct mm *two_pages(struct ktest_ctx *t)
{
    struct mm *mm = mm_create();
    if (!EXPECT(mm != NULL))
        return NULL;
    EXPECT_EQ(mm_add_vma(mm, VA1, VA1 + PAGE_SIZE, VM_READ | VM_WRITE), 0);
    EXPECT_EQ(mm_add_vma(mm, VA2, VA2 + PAGE_SIZE, VM_READ | VM_WRITE), 0);
    EXPECT_EQ(vm_fault(mm, VA1, FAULT_WRITE), 0);
    EXPECT_EQ(vm_fault(mm, VA2, FAULT_WRITE), 0);
    return mm;
}

static struct mm *fork_with(struct mm *a, enum fork_mode mode)
{
    down_write(&a->lock);
    struct mm *b = mm_fork(a, mode, 0);
    up_write(&a->lock);
    return b;
}

KTEST(forkmodes, copy_copies_every_table_shares_pages)
{
    struct mm *a = two_pages(t);
    ASSERT(a != NULL);
    uint64_t tables = pgtable_count_tables(a->pml4), before = pgtable_tables_allocated;
    struct mm *b = fork_with(a, FORK_COPY);
    ASSERT(b != NULL);
    EXPECT_EQ(pgtable_tables_allocated - before, tables + 1); /* all of them, and a PML4 */
    EXPECT_EQ(b->fork_tables, tables + 1);                    /* and fork counted them */
    for (int i = 0; i < 2; i++) {
        uint64_t va = i ? VA2 : VA1, pa_a, pa_b;
        pte_t la, lb;
        ASSERT(pgtable_translate(a->pml4, va, &pa_a, &la) &&
               pgtable_translate(b->pml4, va, &pa_b, &lb));
        EXPECT_EQ(pa_a, pa_b); /* the page is shared */
        EXPECT_EQ(phys_to_page(pa_a)->refcount, 2);
        EXPECT(!(la & PTE_W) && !(lb & PTE_W)); /* read-only in both */
        EXPECT(!(a->pml4[pt_index(va, 4)] & PTE_COW_TABLE));
    }
    ASSERT_EQ(vm_fault(b, VA1, FAULT_WRITE), 0); /* the same fault handler copies */
    uint64_t pa_a, pa_b;
    pgtable_translate(a->pml4, VA1, &pa_a, NULL);
    pgtable_translate(b->pml4, VA1, &pa_b, NULL);
    EXPECT(pa_a != pa_b);
    mm_put(b);
    mm_put(a);
}

KTEST(forkmodes, eager_copies_every_page)
{
    struct mm *a = two_pages(t);
    ASSERT(a != NULL);
    uint64_t pa1;
    pgtable_translate(a->pml4, VA1, &pa1, NULL);
    memset(phys_to_virt(pa1), 'q', PAGE_SIZE);
    uint64_t free_before = pmm_free_pages(), tables = pgtable_count_tables(a->pml4);
    struct mm *b = fork_with(a, FORK_EAGER);
    ASSERT(b != NULL);
    uint64_t pa_b;
    pte_t la, lb;
    ASSERT(pgtable_translate(b->pml4, VA1, &pa_b, &lb) &&
           pgtable_translate(a->pml4, VA1, NULL, &la));
    EXPECT(pa_b != pa1);
    EXPECT_EQ(*(char *)phys_to_virt(pa_b), 'q'); /* the contents came along */
    EXPECT(la & PTE_W);                          /* the parent is untouched */
    EXPECT_EQ(phys_to_page(pa1)->refcount, 1);
    EXPECT(free_before - pmm_free_pages() >= tables + 1 + 2); /* tables, PML4, 2 pages */
    EXPECT_EQ(b->fork_tables, tables + 1);
    mm_put(b);
    mm_put(a);
}

KTEST(forkmodes, copy_and_eager_fail_cleanly_without_memory)
{
    struct mm *a = two_pages(t);
    ASSERT(a != NULL);
    for (int mode = FORK_COPY; mode <= FORK_EAGER; mode++) {
        for (int allow = 0; allow < 12; allow++) { /* fail at every allocation in turn */
            uint64_t free_before = pmm_free_pages();
            pmm_fail_after(allow);
            struct mm *b = fork_with(a, mode);
            pmm_fail_after(-1);
            if (b) {
                mm_put(b);
                break;
            }
            EXPECT_EQ(pmm_free_pages(), free_before); /* the partial child was freed */
        }
    }
    mm_put(a);
}
