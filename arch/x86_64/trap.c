/* trap.c - what happens on an interrupt or exception.  For now every
 * exception in the kernel is fatal unless the faulting instruction has an
 * entry in the exception table (a deliberate probe): then execution resumes
 * at its fixup with rax = -EFAULT.  A kernel access to a user page that SMAP
 * or SMEP refuses is always fatal, and named as such, except inside a test
 * that armed arch_catch_page_fault() to see it happen. */
#include "fs/console.h"
#include "trap.h"
#include "arch.h"
#include "x86.h"
#include "kernel/cpu.h"
#include "fs/file.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/usercopy.h"
#include "lib/string.h"
#include "kernel/sys.h"
#include "kernel/time.h"
#include "mm/pgtable.h"
#include "mm/tlb.h"
#include "mm/vm.h"

static const char *const exception_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point error",
    "virtualization exception",
    "control protection",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "hypervisor injection",
    "VMM communication",
    "security exception",
    "reserved",
};

struct extable_entry {
    uint64_t insn, fixup;
};
extern const struct extable_entry __extable_start[], __extable_end[];

static bool has_fixup(uint64_t rip)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
        if (e->insn == rip)
            return true;
    return false;
}

static bool apply_fixup(struct trapframe *tf)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
        if (e->insn == tf->rip) {
            tf->rip = e->fixup;
            tf->rax = (uint64_t)-14; /* -EFAULT */
            return true;
        }
    }
    return false;
}


static const char *access_name(uint64_t error)
{
    return error & PF_FETCH ? "instruction fetch" : error & PF_WRITE ? "write" : "read";
}

/* Did the CPU refuse this kernel-mode page fault because of SMAP or SMEP?
 * Both apply to a present user page (PTE_U) touched in kernel mode: SMEP to
 * every instruction fetch, SMAP to every read or write made with AC clear,
 * that is, outside the STAC...CLAC of the user-copy functions.  The leaf
 * entry is read from the page table live at the fault (CR3).  "SMAP",
 * "SMEP", or NULL for any other fault. */
static const char *protection_violation(const struct trapframe *tf, uint64_t addr)
{
    if ((tf->error & (PF_PRESENT | PF_USER)) != PF_PRESENT || addr >= USER_TOP)
        return NULL;
    pte_t leaf;
    pte_t *pml4 = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
    if (!pgtable_translate(pml4, addr, NULL, &leaf) || !(leaf & PTE_U))
        return NULL;
    if (tf->error & PF_FETCH)
        return cpu_has_smep ? "SMEP" : NULL;
    return cpu_has_smap && !(tf->rflags & RFLAGS_AC) ? "SMAP" : NULL;
}

static void print_page_fault(const struct trapframe *tf)
{
    uint64_t e = tf->error;
    kprintf("  cr2=%016lx: %s %s in %s mode%s%s\n", read_cr2(),
            e & PF_PRESENT ? "protection violation on" : "not-present page on", access_name(e),
            e & PF_USER ? "user" : "kernel", e & PF_RSVD ? ", reserved bit set" : "",
            e & PF_PRESENT ? "" : "");
    kprintf("  error=%lx [%s %s %s%s%s]\n", e, e & PF_PRESENT ? "P" : "-", e & PF_WRITE ? "W" : "R",
            e & PF_USER ? "U" : "S", e & PF_FETCH ? " I" : "", e & PF_RSVD ? " RSVD" : "");
}

static void print_registers(const struct trapframe *tf)
{
    kprintf("  rip=%016lx cs=%lx rflags=%016lx rsp=%016lx ss=%lx\n", tf->rip, tf->cs, tf->rflags,
            tf->rsp, tf->ss);
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
    kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->r8);
    kprintf("  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n", tf->r9, tf->r10, tf->r11, tf->r12);
    kprintf("  r13=%016lx r14=%016lx r15=%016lx\n", tf->r13, tf->r14, tf->r15);
    kprintf("  cr2=%016lx cr3=%016lx\n", read_cr2(), read_cr3());
}

void console_force_unlock(void);

