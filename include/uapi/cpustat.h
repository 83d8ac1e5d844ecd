/* uapi/cpustat.h - per-CPU counters, shared by the kernel and libc (the ABI of
 * SYS_cowl_cpustat: the kernel fills one struct cpu_stats per CPU). */
#ifndef COWL_UAPI_CPUSTAT_H
#define COWL_UAPI_CPUSTAT_H

#include <stdint.h>

struct cpu_stats {
    uint64_t tlb_shootdowns;    /* flushes this CPU asked other CPUs for */
    uint64_t tlb_ipis_sent;     /* TLB IPIs sent (one per target CPU) */
    uint64_t tlb_ipis_received; /* flush requests served for other CPUs */
    uint64_t tlb_flushes;       /* local flush operations (any cause) */
    uint64_t tlb_full_flushes;  /* of those, whole-TLB flushes */
    uint64_t shootdown_wait_ns; /* time spent waiting for acknowledgements */
    uint64_t shootdown_halts;   /* waits that halted this CPU until woken */
    uint64_t tlb_wake_ipis;     /* IPIs sent to wake a halted requester */
    uint64_t resched_ipis_sent; /* "look at your run queue" IPIs sent */
    uint64_t switches;          /* context switches */
    uint64_t ticks;             /* timer interrupts */
    uint64_t serial_irqs;       /* console input interrupts (I/O APIC) */
};

#endif
