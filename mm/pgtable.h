/* pgtable.h - page tables: one walker and everything built on it.
 *
 * A page table is named by its PML4 (a kernel virtual pointer).  The upper
 * half (PML4 slots 256..511) is the kernel's and is shared by every table;
 * the functions here that change the user half take references on the pages
 * they map (DESIGN.md section 4) and drop them on unmap/destroy. */
#ifndef PGTABLE_H
#define PGTABLE_H

#include "kernel/types.h"
#include "pte.h"

#define PGW_ALLOC 1u /* create missing intermediate tables */

/* The kernel's own PML4, built at boot by kmap_init(). */
extern pte_t *kernel_pml4;

/* The entry at `level` (1 = PT .. 4 = PML4) that covers va, or NULL when a
 * table on the way is missing (and PGW_ALLOC is not given, or allocation
 * failed) or a large page covers va above `level`. */
pte_t *pgtable_walk(pte_t *pml4, uint64_t va, int level, unsigned flags);

/* Write one entry; keeps the table page's populated bitmap in step.  Every
 * change to an entry goes through here. */
void pte_set(pte_t *entry, pte_t value);

/* A new address space: empty user half, the kernel's upper half; or NULL. */
pte_t *pgtable_create(void);
/* Free the user half (dropping a reference on every mapped page) and the
 * PML4 itself. */
void pgtable_destroy(pte_t *pml4);

/* Map the 4 KiB page at pa at va.  0, -ENOMEM, or -EEXIST if va is mapped. */
int pgtable_map(pte_t *pml4, uint64_t va, uint64_t pa, pte_t flags);
/* Map 2 MiB at va (both 2 MiB aligned), for the kernel's direct map. */
int pgtable_map_large(pte_t *pml4, uint64_t va, uint64_t pa, pte_t flags);
/* Remove the mapping at va; 0 or -ENOENT. Drops the page's reference. */
int pgtable_unmap(pte_t *pml4, uint64_t va);
/* Physical address and leaf entry for va; false if unmapped. */
bool pgtable_translate(pte_t *pml4, uint64_t va, uint64_t *pa, pte_t *leaf);

/* Number of page-table pages below the PML4 in the user half (for tests). */
uint64_t pgtable_count_tables(pte_t *pml4);

/* Build the kernel's page tables and switch to them. */
struct boot_info;
void kmap_init(const struct boot_info *bi);

#endif
