/* syscall.c - from the syscall instruction to the handler and back.
 * Every handler checks all its arguments before it changes anything. */
#include "uapi/syscall.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/sys.h"
#include "trap.h"

typedef int64_t (*syscall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* Handlers are written with their real parameter types (int, pointers,
 * size_t).  On x86-64 each argument travels in its own 64-bit register and
 * a callee taking an int reads only the low 32 bits, which is exactly C's
 * conversion; so one calling type for all of them is what the ABI does
 * anyway.  The cast goes through void (*)(void) to say that on purpose. */
#define H(name) [SYS_##name] = (syscall_fn)(void (*)(void))sys_##name
static const syscall_fn table[] = {
    H(read),           H(write),       H(open),
    H(close),          H(stat),        H(fstat),
    H(lseek),          H(mmap),        H(mprotect),
    H(munmap),         H(brk),         H(pipe),
    H(sched_yield),    H(dup),         H(dup2),
    H(nanosleep),      H(getpid),      H(fork),
    H(execve),         H(exit),        H(wait4),
    H(kill),           H(getcwd),      H(chdir),
    H(mkdir),          H(unlink),      H(getppid),
    H(reboot),         H(getdents64),  H(clock_gettime),
    H(exit_group),     H(cowl_procs),  H(cowl_memstat),
    H(cowl_fork_mode), H(cowl_vmstat), H(clone),
    H(gettid),         H(futex),       H(cowl_cpustat),
    H(getcpu),         H(cowl_ptdump), H(pipe2),
    H(cowl_failalloc), H(prctl),
    H(cowl_vm_create), H(cowl_vm_memory), H(cowl_vcpu_create),
    H(cowl_vcpu_regs), H(cowl_vcpu_run), H(cowl_virtstat),
    H(cowl_vm_fork),   H(cowl_vcpu_fork), H(cowl_vm_ptdump),
    H(rmdir),          H(link),        H(access),
    H(rt_sigaction),   H(rt_sigprocmask), H(rt_sigreturn),
    H(rt_sigpending),  H(rt_sigsuspend), H(pause),
    H(tkill),          H(tgkill),
    H(alarm),          H(setitimer),   H(getitimer),
    H(arch_prctl),     H(setpgid),     H(getpgid),
    H(getpgrp),        H(setsid),      H(getsid),
    H(ioctl),
};

/* What a system call that a signal interrupted (it returned -EINTR) does
 * once the signal is handled (kernel/signal.h, docs/signals.md): the calls
 * that sleep until something happens are restarted if the handler asked for
 * it (SA_RESTART) or if no handler ran; fork, clone and exec always; pause
 * and sigsuspend only if no handler ran (they exist to wait for one).  The
 * rest keep -EINTR (nanosleep: its time has passed meanwhile). */
static enum syscall_restart restart_kind(uint64_t nr)
{
    switch (nr) {
    case SYS_read:
    case SYS_write:
    case SYS_wait4:
    case SYS_futex:
        return SYSCALL_RESTART_SYS;
    case SYS_fork:
    case SYS_clone:
    case SYS_execve:
        return SYSCALL_RESTART_ALWAYS;
    case SYS_pause:
    case SYS_rt_sigsuspend:
        return SYSCALL_RESTART_NOHAND;
    default:
        return SYSCALL_RESTART_NO;
    }
}

void syscall_dispatch(struct trapframe *tf)
{
    irq_enable(); /* syscall entered with interrupts off (FMASK) */
    uint64_t nr = tf->rax;
    int64_t ret = -ENOSYS;
    if (nr < sizeof(table) / sizeof(table[0]) && table[nr])
        ret = table[nr](tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    tf->rax = ret;
    signal_return_to_user(tf, nr, ret == -EINTR ? restart_kind(nr) : SYSCALL_RESTART_NO);
}
