/* fault.c - what happens to a process whose user code faults: a page
 * fault is resolved by the address space if it can be (demand zero,
 * unshare, copy on write: mm/vm.c); anything else ends the process, with a
 * line on the console that says why.  The arch code (arch/x86_64/trap.c)
 * only decodes the exception and calls here. */
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sys.h"
#include "mm/vm.h"

void process_check_killed(void)
{
    int sig = current_thread()->killed;
    if (sig)
        thread_exit(W_SIGNALED(sig));
}

void process_fault_kill(uint64_t addr, uint64_t rip, const char *why, int sig)
{
    struct process *p = current_process();
    kprintf("cowl: pid %d (%s) killed: %s at %lx, rip %lx\n", p->pid, p->name, why, addr, rip);
    process_exit(W_SIGNALED(sig)); /* a fault in one thread ends them all */
}

/* Why a page fault that the address space refused is fatal, in words. */
static const char *refusal(struct mm *mm, int err, uint64_t addr, unsigned access, uint64_t sp)
{
    if (err == -ENOMEM)
        return "out of memory";
    if (addr >= USER_TOP)
        return "kernel address";
    if (vm_is_stack_guard(mm, addr, sp))
        return "stack overflow into the stack guard page";
    return access & FAULT_PRESENT ? "access against the mapping's permissions"
                                  : "address outside any mapping";
}

void process_page_fault(uint64_t addr, unsigned access, uint64_t rip, uint64_t sp)
{
    struct mm *mm = current_process()->mm;
    int err = vm_fault(mm, addr, access);
    if (err == 0)
        return;
    process_fault_kill(addr, rip, refusal(mm, err, addr, access, sp),
                       err == -ENOMEM ? SIGKILL : SIGSEGV);
}
