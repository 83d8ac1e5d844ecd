/* pgtable.h - page tables: one walker and everything built on it.
 *
 * A page table is named by its PML4 (a kernel virtual pointer).  The upper
 * half (PML4 slots 256..511) is the kernel's, built once at boot and shared
 * by every table; it is never refcounted, unshared or freed.
 *
 * Reference counts (docs/fork.md, section 1): a table page's refcount is the
 * number of upper-level entries, across all address spaces, that point to
 * it; a data page's refcount is the number of PT entries mapping it plus
 * kernel references.
 *
 * Locks (a tag on each function).  These functions take a PML4, not an mm,
 * so they cannot check; their callers in mm/vm.c, share.c and forkcopy.c
 * assert the lock at entry (kernel/contract.h):
 *   [w] the address space's mm->lock held for writing: nothing else
 *       changes its tables (another address space may still unshare a
 *       table shared with it, which only takes rights away)
 *   [r] mm->lock held at least for reading: other threads of the process
 *       may fault at the same time, so entries are read with pte_read and
 *       filled or changed only by pte_install, pte_cas and unsharing
 *   [-] no lock: the tables are reachable by no one else (being built, or
 *       being freed), or it is boot
 *   [a] atomic: any context */
#ifndef PGTABLE_H
#define PGTABLE_H

#include "arch.h"
#include "lib/types.h"
#include "pte.h"

#define PGW_ALLOC   1u /* create missing intermediate tables */
#define PGW_UNSHARE 2u /* make every table on the path private (mm/share.c) */

/* The kernel's own PML4, built at boot by kmap_init(). */
extern pte_t *kernel_pml4;

/* Find the entry at `level` (1 = PT .. 4 = PML4) that covers va and store
 * its address in *entry.  Returns 0, or why there is none:
 *   -ENOENT  a table on the way is missing (and PGW_ALLOC was not given);
 *   -ENOMEM  allocating a missing table, or unsharing a shared one, failed
 *            (what the walk already did is consistent: see docs/fork.md 4);
 *   -EEXIST  a large page maps va at a level above `level`.
 * *entry is written only on success. */
int pgtable_walk(pte_t *pml4, uint64_t va, int level, unsigned flags, pte_t **entry); /* [r] */

/* Read an entry that another CPU may change meanwhile (a concurrent fault
 * of another thread, an unshare in another address space): one atomic load,
 * so the compiler can neither tear it nor read it twice and see two values. */
/* [a] */
static inline pte_t pte_read(const pte_t *entry) { return __atomic_load_n(entry, __ATOMIC_ACQUIRE); }

/* Write one entry; keeps the table page's populated bitmap in step.  Every
 * change to an entry goes through here (or pte_cas). [w], or a shared table's
 * lock (unshare), or [r] on a leaf that this fault made private */
void pte_set(pte_t *entry, pte_t value);
/* Replace a non-zero `old` with a non-zero `new` atomically; false if the
 * entry no longer holds `old`. [r] */
bool pte_cas(pte_t *entry, pte_t old, pte_t new);
/* Fill the empty entry with value, unless another CPU filled it first
 * (false).  What concurrent faults use to add tables and pages. [r] */
bool pte_install(pte_t *entry, pte_t value);

/* A new address space: empty user half, the kernel's upper half; or NULL. [-] */
pte_t *pgtable_create(void);
/* Drop the user half and free the PML4.  Each user subtree loses one
 * reference; only a subtree's last user walks and frees it.  [-]: live on no CPU */
void pgtable_destroy(pte_t *pml4);
/* Drop one reference to a table at `level` (1..3); the last one frees it and
 * puts everything below it. [a] */
void table_put(pte_t *table, int level);
/* Table pages allocated since boot (never decreases). */
extern uint64_t pgtable_tables_allocated;
/* A fresh zeroed table page for `level`, refcount 1; or NULL. [a] */
pte_t *table_alloc(int level);

/* Map the 4 KiB page at pa at va.  0, -ENOMEM, or -EEXIST if va is mapped.
 * Takes a reference on the page. [w] */
int pgtable_map(pte_t *pml4, uint64_t va, uint64_t pa, pte_t flags);
/* Map 2 MiB at va (both 2 MiB aligned), for the kernel's direct map. [-] */
int pgtable_map_large(pte_t *pml4, uint64_t va, uint64_t pa, pte_t flags);
/* Remove every mapping in [start, end) of the user half.  Whole subtrees in
 * the range go with one table_put; shared tables on the two boundary paths
 * are unshared first, so -ENOMEM comes before anything changed.  Flushes
 * the TLB of every CPU where the address space is live (once, for the
 * range) before the pages and tables go. [w] */
int pgtable_unmap_range(pte_t *pml4, uint64_t start, uint64_t end);
/* Give the present leaves in [start, end) the permissions `leaf` (PTE_W,
 * PTE_U, PTE_NX; W is only ever removed here: a write fault adds it back).
 * Unshares every shared table in the range first; -ENOMEM before changes.
 * The caller flushes the TLB. [w] */
int pgtable_protect_range(pte_t *pml4, uint64_t start, uint64_t end, pte_t leaf);
/* Physical address and leaf entry for va; false if unmapped. [r] */
bool pgtable_translate(pte_t *pml4, uint64_t va, uint64_t *pa, pte_t *leaf);

/* Table pages below the PML4 reachable from the user half (for tests). [w] */
uint64_t pgtable_count_tables(pte_t *pml4);
/* The first non-zero entry at index >= i, or PT_ENTRIES (populated bitmap).
 * [w], or the table's lock: a concurrent fill may or may not be seen */
unsigned pgtable_next_entry(const pte_t *table, unsigned i);
/* The table an entry points to. */
static inline pte_t *pte_table(pte_t e) { return (pte_t *)phys_to_virt(pte_addr(e)); }
/* Does mapping pa count as a reference to a page the allocator manages? */
struct page *pgtable_counted_page(uint64_t pa);

#define for_each_entry(table, i)                                                                   \
    for (unsigned i = pgtable_next_entry(table, 0); i < PT_ENTRIES;                                \
         i = pgtable_next_entry(table, i + 1))

/* Build the kernel's page tables and switch to them. */
struct boot_info;
void kmap_init(const struct boot_info *bi);

#endif
