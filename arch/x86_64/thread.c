/* thread.c - the first kernel stack frame of a new thread, and the user
 * thread pointer (FS base) that goes with a thread. */
#include "arch.h"
#include "gdt.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "trap.h"
#include "x86.h"

extern char arch_thread_entry[];

/* arch_switch pops r15, r14, r13, r12, rbx, rbp and returns: lay those out
 * so that it "returns" into arch_thread_entry with r12 = fn, r13 = arg.
 * The return address sits at top - 8, so that after the ret the stack is
 * 16-byte aligned, as the ABI expects before a call. */
uint64_t arch_thread_stack(uint64_t top, int (*fn)(void *), void *arg)
{
    /* The top of every kernel stack is kept for the user trap frame: a
     * kernel thread may become a user process (process_spawn). */
    uint64_t *sp = (uint64_t *)(top - sizeof(struct trapframe));
    *--sp = (uint64_t)arch_thread_entry;
    *--sp = 0;             /* rbp: ends backtraces */
    *--sp = 0;             /* rbx */
    *--sp = (uint64_t)fn;  /* r12 */
    *--sp = (uint64_t)arg; /* r13 */
    *--sp = 0;             /* r14 */
    *--sp = 0;             /* r15 */
    return (uint64_t)sp;
}

extern char arch_fork_entry[];

uint64_t arch_fork_stack(uint64_t top, struct trapframe *tf)
{
    uint64_t *sp = (uint64_t *)tf; /* the frame sits at the top of the stack */
    (void)top;
    *--sp = (uint64_t)arch_fork_entry;
    *--sp = 0;            /* rbp */
    *--sp = 0;            /* rbx */
    *--sp = (uint64_t)tf; /* r12 */
    *--sp = 0;            /* r13 */
    *--sp = 0;            /* r14 */
    *--sp = 0;            /* r15 */
    return (uint64_t)sp;
}

void arch_set_kernel_stack(uint64_t top)
{
    tss_set_kernel_stack(top);
    this_cpu()->kernel_rsp = top;
}

uint64_t arch_user_fs_get(void) { return rdmsr(MSR_FS_BASE); }

void arch_user_fs_set(uint64_t base)
{
    if (base >= USER_TOP)
        panic("arch_user_fs_set: %lx is not a user address", base);
    wrmsr(MSR_FS_BASE, base);
}
