/* uapi/vm.h - virtual machines: the system calls a monitor (user/bin/vmm.c)
 * uses to create a VM, give it memory and virtual CPUs, and run them
 * (docs/virt.md).  Shaped like KVM's: the kernel runs the guest and handles
 * what it can (nested page faults, host interrupts); everything else comes
 * back to the monitor as an exit record.
 *
 *   int vm = cowl_vm_create(ram_bytes);           a file descriptor
 *   cowl_vm_memory(vm, gpa, buf, len, COWL_VM_WRITE);
 *   int cpu = cowl_vcpu_create(vm);               another descriptor
 *   cowl_vcpu_regs(cpu, &regs, COWL_VCPU_SET);
 *   while (cowl_vcpu_run(cpu, &exit) == 0) { handle exit.kind }
 *   close(cpu); close(vm);                         the last close frees the VM
 *
 * vmfork: int vm2 = cowl_vm_fork(vm, mode) clones a VM's memory in O(1) by
 * sharing its nested page tables copy-on-write (mode: COWL_FORK_SHARE, or
 * _COPY/_EAGER to compare; -1 for the caller's fork mode), and
 * int cpu2 = cowl_vcpu_fork(cpu, vm2) clones a vCPU's whole state into it.
 * A monitor that forks itself shares its VM descriptors with its child,
 * like any file; either of them forks the VM to have one of its own.
 */
#ifndef COWL_UAPI_VM_H
#define COWL_UAPI_VM_H

#include <stdint.h>

/* Guest RAM is guest-physical [0, ram_bytes); at most this much. */
#define COWL_VM_MAX_RAM (4ul << 30)

/* cowl_vm_memory's direction */
#define COWL_VM_READ  0
#define COWL_VM_WRITE 1

/* cowl_vcpu_regs's direction */
#define COWL_VCPU_GET 0
#define COWL_VCPU_SET 1

/* A segment register as the VMCB holds it (AMD APM vol. 2, 15.5.1):
 * attrib is the descriptor's type/S/DPL/P byte in bits 0-7 and its
 * AVL/L/D/G nibble in bits 8-11. */
struct cowl_seg {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

/* Segment attribute bits (attrib) */
#define COWL_SEG_TYPE_CODE 0x0b /* execute/read, accessed */
#define COWL_SEG_TYPE_DATA 0x03 /* read/write, accessed */
#define COWL_SEG_TYPE_TSS  0x0b /* 64-bit (or 32-bit) busy TSS, with S clear */
#define COWL_SEG_TYPE_LDT  0x02
#define COWL_SEG_S         0x10  /* code or data (not a system segment) */
#define COWL_SEG_P         0x80  /* present */
#define COWL_SEG_L         0x200 /* 64-bit code */
#define COWL_SEG_DB        0x400 /* 32-bit default size */
#define COWL_SEG_G         0x800 /* limit in 4 KiB units */

/* Everything the guest sees of its CPU that a monitor may set: the
 * general registers, the control registers and EFER, and the segments.
 * A guest can be started in real mode, protected mode or long mode. */
struct cowl_vcpu_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint64_t cr0, cr2, cr3, cr4, efer;
    struct cowl_seg cs, ds, es, fs, gs, ss, tr, ldtr, gdtr, idtr;
};

/* Why cowl_vcpu_run returned (struct cowl_vm_exit.kind). */
enum cowl_exit_kind {
    COWL_EXIT_IO = 1,        /* IN or OUT on a port */
    COWL_EXIT_HYPERCALL = 2, /* VMMCALL the kernel does not serve itself */
    COWL_EXIT_HLT = 3,       /* HLT */
    COWL_EXIT_MMIO = 4,      /* an access to guest-physical memory outside RAM */
    COWL_EXIT_SHUTDOWN = 5,  /* a triple fault: the guest CPU is dead */
    COWL_EXIT_UNHANDLED = 6, /* any other exit: the raw SVM exit code */
    COWL_EXIT_TIMEOUT = 7,   /* timeout_ms passed with no exit for the monitor */
};

/* The record cowl_vcpu_run fills.  Pass the same record back to the next
 * run: it completes the instruction that exited.  For an IN, the kernel
 * puts io.data into the guest's AL/AX/EAX; after a hypercall, it puts
 * hypercall.ret into RAX.  RIP already points past the instruction.
 * timeout_ms is read, never written: if it is not 0, the run returns with
 * COWL_EXIT_TIMEOUT once the guest has run that long without an exit for
 * the monitor (a guest spinning with interrupts off cannot stop it: host
 * interrupts still make it exit to the kernel, which looks at the clock). */
