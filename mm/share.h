/* share.h - fork over shared copy-on-write page tables (docs/fork.md).
 *
 *   after fork:   parent PML4 [i] --R/O, COW_TABLE--+
 *                                                    +--> PDPT (refcount 2) --> ...
 *                 child  PML4 [i] --R/O, COW_TABLE--+
 *
 * Nothing below the PML4 is copied or touched at fork.  The first change
 * under a shared entry unshares the path top-down, one level at a time: a
 * table is taken back when we are its last user, copied otherwise.
 *
 * Locks (a tag on each function; "checked" ones assert it at entry):
 *   [w] the address space's mm->lock held for writing
 *   [r] mm->lock held at least for reading (the fault path: other threads
 *       of the process fault at the same time)
 *   [t] the lock of the table page that holds *from (unshare's copy) */
#ifndef SHARE_H
#define SHARE_H

#include "lib/types.h"
#include "pte.h"

/* Make the table that `entry` points to (a table at `level`, 1..3) private
 * to the address space `pml4` (which `entry` belongs to).  0, or -ENOMEM
 * with nothing changed.  Flushes that address space on every CPU where it
 * is live before a table it let go of can be freed.  [r]; takes the
 * shared table's lock itself (and checks it in the copy) */
int share_unshare(pte_t *pml4, pte_t *entry, int level);
/* fork, "share" mode: copy the parent's present user PML4 entries into the
 * child's, both read-only with COW_TABLE, one more reference per PDPT.
 * Then each of the `nhot` pages hot[i].va (the parent's stack, which it
 * writes the moment fork returns) gets a private copy in the parent,
 * mapped with hot[i].flags, inside the fork's own flush (docs/fork.md
 * section 7): so that first write neither faults nor, in a threaded
 * parent, sends a second shootdown.  A page that cannot be copied (no
 * memory, not mapped) is left shared.  [w] parent's, checked */
struct mm;
struct share_hot {
    uint64_t va;
    pte_t flags;
};
#define SHARE_HOT_MAX 2
void share_fork(struct mm *parent, struct mm *child, const struct share_hot *hot, int nhot);
/* Make *to a second reference to what *from points to, keeping invariant W
 * (the only places that write a shared entry; *from may be in a table that
 * other address spaces use too, so it only ever loses rights):
 *   share_table_entry: *from points to a table; the table gains a reference
 *     and both entries become read-only with COW_TABLE;
 *   share_leaf_cow: *from maps a page; the page gains a reference (if it is
 *     one the allocator counts) and both entries lose W: a write copies.
 * [w] of the address space `to` is in, and [t] if *from is in a shared table */
void share_table_entry(pte_t *from, pte_t *to);
void share_leaf_cow(pte_t *from, pte_t *to);
/* A write to the present read-only leaf *entry (whose value was `seen`) in
 * a region that allows writing: reuse the page if ours is its only
 * reference, else copy it, and install the result with a compare-and-swap.
 * 0, -EAGAIN if the entry changed meanwhile (retry), or -ENOMEM. [r] */
int share_break_cow(pte_t *pml4, uint64_t va, pte_t *entry, pte_t seen, pte_t leaf_flags);

/* Its counters (unshares by level, COW copies and reuses) are in
 * vm_events (mm/vmstat.h). */

#endif
