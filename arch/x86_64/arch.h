/* arch.h - the machine functions that kernel/, mm/ and fs/ may call: the
 * memory layout, interrupts on and off, the TSC, TLB invalidation and the
 * page-table root, IPIs, context switch, the FPU area.  What only the
 * arch code itself needs (port I/O, MSRs, CR2/CR4, cpuid) is in x86.h,
 * which nothing outside arch/x86_64/ includes; portable code never writes
 * asm itself. */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "asmdefs.h"

/* ---- Address-space layout (fixed by linker.ld; docs/boot.md section 5) */
#define KERNEL_VMA      0xffffffff80000000ul /* kernel image: phys + this */
#define DIRECT_MAP_BASE 0xffff800000000000ul /* all RAM: phys + this */
#define USER_TOP        0x0000800000000000ul /* first non-user address */
#define PAGE_SHIFT      12
#define PAGE_SIZE       4096ul
#define PAGE_MASK       (~(PAGE_SIZE - 1))

static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + DIRECT_MAP_BASE); }

static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

/* ---- CPU control */
static inline void cpu_relax(void) { __asm__ volatile("pause"); }
static inline void cpu_halt(void) { __asm__ volatile("hlt"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Enable interrupts and halt until one arrives: sti's one-instruction delay
 * means no interrupt can be taken between the two. */
static inline void cpu_idle_wait(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

static inline uint64_t irq_save(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
    return flags;
}

static inline void irq_restore(uint64_t flags)
{
    if (flags & RFLAGS_IF)
        irq_enable();
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* ---- Paging */
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline void arch_flush_tlb_page(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}
/* Drops every non-global translation of this CPU (a CR3 reload). */
static inline void arch_flush_tlb_all(void) { write_cr3(read_cr3()); }
/* Also drops global (PTE_G) ones: toggling CR4.PGE flushes everything. */
static inline void arch_flush_tlb_global(void)
{
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 & ~(1ul << 7)) : "memory");
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4) : "memory");
}

/* ---- Per-CPU data: GS base points at this CPU's struct cpu (kernel/cpu.h),
 * whose first field points at itself. */
struct cpu;
static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}
/* A pointer-sized field of this CPU's struct cpu, read in one instruction.
 * this_cpu()->field is two (the struct's address, then the field): a
 * thread preempted between them and moved to another CPU would read the
 * old CPU's field.  One gs-relative load cannot be split that way. */
static inline void *this_cpu_read_ptr(unsigned long offset)
{
    void *v;
    __asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(offset));
    return v;
}
static inline bool irq_enabled(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    return flags & RFLAGS_IF;
}

/* ---- Frames for backtraces */
static inline uint64_t read_rbp(void)
{
    uint64_t v;
    __asm__ volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}

/* ---- Interrupt vectors, all of them in one place.  0-31 are the CPU's
 * exceptions (trap.h); the 8259 PICs are remapped to 0xe0-0xef and masked. */
#define VECTOR_TIMER       0x20 /* the local APIC timer (timer.c) */
#define VECTOR_SERIAL      0x24 /* COM1, through the I/O APIC (ioapic.c) */
#define VECTOR_IPI_RESCHED 0xf1 /* "look at your run queue" (kernel/sched.c) */
#define VECTOR_IPI_TLB     0xf2 /* "flush what the shootdown asks" (mm/tlb.c) */
#define VECTOR_SPURIOUS    0xff /* the local APIC's spurious interrupt */

/* ---- Sizes the machine fixes for the kernel */
#define KSTACK_ORDER  2 /* kernel stacks: 4 pages, 16 KiB (threads' and the APs' boot stacks) */
#define KSTACK_SIZE   (PAGE_SIZE << KSTACK_ORDER)
#define FPU_AREA_SIZE 512 /* fxsave's x87/SSE area (arch_fpu_save), 16-byte aligned */

/* ---- Implemented in the .c files of arch/x86_64 */
struct boot_info;
void arch_boot(uint32_t magic, uint64_t info_phys); /* entry.asm -> here */
void arch_cpu_init(void);                           /* GDT, TSS, IDT, CPU features */
/* paravirt.c: running as a guest of cowl's hypervisor (docs/virt.md)? Then
 * the TSC frequency and the clock interrupt come from the host. */
void arch_paravirt_detect(void);
bool arch_paravirt(void);
uint64_t arch_paravirt_tsc_khz(void);
long arch_paravirt_timer(uint64_t period_ns, uint8_t vector);
/* COWL_HC_TEST_READY (uapi/vm.h): the index of the one test to run in this
 * clone of a booted guest, or -1 (not a guest of cowl, or no test server). */