extern char boot_stack_guard[];

static void print_hints(const struct trapframe *tf)
{
    uint64_t cr2 = read_cr2(), guard = (uint64_t)boot_stack_guard;
    if ((tf->vector == T_DOUBLE_FAULT || tf->vector == T_PAGE_FAULT) && cr2 >= guard &&
        cr2 < guard + PAGE_SIZE)
        kprintf("  hint: cr2 is in the guard page below the boot stack: kernel stack overflow\n");
}

/* An exception the kernel cannot handle: report it and stop. */
static __attribute__((noreturn)) void kernel_exception(struct trapframe *tf)
{
    static volatile int reporting;
    if (__atomic_exchange_n(&reporting, 1, __ATOMIC_SEQ_CST)) {
        kprintf("\n*** exception %lu at %lx while reporting an exception\n", tf->vector, tf->rip);
        ktest_on_panic("kernel exception");
        arch_halt_forever();
    }
    console_force_unlock();
    const char *name = tf->vector < 32 ? exception_names[tf->vector] : "unexpected interrupt";
    kprintf("\n*** kernel exception %lu: %s (error code %lx)\n", tf->vector, name, tf->error);
    const char *violation =
        tf->vector == T_PAGE_FAULT ? protection_violation(tf, read_cr2()) : NULL;
    if (violation)
        kprintf("*** %s violation: kernel %s of user address %lx at RIP %lx\n", violation,
                access_name(tf->error), read_cr2(), tf->rip);
    if (tf->vector == T_PAGE_FAULT)
        print_page_fault(tf);
    print_registers(tf);
    print_hints(tf);
    arch_backtrace(tf->rip, tf->rbp, tf->rsp);
    ktest_on_panic("kernel exception");
    arch_halt_forever();
}

static unsigned fault_access(uint64_t error, bool user)
{
    return (error & PF_WRITE ? FAULT_WRITE : 0) | (error & PF_FETCH ? FAULT_EXEC : 0) |
           (user ? FAULT_USER : 0);
}

/* A fault on a user address while the kernel copies to or from user memory
 * takes the same path as the user's own access would: demand-zero, unshare,
 * copy-on-write.  Only if that fails does the copy stop with -EFAULT. */
static bool usercopy_fault(struct trapframe *tf)
{
    uint64_t addr = read_cr2();
    if (addr >= USER_TOP || !has_fixup(tf->rip))
        return false;
    if (usercopy_page_fault(addr, fault_access(tf->error, false)))
        return true;
    return apply_fixup(tf);
}

/* ---- Expected faults, for tests only.  A test that must see the CPU refuse
 * an access (SMAP, SMEP) arms this CPU's slot through arch_catch_page_fault;
 * the next kernel-mode page fault on this CPU is then recorded and ends the
 * test's function (arch_catch_run in catch.asm) instead of the kernel.  The
 * slot is armed only for the duration of that one call, with interrupts
 * off so that nothing else runs on this CPU meanwhile, and it disarms itself
 * at the first fault: no other code can reach it. */
void arch_catch_resume(void);
bool arch_catch_run(void (*fn)(void *), void *arg, uint64_t *resume_rsp);
static struct caught_fault *catching[MAX_CPUS];

static bool catch_expected_fault(struct trapframe *tf)
{
    int cpu = this_cpu()->id;
    struct caught_fault *out = catching[cpu];
    if (!out || tf->vector != T_PAGE_FAULT)
        return false;
    catching[cpu] = NULL;
    out->addr = read_cr2();
    out->error = tf->error;
    out->rip = tf->rip;
    out->rflags = tf->rflags;
    out->violation = protection_violation(tf, out->addr);
    tf->rip = (uint64_t)arch_catch_resume; /* abandon fn's frames */
    tf->rsp = out->resume_rsp;
    return true;
}

bool arch_catch_page_fault(void (*fn)(void *), void *arg, struct caught_fault *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t flags = irq_save(); /* stay on this CPU, let nothing else run here */
    int cpu = this_cpu()->id;
    catching[cpu] = out;
    bool caught = arch_catch_run(fn, arg, &out->resume_rsp);
    catching[cpu] = NULL;
    irq_restore(flags);
    return caught;
}

