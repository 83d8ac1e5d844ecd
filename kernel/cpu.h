/* cpu.h - per-CPU state, reached through one accessor: this_cpu().
 * The first three fields are read by assembly at fixed offsets (syscall
 * entry); keep them first and in this order. */
#ifndef CPU_H
#define CPU_H

#include "kernel/types.h"

#define MAX_CPUS 8

struct proc;

struct cpu {
    struct cpu *self;    /* gs:0  - this_cpu() reads it */
    uint64_t kernel_rsp; /* gs:8  - top of current's kernel stack (syscall entry) */
    uint64_t user_rsp;   /* gs:16 - user rsp, saved by syscall entry */
    int id;
    struct proc *current; /* running on this CPU */
    struct proc *idle;    /* runs when nothing else can */
    int lock_depth;       /* spinlocks held: interrupts stay off while > 0 */
    bool irq_were_on;     /* interrupt flag before the outermost lock */
    bool need_resched;    /* the timer says: switch at the next safe point */
    uint32_t apic_id;     /* the local APIC's ID (from the MADT) */
    volatile int online;  /* set by the CPU itself when it is up */
    uint64_t ticks;       /* timer interrupts seen */
};

#define CPU_OFFSET_KERNEL_RSP 8
#define CPU_OFFSET_USER_RSP   16

/* this_cpu() is in arch.h: it reads gs:0. */
#include "arch.h"

extern struct cpu boot_cpu;

#endif
