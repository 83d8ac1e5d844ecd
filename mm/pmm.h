/* pmm.h - the physical page allocator (a buddy allocator).
 * Blocks of 2^order contiguous pages, order 0..PMM_MAX_ORDER.  Allocation
 * failure returns NULL; callers handle it. */
#ifndef PMM_H
#define PMM_H

#include "mm/page.h"

#define PMM_MAX_ORDER 10 /* largest block: 4 MiB */

/* Allocation flags */
#define PMM_ZERO 1u /* fill the block with zeros */

struct boot_info;

/* Build page_array and the free lists from the boot memory map.  Only RAM
 * below 4 GiB (what the boot page tables map) until pmm_init_high(), which
 * runs once the kernel's own direct map covers all of it. */
void pmm_init(const struct boot_info *bi);
void pmm_init_high(const struct boot_info *bi);

/* A block of 2^order pages with refcount 1 and the given kind, or NULL. */
struct page *pmm_alloc(unsigned order, enum page_kind kind, unsigned flags);
/* Give a block back; its refcount must already be zero. */
void pmm_free(struct page *p, unsigned order);

/* Drop one reference; frees the single page when it was the last. */
void page_put(struct page *p);

uint64_t pmm_free_pages(void);
/* Free blocks currently on the list of `order` (for tests and statistics). */
uint64_t pmm_free_blocks(unsigned order);
uint64_t pmm_total_pages(void);

/* Check the allocator's books: every free block is where its order says,
 * aligned, made of free pages with no references, and the free lists add up
 * to the free-page count.  0, or -1 with a description in `why`. */
int pmm_audit(char *why, size_t size);

/* Testing aid: make every allocation fail after `n` more succeed (-1: off). */
void pmm_fail_after(int64_t n);

#endif
