/* fault.c - what happens to a process whose user code faults: a page
 * fault is resolved by the address space if it can be (demand zero,
 * unshare, copy on write: mm/vm.c); anything else is a signal (SIGSEGV),
 * which a handler may catch and which otherwise ends the process with a
 * line on the console that says why (kernel/signal.c).  The arch code
 * (arch/x86_64/trap.c) only decodes the exception and calls here. */
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/sys.h"
#include "mm/vm.h"

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

/* si_code of a refused access, as Linux says it: SEGV_ACCERR if a mapping
 * covers the address (its permissions refused), SEGV_MAPERR if none does. */
static int segv_code(struct mm *mm, uint64_t addr)
{
    if (addr >= USER_TOP)
        return SEGV_MAPERR;
    down_read(&mm->lock);
    bool mapped = mm_find_vma(mm, addr) != NULL;
    up_read(&mm->lock);
    return mapped ? SEGV_ACCERR : SEGV_MAPERR;
}

void process_page_fault(uint64_t addr, unsigned access, uint64_t rip, uint64_t sp)
{
    struct mm *mm = current_process()->mm;
    int err = vm_fault(mm, addr, access);
    if (err == 0)
        return;
    int sig = err == -ENOMEM ? SIGKILL : SIGSEGV;
    signal_fault(sig, segv_code(mm, addr), addr, rip, refusal(mm, err, addr, access, sp));
}
