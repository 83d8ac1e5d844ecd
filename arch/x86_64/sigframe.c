/* sigframe.c - the signal frame on the user stack (x86-64, Linux's
 * layout): what arch_signal_frame_build leaves below the interrupted rsp,
 * and how rt_sigreturn puts the registers back from it.
 *
 *   interrupted rsp ->  ...
 *                       128-byte red zone (the interrupted code's)
 *                       fpstate: 512-byte fxsave area, 64-aligned
 *                       struct rt_sigframe.info   siginfo_t (128)
 *                       struct rt_sigframe.uc     ucontext_t (304): registers, mask,
 *                                                 uc_mcontext.fpregs -> fpstate
 *   handler's rsp   ->  struct rt_sigframe.pretcode = sa_restorer
 *
 * The handler starts as if called with its return address at rsp (rsp + 8
 * is 16-aligned), so its `ret` jumps to the restorer, which calls
 * rt_sigreturn with rsp just above pretcode. */
#include "sigframe.h"
#include "arch.h"
#include "trap.h"
#include "kernel/signal.h"
#include "kernel/usercopy.h"
#include "lib/string.h"

struct rt_sigframe {
    uint64_t pretcode;
    ucontext_t uc;
    siginfo_t info;
};

#define RED_ZONE 128
#define FPSTATE_ALIGN 64

/* Flags the user may set (status flags, TF, DF, RF, AC, ID) and the ones a
 * user frame always has (IF, bit 1).  Anything else (IOPL, NT, VM, VIF,
 * VIP) in a frame handed to rt_sigreturn is an attempt to gain privilege. */
#define RFLAGS_USER_BITS 0x250dd5ul /* CF PF AF ZF SF TF DF OF RF AC ID */
#define RFLAGS_ALWAYS    (RFLAGS_IF | RFLAGS_RESERVED)

static void save_registers(mcontext_t *mc, const struct trapframe *tf)
{
    greg_t *g = mc->gregs;
    g[REG_R8] = tf->r8, g[REG_R9] = tf->r9, g[REG_R10] = tf->r10, g[REG_R11] = tf->r11;
    g[REG_R12] = tf->r12, g[REG_R13] = tf->r13, g[REG_R14] = tf->r14, g[REG_R15] = tf->r15;
    g[REG_RDI] = tf->rdi, g[REG_RSI] = tf->rsi, g[REG_RBP] = tf->rbp, g[REG_RBX] = tf->rbx;
    g[REG_RDX] = tf->rdx, g[REG_RAX] = tf->rax, g[REG_RCX] = tf->rcx, g[REG_RSP] = tf->rsp;
    g[REG_RIP] = tf->rip, g[REG_EFL] = tf->rflags;
    g[REG_CSGSFS] = (tf->cs & 0xffff) | (tf->ss & 0xffff) << 48;
    bool exception = tf->vector < 32;
    g[REG_ERR] = exception ? tf->error : 0;
    g[REG_TRAPNO] = exception ? tf->vector : 0;
}

static void load_registers(struct trapframe *tf, const mcontext_t *mc)
{
    const greg_t *g = mc->gregs;
    tf->r8 = g[REG_R8], tf->r9 = g[REG_R9], tf->r10 = g[REG_R10], tf->r11 = g[REG_R11];
    tf->r12 = g[REG_R12], tf->r13 = g[REG_R13], tf->r14 = g[REG_R14], tf->r15 = g[REG_R15];
    tf->rdi = g[REG_RDI], tf->rsi = g[REG_RSI], tf->rbp = g[REG_RBP], tf->rbx = g[REG_RBX];
    tf->rdx = g[REG_RDX], tf->rax = g[REG_RAX], tf->rcx = g[REG_RCX], tf->rsp = g[REG_RSP];
    tf->rip = g[REG_RIP];
    tf->rflags = (g[REG_EFL] & RFLAGS_USER_BITS) | RFLAGS_ALWAYS;
    /* Return with iretq: sysret would load rcx and r11 with rip and rflags
     * and lose the values just restored. */
    tf->vector = 0;
}

/* Could these registers be user mode's own?  Only user segments, no
 * privileged flag, rip and rsp in the user half (iretq to a non-canonical
 * rip would fault in the kernel). */
