/* cpu.h - per-CPU state, reached through one accessor: this_cpu().
 * The first three fields are read by assembly at fixed offsets (syscall
 * entry); keep them first and in this order. */
#ifndef CPU_H
#define CPU_H

#include "lib/list.h"
#include "lib/types.h"

#define MAX_CPUS 8

struct thread;

#include "uapi/cpustat.h"

struct cpu {
    struct cpu *self;    /* gs:0  - this_cpu() reads it */
    uint64_t kernel_rsp; /* gs:8  - top of current's kernel stack (syscall entry) */
    uint64_t user_rsp;   /* gs:16 - user rsp, saved by syscall entry */
    int id;
    struct thread *current; /* running on this CPU */
    struct thread *idle;    /* runs when nothing else can */
    int lock_depth;       /* spinlocks held: interrupts stay off while > 0 */
    bool irq_were_on;     /* interrupt flag before the outermost lock */
    bool need_resched;    /* the timer says: switch at the next safe point */
    uint32_t apic_id;     /* the local APIC's ID (from the MADT) */
    volatile int online;  /* set by the CPU itself when it is up */
    uint64_t ticks;       /* timer interrupts seen */
    int failalloc_pid;    /* the armed process running here, or 0 (mm/failalloc.c) */
    void *boot_stack;     /* an AP's first stack; becomes its idle thread's */

    /* The scheduler's part (kernel/sched.c), all [sched_lock]: */
    struct list_head runq; /* runnable threads waiting for this CPU */
    int nr_queued;         /* length of runq */
    bool sched_ready;      /* takes threads (its idle thread exists) */

    struct cpu_stats stats; /* [this CPU only] read by cowl_cpustat */
};

#define CPU_OFFSET_KERNEL_RSP 8
#define CPU_OFFSET_USER_RSP   16
_Static_assert(__builtin_offsetof(struct cpu, kernel_rsp) == CPU_OFFSET_KERNEL_RSP &&
                   __builtin_offsetof(struct cpu, user_rsp) == CPU_OFFSET_USER_RSP,
               "syscall entry reads these at fixed offsets");

/* this_cpu() is in arch.h: it reads gs:0. */
#include "arch.h"

extern struct cpu boot_cpu;

#endif
