/* percpu.c - pointing GS at this CPU's struct cpu.
 * In the kernel, GS base holds &cpu; while user code runs, `swapgs` has
 * parked it in KERNEL_GS_BASE (see trapentry.asm: trap_common, syscall_entry). */
#include "arch.h"
#include "x86.h"
#include "kernel/cpu.h"

struct cpu boot_cpu;

void arch_percpu_init(struct cpu *c, int id)
{
    c->self = c;
    c->id = id;
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}
