/* uapi/vmstat.h - virtual-memory counters, shared by the kernel and libc (the ABI
 * of SYS_cowl_vmstat; the `vmstat` program prints them).
 *
 * Two kinds of numbers:
 *   - events (struct vm_events): how often something happened since boot.
 *     The kernel counts them as they happen (mm/vmstat.c: vm_event_add).
 *   - a census (the rest of struct vm_stats): what memory holds right now.
 *     The kernel computes it when asked, by looking at every struct page.
 *
 * Arrays indexed by a page-table level use 1 (PT), 2 (PD), 3 (PDPT) and
 * 4 (PML4); index 0 is unused. */
#ifndef COWL_UAPI_VMSTAT_H
#define COWL_UAPI_VMSTAT_H

#include <stdint.h>

#include "uapi/cowl.h" /* COWL_FORK_MODES */

#define VM_LEVELS 5

struct vm_events {
    uint64_t faults;                       /* page faults on user addresses that
                                              vm_fault resolved (also those
                                              inside the kernel's user copies) */
    uint64_t zero_fills;                   /* fresh zeroed pages mapped: demand-zero
                                              faults, and exec loading a program */
    uint64_t cow_copies;                   /* pages copied on write */
    uint64_t cow_reuses;                   /* write faults that found the page private */
    uint64_t unshare_copies[VM_LEVELS];    /* shared tables copied for one sharer */
    uint64_t unshare_takebacks[VM_LEVELS]; /* shared tables taken back by the last sharer */
    uint64_t forks[COWL_FORK_MODES];                    /* address spaces forked, by mode:
                                              share, copy, eager */
    uint64_t unshare_ns[VM_LEVELS];        /* time spent unsharing (includes the flush) */
    uint64_t cow_ns;                       /* time spent copying pages on write */
};

struct vm_stats {
    uint64_t total_pages;               /* physical pages the allocator manages */
    uint64_t free_pages;                /* of those, free */
    uint64_t user_pages;                /* pages holding user data */
    uint64_t heap_pages;                /* kernel heap slabs (mm/heap.c) */
    uint64_t kernel_pages;              /* other kernel allocations: stacks,
                                           big kmalloc blocks, file data */
    uint64_t tables_private[VM_LEVELS]; /* user page-table pages with one user */
    uint64_t tables_shared[VM_LEVELS];  /* user page-table pages shared by fork */
    uint64_t table_sharers[VM_LEVELS];  /* sum of the shared ones' refcounts */
    uint64_t kernel_tables[VM_LEVELS];  /* the kernel's own tables (built at boot) */
    struct vm_events ev;
    uint64_t heap_objects; /* kmalloc'd objects not freed yet (a leak shows here first) */
};

#endif
