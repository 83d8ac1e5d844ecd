/* syscall_init.c - programming the MSRs behind the syscall instruction. */
#include "arch.h"
#include "x86.h"
#include "gdt.h"

extern char syscall_entry[];

void arch_syscall_init(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE: syscall enable */
    /* STAR[47:32]: kernel cs (ss = +8); STAR[63:48]: base of the user
     * selectors (sysret takes ss = base + 8, cs = base + 16). */
    wrmsr(MSR_STAR, ((uint64_t)SEL_KCODE << 32) | ((uint64_t)(SEL_UCODE - 16 - 3) << 48));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /* Cleared on entry: IF (no interrupts until the stack is switched), DF,
     * TF, AC (so SMAP applies to the kernel from the first instruction). */
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);
}