long arch_paravirt_test_ready(int ntests);
void arch_percpu_init(struct cpu *c, int id);       /* GS base -> c */
void arch_timer_init(void);                         /* LAPIC timer at HZ, TSC calibrated */
void arch_irq_eoi(void);
/* Start the other CPUs (smp.c); each enters the scheduler.  CPUs online. */
int arch_smp_init(void);
int arch_cpus_found(void);
int arch_cpus_online(void);
struct cpu *arch_cpu(int id); /* by index 0..found-1, or NULL */
/* Send interrupt `vector` to CPU `cpu` (an index, not an APIC ID). */
void arch_send_ipi(int cpu, uint8_t vector);
/* Send ISA interrupt `irq` to the boot CPU as `vector`; false without an
 * I/O APIC (then the console is polled). */
bool arch_ioapic_route(uint8_t irq, uint8_t vector);
/* Let the UART interrupt when a byte arrives. */
void arch_serial_enable_irq(void);
/* Program this CPU's LAPIC timer at HZ with the BSP's calibration. */
void arch_timer_start_this(void);
void arch_cpu_init_this(int cpu); /* GDT/TSS, IDT, features, on this CPU */
/* Context switch (switch.asm): save callee-saved registers and rsp into
 * *save_rsp, continue on new_rsp. */
void arch_switch(uint64_t *save_rsp, uint64_t new_rsp);
/* Initial kernel stack of a new thread that will run fn(arg): returns the
 * rsp to switch to. */
uint64_t arch_thread_stack(uint64_t stack_top, int (*fn)(void *), void *arg);
/* The stack the CPU switches to on an interrupt or syscall from user mode. */
void arch_set_kernel_stack(uint64_t top);
void arch_syscall_init(void);
/* Load CR3 with this PML4 unless it is loaded already. */
static inline void arch_switch_address_space(const void *pml4)
{
    uint64_t pa = virt_to_phys(pml4);
    if (read_cr3() != pa)
        write_cr3(pa);
}
/* FPU/SSE state: 512-byte, 16-aligned areas (fxsave format). */
void arch_fpu_init(void);
void arch_fpu_reset(void *area);
void arch_fpu_save(void *area);
void arch_fpu_restore(void *area);
/* The user's FS base, the thread pointer of x86-64 TLS (thread.c).  The
 * kernel never uses FS (per-CPU data is GS), so the register holds the
 * running thread's value all the time it is in the kernel; the scheduler
 * saves and loads it at each switch.  set: base must be canonical (a
 * non-canonical one makes wrmsr fault); callers check it is a user address. */
uint64_t arch_user_fs_get(void);
void arch_user_fs_set(uint64_t base);
struct trapframe;
__attribute__((noreturn)) void arch_enter_user(struct trapframe *tf);
/* Initial kernel stack of a forked child: "returns" to user through tf. */
uint64_t arch_fork_stack(uint64_t stack_top, struct trapframe *tf);
void arch_serial_init(void);
void arch_serial_putc(char c);
int arch_serial_getc(void); /* a received byte, or -1 */
/* The same, waiting up to `spins` pauses for one to arrive. */
int arch_serial_getc_wait(unsigned spins);
void arch_acpi_find_rsdp(struct boot_info *bi);
__attribute__((noreturn)) void arch_halt_forever(void);
/* Leave QEMU through isa-debug-exit; halts if the device is absent. */
__attribute__((noreturn)) void arch_qemu_exit(uint8_t code);
/* Turn the machine off (ACPI on QEMU's pc and microvm; halts otherwise). */
__attribute__((noreturn)) void arch_power_off(void);
/* Touch one byte; 0, or -EFAULT if the access faults (trapentry.asm). */
int arch_probe_read(const void *p);
int arch_probe_write(void *p);
int arch_probe_read64(const void *p, uint64_t *out);
/* SMEP and SMAP (cpu.c): set in CR4 when CPUID says the CPU has them. */
extern bool cpu_has_smep, cpu_has_smap;
/* ---- Catching one kernel page fault on purpose (trap.c; tests only).
 * arch_catch_page_fault(fn, arg, out) runs fn(arg) on this CPU with
 * interrupts off.  If fn takes a page fault in kernel mode, trap.c records
 * it in *out and ends fn there, and the call returns true; false if fn
 * returned normally.  Only this function arms the catch, for its own call:
 * every other kernel page fault is handled (or fatal) as usual. */
struct caught_fault {
    uint64_t addr, error;  /* CR2 and the page-fault error code */
    uint64_t rip, rflags;  /* where it happened, and the flags then (AC) */
    const char *violation; /* "SMAP", "SMEP" or NULL: trap.c says why */
    uint64_t resume_rsp;   /* internal: the stack arch_catch_run returns on */
};
bool arch_catch_page_fault(void (*fn)(void *), void *arg, struct caught_fault *out);
/* Print a frame-pointer backtrace: rip (0: none) and its frame pointer rbp;
 * rsp (0: unknown) lets it find the caller of a function that had not set
 * up a frame yet, such as a leaf function. */
void arch_backtrace(uint64_t rip, uint64_t rbp, uint64_t rsp);

#endif