struct cowl_vm_exit {
    uint32_t kind;       /* enum cowl_exit_kind */
    uint32_t timeout_ms; /* in: 0, or how long this run may last */
    uint64_t rip; /* the guest's RIP where it exited */
    union {
        struct {
            uint16_t port;
            uint8_t size;  /* 1, 2 or 4 bytes */
            uint8_t write; /* 1: OUT (data is the value), 0: IN (set data) */
            uint32_t data;
        } io;
        struct {
            uint64_t nr;      /* RAX */
            uint64_t args[3]; /* RBX, RCX, RDX */
            uint64_t ret;     /* set by the monitor: the guest's RAX */
        } hypercall;
        struct {
            uint64_t gpa;
            uint8_t write; /* 1: a write, 0: a read or a fetch */
        } mmio;
        struct {
            uint64_t code;  /* SVM exit code (EXITCODE) */
            uint64_t info1; /* EXITINFO1 */
            uint64_t info2; /* EXITINFO2 */
        } unhandled;
    };
};

/* Hypercalls: VMMCALL with the number in RAX, arguments in RBX, RCX, RDX,
 * the result in RAX.  COWL_HC_NOP is answered by the kernel itself (the
 * cheapest exit there is); the others go to the monitor. */
#define COWL_HC_NOP    0 /* returns 0 at once */
#define COWL_HC_PRINT  1 /* RBX = guest-physical address, RCX = length */
#define COWL_HC_EXIT   2 /* RBX = exit status: the guest is done */
#define COWL_HC_REPORT 3 /* RBX = a value the monitor prints ("report: N") */
/* "Snapshot here": a fork server (vmm -f) forks the VM at this exit and runs
 * each clone with one input: RBX = guest-physical address of the input
 * buffer, RCX = its size; the clone gets the input's length in RAX. */
#define COWL_HC_SNAPSHOT 4
/* A periodic timer, answered by the kernel: RBX = period in nanoseconds
 * (0 stops it, at least COWL_HC_TIMER_MIN_NS), RCX = the interrupt vector
 * (32-255) the guest gets at each period.  A guest that executes HLT with
 * the timer running and interrupts on sleeps until its next tick instead
 * of exiting to the monitor.  Returns 0, or -1 for a bad argument. */
#define COWL_HC_TIMER        5
#define COWL_HC_TIMER_MIN_NS 100000
/* "Booted, tests chosen": a guest cowl with testfork on its command line
 * (docs/virt.md, "Boot once, fork per test") makes it once, with RBX = the
 * number of tests it selected, just before it would run them.  A test
 * server (vmm -t) forks the VM there once per test and answers each clone
 * with the index (0 to RBX - 1) of the one test it must run; any other
 * monitor answers -1 (and the guest runs all of them itself). */
#define COWL_HC_TEST_READY 6

/* cowl_virtstat: what the hypervisor holds and has done since boot (the
 * `vmstat` program prints it).  Exits are counted by where they went. */
#define COWL_EXIT_KINDS 8 /* enum cowl_exit_kind, index 0 unused */
struct cowl_virt_stats {
    uint64_t vms;                    /* VMs alive now */
    uint64_t vcpus;                  /* vCPUs alive now */
    uint64_t runs;                   /* VMRUNs */
    uint64_t exits_intr;             /* host interrupts that ended a run */
    uint64_t nested_faults;          /* nested page faults resolved in the kernel */
    uint64_t cpuids;                 /* CPUIDs answered in the kernel */
    uint64_t hypercalls_kernel;      /* COWL_HC_NOP and _TIMER, answered in the kernel */
    uint64_t exits[COWL_EXIT_KINDS]; /* exits to the monitor, by kind */
    uint64_t tlb_flushes;            /* VMRUNs that flushed the guest TLB */
    uint64_t vm_forks;               /* cowl_vm_fork calls that made a VM */
    uint64_t nested_cow_faults;      /* of those, writes to a present page: copy-on-write
                                        after a vmfork (unshare, copy: mm/share.c) */
    uint64_t timer_ticks;            /* paravirtual timer ticks raised (COWL_HC_TIMER) */
    uint64_t nested_fault_around;    /* pages mapped around a first touch (virt/exit.c) */
};

/* The port a guest's serial console uses (COM1), which vmm emulates. */
#define COWL_VM_SERIAL_PORT 0x3f8

#endif
