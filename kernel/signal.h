/* signal.h - POSIX signals (docs/signals.md): what a process does with
 * each signal (its dispositions), what each thread blocks, what is pending,
 * and delivery on the way back to user mode.  Numbers and ABI are Linux
 * x86-64's (uapi/signal.h); the frame on the user stack is built by the
 * arch code (arch/x86_64/sigframe.c).
 *
 * Everything here is protected by proc_table_lock ([p]): the dispositions
 * of a process, the pending sets, every thread's mask.  One lock for all of
 * it: sending a signal has to look at a process, its threads and their
 * masks at once, and none of it is hot.  A thread's `killed` word (thread.h)
 * is the one thing read without the lock, on every return to user mode:
 * nonzero says "look at your signals first". */
#ifndef SIGNAL_H
#define SIGNAL_H

#include "lib/types.h"
#include "uapi/signal.h"

struct process;
struct thread;
struct trapframe;

/* The value of thread->killed that says: a signal this thread does not
 * block is pending (a positive value is a fatal signal's number). */
#define SIGNAL_WAITING (-1)

#define SIG_BIT(sig) (1ull << ((sig)-1))
/* What no mask can block, no handler catch. */
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

/* What the kernel remembers of a pending signal, until it builds the
 * siginfo_t of the handler's frame from it. */
struct siginfo_k {
    int code;      /* si_code: SI_USER, SEGV_MAPERR, CLD_EXITED, ... */
    int pid;       /* the sender (kill), the child (SIGCHLD) */
    int status;    /* SIGCHLD: the exit code or the signal */
    uint64_t addr; /* faults: the address */
};

/* A process's part: dispositions, signals sent to the whole process, and
 * the ITIMER_REAL timer.  Zero is the initial state: everything SIG_DFL. */
struct sig_process {
    struct k_sigaction action[NSIG - 1]; /* [p] by sig - 1 */
    uint64_t pending;                    /* [p] sent to the process, not taken by a thread */
    struct siginfo_k info[NSIG - 1];     /* [p] the first of each pending signal */
    uint64_t alarm_at_us;                /* [p] SIGALRM at this time_now_us(); 0: off */
    uint64_t alarm_interval_us;          /* [p] then re-armed with this; 0: once */
};

/* A thread's part: its mask and the signals sent to it alone. */
struct sig_thread {
    uint64_t blocked;                /* [p] the mask */
    uint64_t pending;                /* [p] sent to this thread (faults, tgkill) */
    struct siginfo_k info[NSIG - 1]; /* [p] */
    uint64_t saved_mask;             /* [p] sigsuspend's caller's mask, ... */
    bool restore_mask;               /* [p] ... to restore once a handler ran */
};

/* Send sig to process p: a thread that does not block it takes it
 * (process-directed, as kill does).  info NULL: SI_USER from the kernel.
 * SIGKILL ends the process at once; a signal p ignores is dropped.  sig 0
 * sends nothing.  Caller holds proc_table_lock (so p and its threads stay).
 * 0, or -EINVAL for a bad number. */
int signal_send_process(struct process *p, int sig, const struct siginfo_k *info);
/* The same, to this one thread (tgkill, raise, faults). [p] */
int signal_send_thread(struct thread *t, int sig, const struct siginfo_k *info);

/* On every return to user mode, after a system call or an interrupt or
 * exception that came from user mode: act on what is pending (handler
 * frames, default actions).  A system call that returned -EINTR passes its
 * number and how it may be restarted; anything else nr -1, SYSCALL_RESTART_NO. */
enum syscall_restart {
    SYSCALL_RESTART_NO,     /* EINTR stays (nanosleep) */
    SYSCALL_RESTART_NOHAND, /* restarted unless a handler ran (pause, sigsuspend) */
    SYSCALL_RESTART_SYS,    /* restarted unless a handler without SA_RESTART ran */
    SYSCALL_RESTART_ALWAYS, /* always restarted (fork, clone, exec) */
};
void signal_return_to_user(struct trapframe *tf, int64_t nr, enum syscall_restart restart);

/* Send sig to the calling thread itself, from the kernel (SIGPIPE). */
void signal_raise(int sig);
/* The current thread's user code faulted (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGTRAP): queue the signal for its handler; without one (or with the
 * signal blocked, as inside its own handler) the process ends, with a line
 * on the console that says why. */
void signal_fault(int sig, int code, uint64_t addr, uint64_t rip, const char *why);

/* fork: the child copies the dispositions and the caller's mask; nothing is
 * pending in it and it has no timer. */
void signal_fork(struct thread *child, struct thread *parent);
/* clone: a new thread starts with its creator's mask. */
void signal_clone(struct thread *t, struct thread *creator);
/* exec: handlers go back to SIG_DFL (ignored signals stay ignored); the
 * mask, the pending signals and the timer stay. */
void signal_exec(struct process *p);
/* Process p's last thread is exiting: SIGCHLD to its parent. [p] */
void signal_child_exited(struct process *p);
/* The timer tick (CPU 0): fire the ITIMER_REAL timers that are due. */
void signal_tick(void);
/* Some process's timer was armed to fire at at_us (time_now_us). */
void signal_alarm_armed(uint64_t at_us);
/* Would a signal sig with this action do nothing at all? */
bool signal_ignores(const struct k_sigaction *a, int sig);
/* t's mask or pending sets changed: set or clear its `killed` word to say
 * whether a signal it does not block waits (never over a fatal one). [p] */
void signal_recalc(struct thread *t);

#endif
