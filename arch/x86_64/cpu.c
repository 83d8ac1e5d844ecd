/* cpu.c - bringing the boot CPU into the state the kernel expects:
 * descriptor tables, global pages, and SMEP/SMAP where the CPU has them. */
#include "arch.h"
#include "x86.h"
#include "gdt.h"
#include "kernel/printk.h"
#include "trap.h"

#define CR4_PGE  (1ul << 7)
#define CR4_SMEP (1ul << 20)
#define CR4_SMAP (1ul << 21)

bool cpu_has_smep;
bool cpu_has_smap; /* read by usercopy.asm (one byte) */

/* What every CPU sets up for itself: its GDT and TSS, the shared IDT,
 * control-register features, the FPU and the syscall MSRs. */
void arch_cpu_init_this(int cpu)
{
    gdt_init(cpu);
    idt_load_shared();
    uint32_t r[4];
    cpuid(0, 0, r); /* (the same answers on every CPU of a machine) */
    if (r[0] >= 7) {
        cpuid(7, 0, r);
        cpu_has_smep = r[1] & (1u << 7);
        cpu_has_smap = r[1] & (1u << 20);
    }
    uint64_t cr4 = read_cr4() | CR4_PGE;
    if (cpu_has_smep)
        cr4 |= CR4_SMEP;
    if (cpu_has_smap)
        cr4 |= CR4_SMAP;
    write_cr4(cr4);
    arch_fpu_init();
    arch_syscall_init();
}

void arch_cpu_init(void)
{
    arch_paravirt_detect();
    idt_init();
    arch_cpu_init_this(0);
}
