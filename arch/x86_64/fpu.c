/* fpu.c - the x87/SSE register file of user programs.  The kernel never
 * uses these registers (it is built with -mgeneral-regs-only), so they are
 * saved and restored only when switching between user threads. */
#include "arch.h"
#include "x86.h"
#include "lib/string.h"

static uint8_t initial_state[FPU_AREA_SIZE] __attribute__((aligned(16)));

void arch_fpu_init(void)
{
    uint64_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(1ul << 2)) | (1ul << 1); /* EM off, MP on */
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
    write_cr4(read_cr4() | (1ul << 9) | (1ul << 10)); /* OSFXSR, OSXMMEXCPT */
    uint32_t mxcsr = 0x1f80;                          /* all SSE exceptions masked */
    __asm__ volatile("fninit; ldmxcsr %0; fxsave %1" ::"m"(mxcsr), "m"(initial_state));
}

void arch_fpu_reset(void *area) { memcpy(area, initial_state, sizeof(initial_state)); }
void arch_fpu_save(void *area) { __asm__ volatile("fxsave (%0)" ::"r"(area) : "memory"); }
void arch_fpu_restore(void *area) { __asm__ volatile("fxrstor (%0)" ::"r"(area) : "memory"); }

/* MXCSR's writable bits, from fxsave's MXCSR_MASK field (0: the old
 * default, 0xffbf).  fxrstor of a reserved bit faults: a state that came
 * from user memory (rt_sigreturn) is cleaned first. */
void arch_fpu_sanitize(void *area)
{
    uint32_t *mxcsr = (uint32_t *)((uint8_t *)area + 24);
    uint32_t mask = *(uint32_t *)(initial_state + 28);
    *mxcsr &= mask ? mask : 0xffbf;
}