static bool user_registers_ok(const mcontext_t *mc)
{
    uint64_t segs = mc->gregs[REG_CSGSFS];
    return (segs & 0xffff) == USER_CS && (segs >> 48) == USER_SS &&
           !(mc->gregs[REG_EFL] & ~(RFLAGS_USER_BITS | RFLAGS_ALWAYS)) &&
           (uint64_t)mc->gregs[REG_RIP] < USER_TOP && (uint64_t)mc->gregs[REG_RSP] < USER_TOP;
}

static void fill_siginfo(siginfo_t *si, int sig, const struct siginfo_k *info)
{
    memset(si, 0, sizeof(*si));
    si->si_signo = sig;
    si->si_code = info->code;
    if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
        si->si_addr = (void *)info->addr;
    } else {
        si->si_pid = info->pid;
        si->si_status = info->status;
    }
}

int arch_signal_frame_build(struct trapframe *tf, int sig, const struct siginfo_k *info,
                            const struct k_sigaction *act, uint64_t old_mask)
{
    uint8_t fpu[FPU_AREA_SIZE] __attribute__((aligned(16)));
    struct rt_sigframe frame;
    uint64_t fpstate = (tf->rsp - RED_ZONE - FPU_AREA_SIZE) & ~(uint64_t)(FPSTATE_ALIGN - 1);
    uint64_t at = ((fpstate - sizeof(frame)) & ~15ul) - 8; /* as if called: rsp + 8 aligned */
    if (!(act->flags & SA_RESTORER) || (uint64_t)act->handler >= USER_TOP ||
        !user_range_ok(at, tf->rsp - at) || tf->rsp < at)
        return -EFAULT;

    memset(&frame, 0, sizeof(frame));
    frame.pretcode = (uint64_t)act->restorer;
    frame.uc.uc_stack.ss_flags = SS_DISABLE;
    save_registers(&frame.uc.uc_mcontext, tf);
    frame.uc.uc_mcontext.gregs[REG_OLDMASK] = old_mask;
    frame.uc.uc_mcontext.gregs[REG_CR2] = tf->vector == T_PAGE_FAULT ? info->addr : 0;
    frame.uc.uc_mcontext.fpregs = (void *)fpstate;
    frame.uc.uc_sigmask = old_mask;
    fill_siginfo(&frame.info, sig, info);
    arch_fpu_save(fpu); /* the thread's live registers: the kernel never uses them */
    if (copy_to_user((void *)fpstate, fpu, sizeof(fpu)) ||
        copy_to_user((void *)at, &frame, sizeof(frame)))
        return -EFAULT;

    arch_fpu_reset(fpu); /* the handler starts with a clean FPU, as on Linux */
    arch_fpu_restore(fpu);
    tf->rdi = sig;
    tf->rsi = at + offsetof(struct rt_sigframe, info);
    tf->rdx = at + offsetof(struct rt_sigframe, uc);
    tf->rax = 0;
    tf->rsp = at;
    tf->rip = (uint64_t)act->handler;
    tf->rflags &= ~(uint64_t)(RFLAGS_TF | RFLAGS_DF | (1ul << 16)); /* and RF */
    return 0;
}

/* The FPU state the frame points at (NULL: a clean one), checked so that
 * fxrstor cannot fault: MXCSR's reserved bits are cleared. */
static int load_fpu(const void *ufp, uint8_t *fpu)
{
    if (!ufp) {
        arch_fpu_reset(fpu);
        return 0;
    }
    if ((uint64_t)ufp % 16 || copy_from_user(fpu, ufp, FPU_AREA_SIZE))
        return -EFAULT;
    arch_fpu_sanitize(fpu);
    return 0;
}

int arch_signal_frame_restore(struct trapframe *tf, uint64_t *mask)
{
    uint8_t fpu[FPU_AREA_SIZE] __attribute__((aligned(16)));
    ucontext_t uc;
    uint64_t at = tf->rsp - 8; /* the handler's ret popped pretcode */
    if (tf->rsp < 8 ||
        copy_from_user(&uc, (void *)(at + offsetof(struct rt_sigframe, uc)), sizeof(uc)) ||
        !user_registers_ok(&uc.uc_mcontext) || load_fpu(uc.uc_mcontext.fpregs, fpu))
        return -EFAULT;
    load_registers(tf, &uc.uc_mcontext);
    arch_fpu_restore(fpu);
    *mask = uc.uc_sigmask;
    return 0;
}

void arch_syscall_restart(struct trapframe *tf, int64_t nr)
{
    tf->rax = nr;
    tf->rip -= 2; /* syscall is 0f 05 */
}
