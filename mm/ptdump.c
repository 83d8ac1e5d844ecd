/* ptdump.c - an address space's page-table tree as records
 * (uapi/ptdump.h), for SYS_cowl_ptdump (kernel/sys_mm.c), the `ptdump`
 * program and the pictures that tools/ptgraph.py draws from its output
 * (docs/pictures.md).
 *
 * The walk holds the address space's lock for writing, so no fault, mmap
 * or unshare in that process changes the tree while we read it.  Another
 * process that shares a table with it may unshare meanwhile: that only
 * lowers the table's refcount (we hold a reference, so it stays), which is
 * why a picture of several processes is a series of snapshots, one per
 * process.  Records go to a kernel buffer first: copying to user memory
 * can fault, and a fault in our own address space would need the lock we
 * hold. */
#include "uapi/ptdump.h"
#include "uapi/errno.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/vm.h"

struct dump {
    struct pt_node *nodes;
    size_t n, max; /* n counts every table, also those that did not fit */
};

static unsigned level_shift(int level) { return PAGE_SHIFT + 9 * (level - 1); }

/* The leaf entries of a PT: how many pages are shared, how many writable. */
static void count_leaves(struct pt_node *nd, const pte_t *pt)
{
    for (unsigned i = pgtable_next_entry(pt, 0); i < PT_ENTRIES;
         i = pgtable_next_entry(pt, i + 1)) {
        pte_t e = pt[i];
        if (!pte_present(e))
            continue;
        nd->entries++;
        struct page *p = pgtable_counted_page(pte_addr(e));
        if (p && __atomic_load_n(&p->refcount, __ATOMIC_RELAXED) > 1)
            nd->pages_shared++;
        if (e & PTE_W)
            nd->pages_writable++;
    }
}

static void dump_table(struct dump *d, const pte_t *table, int level, uint64_t va, uint64_t parent,
                       unsigned index, pte_t entry)
{
    struct pt_node scratch, *nd = d->n < d->max ? &d->nodes[d->n] : &scratch;
    d->n++;
    memset(nd, 0, sizeof(*nd));
    nd->table = virt_to_phys(table);
    nd->parent = parent;
    nd->va = va;
    nd->index = index;
    nd->level = level;
    nd->flags = (entry & PTE_W ? PTN_WRITABLE : 0) | (entry & PTE_COW_TABLE ? PTN_COW_TABLE : 0);
    nd->refcount = __atomic_load_n(&virt_to_page(table)->refcount, __ATOMIC_RELAXED);
    if (level == 1) {
        count_leaves(nd, table);
        return;
    }
    unsigned limit = level == 4 ? PT_USER_ENTRIES : PT_ENTRIES; /* the user half */
    for (unsigned i = pgtable_next_entry(table, 0); i < limit;
         i = pgtable_next_entry(table, i + 1)) {
        pte_t e = table[i];
        if (!pte_present(e))
            continue;
        nd->entries++;
        if (!pte_large(e))
            dump_table(d, pte_table(e), level - 1, va + ((uint64_t)i << level_shift(level)),
                       nd->table, i, e);
    }
}

size_t ptdump_mm(struct mm *mm, struct pt_node *nodes, size_t max)
{
    struct dump d = {nodes, 0, max};
    down_write(&mm->lock);
    dump_table(&d, mm->pml4, 4, 0, 0, 0, 0);
    up_write(&mm->lock);
    return d.n;
}
