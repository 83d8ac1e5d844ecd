/* Exercise 2: eager fork, from scratch (docs/exercises.md).
 *
 * What xv6 does and what cowl's fork=eager mode does (mm/forkcopy.c): give
 * the child its own copy of everything.  For every present entry of the
 * parent's user half, allocate a table for the child at the same level
 * (table_alloc), and for every present leaf a new page (pmm_alloc with
 * PAGE_USER) holding a copy of the parent's page, mapped with the same
 * flags.  Nothing may end up shared: every child table has refcount 1,
 * every child page is a different physical page, the parent is unchanged.
 *
 * Write it without looking at mm/forkcopy.c first.  Then compare.
 *
 * Things to get right:
 *   - pte_set() for every entry you write (it keeps the populated bitmap);
 *   - the parent may already share tables with other processes (an earlier
 *     fork in share mode): copying through a COW_TABLE entry is fine, but
 *     the child's entries must not carry PTE_COW_TABLE, and must be
 *     writable at the upper levels (W is ANDed down the levels);
 *   - out of memory half way: return -ENOMEM with every installed entry
 *     holding its reference; the caller frees the child (mm_put). */
#include "exercises/exercises.h"
#include "uapi/errno.h"

int ex_fork_eager(pte_t *parent_pml4, pte_t *child_pml4)
{
    (void)parent_pml4;
    (void)child_pml4;
    return -ENOSYS; /* replace with your copy */
}
