/* forkcopy.c - the two classic ways to fork, beside cowl's own (share.c):
 *
 *   copy   copy every page table; write-protect the leaves in parent and
 *          child; the data pages are shared copy-on-write (what Linux does)
 *   eager  copy every page table and every data page (what xv6 does)
 *
 * Both leave the child's tables private (no COW_TABLE anywhere), so the one
 * fault handler serves all three modes.  On -ENOMEM the partly built child
 * is consistent (each installed entry holds its references) and
 * mm_put() frees it. */
#include "kernel/contract.h"
#include "lib/string.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/share.h"
#include "mm/tlb.h"
#include "mm/vm.h"

struct fork_copy {
    bool eager;      /* copy the pages too */
    uint64_t tables; /* table pages allocated so far */
};

static int copy_leaf(pte_t *src, pte_t *dst, bool eager)
{
    struct page *p = pgtable_counted_page(pte_addr(*src));
    if (!p)
        return 0; /* not RAM we manage: nothing to share or copy */
    if (eager) {
        struct page *q = pmm_alloc(0, PAGE_USER, 0);
        if (!q)
            return -ENOMEM;
        page_copy(page_to_virt(q), page_to_virt(p));
        pte_set(dst, page_to_phys(q) | (*src & ~PTE_ADDR_MASK));
        return 0;
    }
    share_leaf_cow(src, dst); /* even in a table still shared with others: fewer rights only */
    return 0;
}

static int copy_level(pte_t *src, pte_t *dst, int level, struct fork_copy *fc)
{
    for_each_entry(src, i)
    {
        if (level == 4 && i >= PT_USER_ENTRIES)
            break; /* the kernel half is already there */
        int err;
        if (level == 1) {
            err = copy_leaf(&src[i], &dst[i], fc->eager);
        } else {
            pte_t *table = table_alloc(level - 1);
            if (!table)
                return -ENOMEM;
            fc->tables++;
            pte_set(&dst[i], virt_to_phys(table) | PTE_P | PTE_W | PTE_U);
            err = copy_level(pte_table(src[i]), table, level - 1, fc);
        }
        if (err)
            return err;
    }
    return 0;
}

int fork_copy_tables(struct mm *parent, struct mm *child, bool eager)
{
    assert_write_held(parent->lock);
    struct fork_copy fc = {.eager = eager, .tables = 0};
    int err = copy_level(parent->pml4, child->pml4, PT_LEVELS, &fc);
    child->fork_tables += fc.tables;
    if (!eager)
        tlb_flush(parent->pml4, 0, USER_TOP); /* the parent's leaves lost W */
    return err;
}
