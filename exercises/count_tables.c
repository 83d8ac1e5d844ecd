/* Exercise 1: count the tables of an address space (docs/exercises.md).
 *
 * Walk the user half of `pml4` (PML4 entries 0..255) down to the PTs and
 * count, per level, how many table pages you reach and how many of those
 * are shared (their struct page's refcount is above 1).  Count the PML4
 * itself at level 4.
 *
 * Hints: pte_present(), pte_large() and pte_table() (mm/pgtable.h,
 * arch/x86_64/pte.h) decode an entry; virt_to_page() gives a table's
 * struct page; pgtable_next_entry() skips empty parts of a table using its
 * populated bitmap (see pgtable_count_tables in mm/pgtable.c for the
 * shape of such a walk).  A table below a shared table is reached once per
 * path here, but it is one page: count what you reach from this PML4. */
#include "exercises/exercises.h"
#include "uapi/errno.h"

int ex_count_tables(pte_t *pml4, struct ex_table_count *out)
{
    (void)pml4;
    (void)out;
    return -ENOSYS; /* replace with your walk */
}
