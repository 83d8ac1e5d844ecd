/* audit.c - the reference-count auditor.  It recounts, from scratch, every
 * reference the page tables of all live address spaces hold, and compares:
 *   - a table page's refcount == entries (in all address spaces) pointing to it;
 *   - a user page's refcount  == PT entries mapping it (a PT shared by several
 *     address spaces counts once: it is one table);
 *   - invariant W: an entry pointing to a shared table is read-only + COW_TABLE;
 *   - no table page is allocated that nothing points to (a leak);
 * a reference an address space keeps until its next full flush
 * (tlb_defer_table_put) counts as one more entry pointing to the table.
 * Tests run it after every test (kernel/ktest.c). */
#include "kernel/printk.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"

#define KERNEL_TABLE 0xffffffffu /* audit_count mark: the kernel half's tables */

extern struct spinlock all_mms_lock;
extern struct list_head all_mms;

struct audit {
    char *why;
    size_t size;
    int err;
};

static void fail(struct audit *a, const char *fmt, uint64_t x, uint64_t y, uint64_t z)
{
    if (!a->err)
        snprintf(a->why, a->size, fmt, x, y, z);
    a->err = -1;
}

static void mark_kernel(pte_t *table, int level)
{
    virt_to_page(table)->audit_count = KERNEL_TABLE;
    if (level == 1)
        return;
    for_each_entry(table, i) if (!pte_large(table[i]) && (level < 4 || i >= PT_USER_ENTRIES))
        mark_kernel(pte_table(table[i]), level - 1);
}

static void check_w(struct audit *a, pte_t e, uint64_t where)
{
    struct page *t = virt_to_page(pte_table(e));
    if (t->refcount > 1 && ((e & PTE_W) || !(e & PTE_COW_TABLE)))
        fail(a,
             "invariant W: entry %lx to shared table %lx (refcount %lu) is writable or lacks "
             "COW_TABLE",
             where, page_to_phys(t), t->refcount);
}

/* Count one reference to `table`; walk below it the first time only. */
static void visit(struct audit *a, pte_t *table, int level)
{
    struct page *tp = virt_to_page(table);
    if (tp->kind != PAGE_TABLE || tp->level != level) {
        fail(a, "entry points to page %lx of kind %lu level %lu, not a table", page_to_phys(tp),
             tp->kind, tp->level);
        return;
    }
    if (++tp->audit_count > 1)
        return;
    for_each_entry(table, i)
    {
        pte_t e = table[i];
        if (level > 1) {
            check_w(a, e, (uint64_t)&table[i]);
            visit(a, pte_table(e), level - 1);
        } else {
            struct page *p = pgtable_counted_page(pte_addr(e));
            if (p)
                p->audit_count++;
        }
    }
}

/* A table an address space let go of but still holds (mm/tlb.h): one
 * reference, like an entry's. */
static void visit_deferred(void *a, pte_t *table, int level) { visit(a, table, level); }

static void compare(struct audit *a)
{
    for (uint64_t pfn = 0; pfn < page_array_len && !a->err; pfn++) {
        struct page *p = pfn_to_page(pfn);
        if (p->kind == PAGE_TABLE && p->audit_count != KERNEL_TABLE &&
            p->audit_count != p->refcount)
            fail(a, "table %lx: refcount %lu but %lu entries point to it", pfn << PAGE_SHIFT,
                 p->refcount, p->audit_count);
        else if (p->kind == PAGE_USER && p->audit_count != p->refcount)
            fail(a, "user page %lx: refcount %lu but %lu PT entries map it", pfn << PAGE_SHIFT,
                 p->refcount, p->audit_count);
    }
}

int vm_audit(char *why, size_t size)
{
    struct audit a = {why, size, 0};
    for (uint64_t pfn = 0; pfn < page_array_len; pfn++)
        pfn_to_page(pfn)->audit_count = 0;
    mark_kernel(kernel_pml4, 4);
    spin_lock(&all_mms_lock);
    for (struct list_head *l = all_mms.next; l != &all_mms; l = l->next) {
        struct mm *mm = container_of(l, struct mm, all_link);
        virt_to_page(mm->pml4)->audit_count++;
        for (unsigned i = 0; i < PT_USER_ENTRIES; i++) {
            if (!mm->pml4[i])
                continue;
            check_w(&a, mm->pml4[i], (uint64_t)&mm->pml4[i]);
            visit(&a, pte_table(mm->pml4[i]), 3);
        }
        tlb_deferred_each(mm->pml4, visit_deferred, &a);
    }
    spin_unlock(&all_mms_lock);
    compare(&a);
    return a.err;
}
