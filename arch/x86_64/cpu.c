/* cpu.c - bringing the boot CPU into the state the kernel expects:
 * descriptor tables, global pages, and SMEP/SMAP where the CPU has them. */
#include "arch.h"
#include "gdt.h"
#include "kernel/printk.h"
#include "trap.h"

#define CR4_PGE  (1ul << 7)
#define CR4_SMEP (1ul << 20)
#define CR4_SMAP (1ul << 21)

bool cpu_has_smep;
bool cpu_has_smap; /* read by usercopy.asm (one byte) */

void arch_cpu_init(void)
{
    gdt_init();
    idt_init();
    uint32_t r[4];
    cpuid(0, 0, r);
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
