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

/* The steps of one fork() (kernel/fork.c, mm_fork, share_fork), each
 * timed into vm_events.fork_step_ns; forkcost -s prints them. */
enum vm_fork_step {
    FORK_STEP_PROCESS,   /* process_create: struct process and thread, a pid,
                            and the kernel stack (which FORK_STEP_KSTACK
                            also counts on its own) */
    FORK_STEP_KSTACK,    /* the kernel stack's allocation (also clone's) */
    FORK_STEP_FPU,       /* allocating the FPU area */
    FORK_STEP_MEMORY,    /* fork_memory: mm->lock and mm_fork, all of it */
    FORK_STEP_MM,        /* mm_create: struct mm, PML4, its kernel half */
    FORK_STEP_REGIONS,   /* the regions' copies */
    FORK_STEP_SHARE,     /* share mode: the PML4 entries shared */
    FORK_STEP_FLUSH,     /* share mode: the parent's flush */
    FORK_STEP_STACK,     /* share mode: the parent's stack pages made
                            private ahead of its first write */
    FORK_STEP_FILES,     /* the descriptor table and cwd */
    FORK_STEP_REGISTERS, /* FPU registers saved, trapframe copied */
    FORK_STEP_START,     /* sched_start: the child on a run queue */
    FORK_STEP_TOTAL,     /* sys_fork from its first line to its return */
    VM_FORK_STEPS
};

struct vm_events {
    uint64_t faults;                       /* page faults on user addresses that
                                              vm_fault resolved (also those
                                              inside the kernel's user copies) */
    uint64_t zero_fills;                   /* fresh zeroed pages mapped: demand-zero
                                              faults, and exec loading a program */
    uint64_t cow_copies;                   /* pages copied on write */
    uint64_t cow_reuses;                   /* write faults that found the page private */
    uint64_t fork_hot_copies;              /* parent's stack pages fork copied ahead */
    uint64_t unshare_copies[VM_LEVELS];    /* shared tables copied for one sharer */
    uint64_t unshare_takebacks[VM_LEVELS]; /* shared tables taken back by the last sharer */
    uint64_t forks[COWL_FORK_MODES];                    /* address spaces forked, by mode:
                                              share, copy, eager */
    uint64_t unshare_ns[VM_LEVELS];        /* time spent unsharing (includes the flush) */
    uint64_t cow_ns;                       /* time spent copying pages on write */
    uint64_t fork_step_ns[VM_FORK_STEPS];  /* time in each step of fork() */
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