/* The signal a user-mode exception raises, with Linux's si_code and
 * si_addr (the faulting instruction, or 0 where Linux gives none). */
static const struct {
    int sig, code;
    bool addr_is_rip;
} user_exception_signal[32] = {
    [T_DIVIDE] = {SIGFPE, FPE_INTDIV, true},
    [1] = {SIGTRAP, TRAP_BRKPT, true}, /* debug: single step (TF) */
    [T_BREAKPOINT] = {SIGTRAP, SI_KERNEL, false},
    [4] = {SIGSEGV, SI_KERNEL, false}, /* overflow */
    [5] = {SIGSEGV, SI_KERNEL, false}, /* bound */
    [T_INVALID_OPCODE] = {SIGILL, ILL_ILLOPN, true}, /* as Linux */
    [11] = {SIGBUS, SI_KERNEL, false}, /* segment not present */
    [12] = {SIGBUS, SI_KERNEL, false}, /* stack fault */
    [T_GPF] = {SIGSEGV, SI_KERNEL, false},
    [16] = {SIGFPE, FPE_FLTINV, true},
    [17] = {SIGBUS, BUS_ADRALN, true},
    [19] = {SIGFPE, FPE_FLTINV, true},
};

/* An exception in user mode: the kernel decides (kernel/fault.c) whether a
 * page fault is resolved or is a SIGSEGV; other exceptions are signals
 * (kernel/signal.c: a handler, or the end of the process). */
static void user_exception(struct trapframe *tf)
{
    if (tf->vector == T_PAGE_FAULT) {
        unsigned access = fault_access(tf->error, true) | (tf->error & PF_PRESENT ? FAULT_PRESENT : 0);
        process_page_fault(read_cr2(), access, tf->rip, tf->rsp);
        return;
    }
    int sig = user_exception_signal[tf->vector].sig, code = user_exception_signal[tf->vector].code;
    if (!sig)
        sig = SIGILL, code = SI_KERNEL;
    uint64_t addr = user_exception_signal[tf->vector].addr_is_rip ? tf->rip : 0;
    signal_fault(sig, code, addr, tf->rip, exception_names[tf->vector]);
}

void trap_dispatch(struct trapframe *tf)
{
    bool from_user = tf->cs & 3;
    if (from_user && tf->vector < 32) {
        user_exception(tf);
    } else if (tf->vector == VECTOR_TIMER) {
        arch_irq_eoi();
        sched_tick();
    } else if (tf->vector == VECTOR_IPI_TLB) {
        tlb_ipi();
        arch_irq_eoi();
    } else if (tf->vector == VECTOR_SERIAL) {
        this_cpu()->stats.serial_irqs++;
        console_poll_input(); /* reads until the UART is empty: that clears the IRQ */
        arch_irq_eoi();
    } else if (tf->vector == VECTOR_IPI_RESCHED) {
        arch_irq_eoi();
        sched_resched_ipi();
    } else if (tf->vector == VECTOR_SPURIOUS || (tf->vector >= 0xe0 && tf->vector < 0xf0)) {
        return; /* spurious LAPIC or (masked) legacy PIC interrupt: no EOI */
    } else if (catch_expected_fault(tf)) {
        return;
    } else if (tf->vector == T_PAGE_FAULT && protection_violation(tf, read_cr2())) {
        kernel_exception(tf); /* a kernel bug, even at a probe: no fixup, no retry */
    } else if (tf->vector == T_PAGE_FAULT && usercopy_fault(tf)) {
        return;
    } else if (tf->vector < 32 && apply_fixup(tf)) {
        return;
    } else {
        kernel_exception(tf);
    }
    if (tf->rflags & RFLAGS_IF) /* interrupted code had interrupts on: no locks held */
        sched_preempt_point();
    if (from_user)
        signal_return_to_user(tf, -1, SYSCALL_RESTART_NO);
}
