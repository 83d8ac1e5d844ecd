/* sigframe.h - the machine's half of signal delivery (sigframe.c): the
 * frame a handler runs on, taking it apart again at rt_sigreturn, and
 * rewinding a system call so that it runs again.  kernel/signal.c decides
 * what to deliver; these only move registers.  docs/signals.md draws it. */
#ifndef SIGFRAME_H
#define SIGFRAME_H

#include "lib/types.h"

struct trapframe;
struct k_sigaction;
struct siginfo_k;

/* Build the frame for handler act->handler of signal sig below the user
 * stack of tf, saving every register of tf, the FPU state and old_mask in
 * it, and point tf at the handler.  0, or -EFAULT if the frame cannot be
 * written (the caller kills with SIGSEGV); tf is unchanged then. */
int arch_signal_frame_build(struct trapframe *tf, int sig, const struct siginfo_k *info,
                            const struct k_sigaction *act, uint64_t old_mask);
/* rt_sigreturn: load tf and the FPU from the frame the handler returned
 * from (at tf->rsp - 8) and set *mask to the mask it saved.  0, or -EFAULT
 * for a frame that cannot be read or holds what user mode may not have
 * (other segments, privileged flags, a kernel address); tf is unchanged
 * then and the caller kills with SIGSEGV. */
int arch_signal_frame_restore(struct trapframe *tf, uint64_t *mask);
/* Make tf run system call nr again: back over the syscall instruction. */
void arch_syscall_restart(struct trapframe *tf, int64_t nr);
/* Clear what fxrstor would refuse in an fxsave area from user memory
 * (fpu.c). */
void arch_fpu_sanitize(void *area);

#endif
