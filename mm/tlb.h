/* tlb.h - the one TLB flush API (docs/smp.md section 6, docs/locking.md).
 *
 * An address space is named by its PML4.  Each PML4 keeps the set of CPUs
 * that have it loaded in CR3 (struct page cpus_live), maintained by
 * tlb_switch_to().  tlb_flush() flushes this CPU, then sends a TLB IPI to
 * the other CPUs in that set only, and returns when all of them have
 * flushed.  A single-threaded process is live on one CPU, so its flushes
 * never send an IPI. */
#ifndef TLB_H
#define TLB_H

#include "kernel/spinlock.h"
#include "pte.h"

/* Above this many pages one full flush is cheaper than page-by-page INVLPG
 * (each INVLPG costs roughly as much as refilling a few TLB entries). */
#define TLB_FULL_FLUSH_PAGES 32

/* Make every CPU drop translations of [start, end) in the address space
 * `pml4` (kernel addresses: in every address space, on every CPU).  Also
 * drops paging-structure caches, so a table unlinked before the call may
 * be freed after it.  Any context; may spin with interrupts off. */
void tlb_flush(pte_t *pml4, uint64_t start, uint64_t end);

/* Entries of `pml4` changed in a way that needs no flush: they only gained
 * rights, or a table was replaced by an equal copy (docs/smp.md section 7).
 * A CPU that keeps the old entry faults at most once for nothing, and the
 * fault path flushes it there.  Only guests need telling: this counts up
 * the flush generation, so a vCPU flushes at its next VMRUN. */
void tlb_relaxed(pte_t *pml4);

/* Deferred table references (docs/smp.md section 7, "Unsharing without a
 * flush").  When unshare replaces an entry's shared table T by a private
 * copy, CPUs running this address space may still cache entries of T (the
 * paging-structure caches) and read-only translations through it.  That is
 * harmless while this address space still holds its reference on T: T is
 * neither freed nor, being shared, changed except by losing rights.  So
 * the reference is kept here and dropped at the next flush of the whole
 * address space, which every CPU running it takes anyway (the next fork's,
 * a large munmap's), or at teardown.  One per address space, in its
 * struct mm; tlb_deferred_init links it to the PML4. */
#define TLB_DEFER_MAX 16
struct tlb_deferred_entry {
    pte_t *table;
    int level;
};
struct tlb_deferred {
    struct spinlock lock; /* protects the rest (a leaf lock) */
    int n;                /* written under lock; read without it only as a hint */
    struct tlb_deferred_entry t[TLB_DEFER_MAX];
};
void tlb_deferred_init(pte_t *pml4, struct tlb_deferred *d);
/* Drop the reference on `table` (at `level`) that `pml4` no longer points
 * to, once every CPU running `pml4` has flushed everything.  Without room
 * (or a list) it flushes the whole address space now and drops it.  No
 * spinlock held (it may flush). */
void tlb_defer_table_put(pte_t *pml4, pte_t *table, int level);
/* Teardown: `pml4` is live on no CPU; drop every deferred reference. */
void tlb_deferred_release(pte_t *pml4);
/* For the auditor: call fn on each deferred table of `pml4`. */
void tlb_deferred_each(pte_t *pml4, void (*fn)(void *arg, pte_t *table, int level), void *arg);

/* Only this CPU, one page: after a fault made an entry more permissive
 * (filled it, or added W in place).  Other CPUs may hold the stricter old
 * entry; if they use it they fault, find the entry fine, and flush too. */
void tlb_flush_local(uint64_t va);

/* Load `pml4` into CR3 on this CPU and move this CPU from the old address
 * space's live set to the new one's. */
void tlb_switch_to(pte_t *pml4);

/* The TLB IPI (trap.c), and the same work done while spinning for a lock
 * with interrupts off: serve a pending request, if any. */
void tlb_ipi(void);
void tlb_poll(void);
/* Make tlb_poll the work of every spin loop (spin_set_wait_work); at boot,
 * before the other CPUs start. */
void tlb_init(void);

/* Guests (virt/vcpu.c).  A VM's nested page tables are an address space
 * too, but no CR3 ever holds them: the CPU caches their translations under
 * the VM's ASID while it runs a vCPU.  So that CPU joins the tables' live
 * set for the run (tlb_guest_enter, interrupts off, right before VMRUN;
 * tlb_guest_exit right after): a tlb_flush of those tables then sends it
 * the IPI, which makes the guest exit.  The flush cannot reach the guest's
 * entries itself; instead each tlb_flush counts up the tables' flush
 * generation, which tlb_guest_enter returns, and a vCPU that sees it
 * changed since its last run flushes its ASID at the next VMRUN.  (Either
 * the flusher sees the CPU in the live set, or the CPU sees the new
 * generation: both sides use sequentially consistent operations.) */
uint32_t tlb_guest_enter(pte_t *pml4);
void tlb_guest_exit(pte_t *pml4);

/* Unmap-like operations gather: the ranges they cleared, and the pages
 * and tables those entries held.  tlb_gather_flush() flushes the union once
 * and only then drops the references: until every CPU has flushed, another
 * CPU may still be reading a page or walking a table through a stale
 * translation, so it must not be freed before. */
#define TLB_GATHER_MAX 32
struct tlb_gather {
    pte_t *pml4;
    uint64_t start, end; /* the union of what was added; start == end: none */
    int n;
    struct {
        void *obj; /* a struct page (level 0) or a table at `level` */
        int level;
    } defer[TLB_GATHER_MAX];
};
void tlb_gather_init(struct tlb_gather *g, pte_t *pml4);
void tlb_gather_add(struct tlb_gather *g, uint64_t start, uint64_t end);
/* Drop a reference after the flush: a mapped page, or a table at level >= 1. */
struct page;
void tlb_gather_page(struct tlb_gather *g, struct page *p);
void tlb_gather_table(struct tlb_gather *g, pte_t *table, int level);
void tlb_gather_flush(struct tlb_gather *g);

#endif
