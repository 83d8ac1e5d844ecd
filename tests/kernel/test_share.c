/* test_share.c - fork over shared page tables, checked table by table. */
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/share.h"
#include "mm/vm.h"
#include "mm/vmstat.h"

#define VA1 0x0000000000400000ul /* PML4 0, PDPT 0 */
#define VA2 0x0000004000000000ul /* PML4 0, PDPT 256: another 1 GiB */
#define VA3 0x0000300000000000ul /* PML4 96: another 512 GiB slot */

static const uint64_t vas[] = {VA1, VA2, VA3};

/* An address space with one written page at each of vas[], holding `v`. */
static struct mm *populated_mm(struct ktest_ctx *t, char v)
{
    struct mm *mm = mm_create();
    if (!EXPECT(mm != NULL))
        return NULL;
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_EQ(mm_add_vma(mm, vas[i], vas[i] + 16 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
        EXPECT_EQ(vm_fault(mm, vas[i], FAULT_WRITE), 0);
        uint64_t pa;
        if (pgtable_translate(mm->pml4, vas[i], &pa, NULL))
            memset(phys_to_virt(pa), v, PAGE_SIZE);
    }
    return mm;
}

static char byte_at(struct mm *mm, uint64_t va)
{
    uint64_t pa;
    return pgtable_translate(mm->pml4, va, &pa, NULL) ? *(char *)phys_to_virt(pa) : 0;
}

static struct mm *fork_shared(struct mm *a)
{
    down_write(&a->lock);
    struct mm *b = mm_fork(a, FORK_SHARE, 0);
    up_write(&a->lock);
    return b;
}

static struct page *table_page(pte_t e) { return virt_to_page(pte_table(e)); }

KTEST(share, fork_touches_only_the_pml4)
{
    struct mm *a = populated_mm(t, 'a');
    ASSERT(a != NULL);
    uint64_t pa_before[3];
    for (unsigned i = 0; i < 3; i++)
        pgtable_translate(a->pml4, vas[i], &pa_before[i], NULL);
    uint64_t tables_before = pgtable_count_tables(a->pml4);
    struct mm *b = fork_shared(a);
    ASSERT(b != NULL);
    for (unsigned slot = 0; slot < 256; slot++) {
        if (!a->pml4[slot])
            continue;
        EXPECT_EQ(a->pml4[slot], b->pml4[slot]); /* the very same PDPT */
        EXPECT(!(a->pml4[slot] & PTE_W));        /* invariant W */
        EXPECT(a->pml4[slot] & PTE_COW_TABLE);
        EXPECT_EQ(table_page(a->pml4[slot])->refcount, 2);
    }
    for (unsigned i = 0; i < 3; i++) {
        uint64_t pa;
        EXPECT(pgtable_translate(b->pml4, vas[i], &pa, NULL));
        EXPECT_EQ(pa, pa_before[i]);              /* no page copied */
        EXPECT_EQ(phys_to_page(pa)->refcount, 1); /* nor even touched */
    }
    EXPECT_EQ(pgtable_count_tables(a->pml4), tables_before); /* nothing below copied */
    EXPECT_EQ(b->fork_tables, 1);                            /* the child's PML4 only */
    mm_put(b);
    mm_put(a);
}

KTEST(share, write_unshares_the_path_and_copies_the_page)
{
    struct mm *a = populated_mm(t, 'a');
    ASSERT(a != NULL);
    struct mm *b = fork_shared(a);
    ASSERT(b != NULL);
    struct vm_events before = vm_events;
    ASSERT_EQ(vm_fault(b, VA1, FAULT_WRITE), 0);
    /* PDPT, PD and PT on the path to VA1 were copied: shared by a's PML4. */
    EXPECT_EQ(vm_events.unshare_copies[3] - before.unshare_copies[3], 1);
    EXPECT_EQ(vm_events.unshare_copies[2] - before.unshare_copies[2], 1);
    EXPECT_EQ(vm_events.unshare_copies[1] - before.unshare_copies[1], 1);
    EXPECT_EQ(vm_events.cow_copies - before.cow_copies, 1);
    EXPECT(b->pml4[0] & PTE_W);
    EXPECT(!(b->pml4[0] & PTE_COW_TABLE));
    EXPECT(pte_addr(a->pml4[0]) != pte_addr(b->pml4[0]));
    /* a is its last user now: b's old tables waited for b's next flush,
     * and the page copy flushed b */
    EXPECT_EQ(table_page(a->pml4[0])->refcount, 1);
    uint64_t pa_a, pa_b;
    ASSERT(pgtable_translate(a->pml4, VA1, &pa_a, NULL) &&
           pgtable_translate(b->pml4, VA1, &pa_b, NULL));
    EXPECT(pa_a != pa_b);
    *(char *)phys_to_virt(pa_b) = 'b';
    EXPECT_EQ(byte_at(a, VA1), 'a');
    EXPECT_EQ(byte_at(b, VA1), 'b');
    EXPECT_EQ(byte_at(b, VA3), 'a'); /* untouched slot: still shared */
    EXPECT(b->pml4[pt_index(VA3, 4)] & PTE_COW_TABLE);
    mm_put(b);
    mm_put(a);
}

KTEST(share, read_fault_in_shared_table_stays_private)
{
    struct mm *a = populated_mm(t, 'a');
    ASSERT(a != NULL);
    struct mm *b = fork_shared(a);
    ASSERT(b != NULL);
    uint64_t va = VA1 + 5 * PAGE_SIZE; /* empty entry in the shared PT */
    ASSERT_EQ(vm_fault(b, va, 0), 0);
    EXPECT(pgtable_translate(b->pml4, va, NULL, NULL));
    EXPECT(!pgtable_translate(a->pml4, va, NULL, NULL)); /* a must not see b's page */
    /* Nothing flushed b yet: b still holds the PDPT it copied (other CPUs
     * running b may walk it through their caches), until b's next flush. */
    EXPECT_EQ(table_page(a->pml4[0])->refcount, 2);
    tlb_flush(b->pml4, VA1, VA1 + PAGE_SIZE); /* any flush of b will do */
    EXPECT_EQ(table_page(a->pml4[0])->refcount, 1);
    mm_put(b);
    mm_put(a);
}

KTEST(share, last_user_takes_the_table_back)
{
    struct mm *a = populated_mm(t, 'a');
    ASSERT(a != NULL);
    struct mm *b = fork_shared(a);
    ASSERT(b != NULL);
    mm_put(b); /* exit of a child that wrote nothing: one decrement per PDPT */
    EXPECT_EQ(table_page(a->pml4[0])->refcount, 1);
    struct vm_events before = vm_events;
    uint64_t free_before = pmm_free_pages();
    ASSERT_EQ(vm_fault(a, VA1, FAULT_WRITE), 0);
    EXPECT_EQ(vm_events.unshare_takebacks[3] - before.unshare_takebacks[3], 1);
    EXPECT_EQ(vm_events.unshare_copies[3] - before.unshare_copies[3], 0);
    EXPECT_EQ(vm_events.cow_copies - before.cow_copies, 0);
    EXPECT_EQ(pmm_free_pages(), free_before); /* nothing copied, nothing allocated */
    EXPECT(a->pml4[0] & PTE_W);
    mm_put(a);
}

KTEST(share, unshare_without_memory_changes_nothing)
{
    struct mm *a = populated_mm(t, 'a');
    ASSERT(a != NULL);
    struct mm *b = fork_shared(a);
    ASSERT(b != NULL);
    pte_t a0 = a->pml4[0], b0 = b->pml4[0];
    uint64_t free_before = pmm_free_pages();
    for (int allow = 0; allow < 4; allow++) { /* fail at each step of the walk */
        pmm_fail_after(allow);
        int err = vm_fault(b, VA1, FAULT_WRITE);
        pmm_fail_after(-1);
        if (err == 0)
            break;
        EXPECT_EQ(err, -ENOMEM);
        EXPECT_EQ(byte_at(a, VA1), 'a');
    }
    EXPECT_EQ(a->pml4[0], a0); /* the other sharer is untouched throughout */
    EXPECT_EQ(byte_at(b, VA1), 'a');
    (void)b0;
    (void)free_before;
    mm_put(b);
    mm_put(a);
}

KTEST(share, munmap_of_a_whole_shared_subtree_is_one_decrement)
{
    struct mm *a = populated_mm(t, 'a');
    ASSERT(a != NULL);
    struct mm *b = fork_shared(a);
    ASSERT(b != NULL);
    unsigned slot = pt_index(VA3, 4);
    struct page *pdpt = table_page(a->pml4[slot]);
    uint64_t free_before = pmm_free_pages();
    uint64_t slot_start = (uint64_t)slot << 39;
    down_write(&b->lock);
    EXPECT_EQ(mm_unmap_range(b, slot_start, slot_start + (1ul << 39)), 0);
    up_write(&b->lock);
    EXPECT_EQ(b->pml4[slot], 0);
    EXPECT_EQ(pdpt->refcount, 1);
    EXPECT(pmm_free_pages() >= free_before); /* no table was copied to do it */
    EXPECT_EQ(byte_at(a, VA3), 'a');
    mm_put(b);
    mm_put(a);
}
