/* uapi/signal.h - signals at Linux x86-64's numbers and ABI: the numbers,
 * sigaction's flags, the structures rt_sigaction takes and the frame the
 * kernel builds on the user stack for a handler (siginfo_t, ucontext_t).
 * Kernel and libc include this one file; docs/signals.md draws the frame.
 *
 * A signal set is 64 bits, one per signal: signal n is bit n-1 (Linux's
 * kernel sigset_t; rt_sigprocmask and friends take its size, 8). */
#ifndef COWL_UAPI_SIGNAL_H
#define COWL_UAPI_SIGNAL_H

#include <stdint.h>

#define SIGHUP    1
#define SIGINT    2
#define SIGQUIT   3
#define SIGILL    4
#define SIGTRAP   5
#define SIGABRT   6
#define SIGBUS    7
#define SIGFPE    8
#define SIGKILL   9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGSTKFLT 16
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGXCPU   24
#define SIGXFSZ   25
#define SIGVTALRM 26
#define SIGPROF   27
#define SIGWINCH  28
#define SIGIO     29
#define SIGPWR    30
#define SIGSYS    31
#define SIGRTMIN  32
#define SIGRTMAX  64
#define NSIG      65 /* one more than the highest signal, as glibc's */
#define SIGSET_SIZE 8 /* bytes of a signal set: rt_sig*'s last argument */

/* Handlers that are not functions. */
#define SIG_DFL ((void (*)(int))0)
#define SIG_IGN ((void (*)(int))1)
#define SIG_ERR ((void (*)(int)) - 1)

/* sigaction's sa_flags */
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO   0x00000004u /* handler(sig, siginfo_t *, ucontext_t *) */
#define SA_RESTORER  0x04000000u /* sa_restorer is the handler's return address */
#define SA_ONSTACK   0x08000000u
#define SA_RESTART   0x10000000u /* restart a slow system call it interrupted */
#define SA_NODEFER   0x40000000u /* do not block the signal in its own handler */
#define SA_RESETHAND 0x80000000u /* back to SIG_DFL once delivered */

/* sigprocmask's how */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* si_code: who sent it, or what fault it reports */
#define SI_USER    0    /* kill */
#define SI_KERNEL  0x80 /* the kernel itself (a bad signal frame) */
#define SI_TKILL   (-6) /* tgkill, tkill (raise) */
#define SEGV_MAPERR 1   /* no mapping at the address */
#define SEGV_ACCERR 2   /* a mapping that does not allow the access */
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define ILL_ILLOPC  1   /* illegal opcode */
#define ILL_ILLOPN  2   /* illegal operand: what Linux says for ud2 (#UD) */
#define ILL_PRVOPC  5   /* privileged instruction */
#define FPE_INTDIV  1   /* integer divide by zero */
#define FPE_FLTINV  7   /* x87/SSE exception */
#define TRAP_BRKPT  1
#define CLD_EXITED  1   /* SIGCHLD: the child called exit */
#define CLD_KILLED  2   /* SIGCHLD: a signal ended it */

/* What the kernel tells a handler about the signal: 128 bytes, Linux's
 * layout for the fields cowl fills in. */
union sigval {
    int sival_int;
    void *sival_ptr;
};
typedef struct siginfo {
    int si_signo;
    int si_errno;
    int si_code;
    int si_pad0;
    union {
        struct {          /* kill, tgkill, SIGCHLD */
            int si_pid;
            unsigned si_uid;
            union {
                int si_status;        /* SIGCHLD: exit code, or the signal */
                union sigval si_value;
            };
        };
        void *si_addr;    /* SIGSEGV, SIGBUS, SIGILL, SIGFPE: the address */
        char si_pad[112];
    };
} siginfo_t;

/* rt_sigaction's struct (Linux's kernel_sigaction): not the libc's. */
struct k_sigaction {
    void *handler;     /* SIG_DFL, SIG_IGN or a function */
    uint64_t flags;    /* SA_* */
    void *restorer;    /* the handler returns here: calls rt_sigreturn */
    uint64_t mask;     /* also blocked while the handler runs */
};

/* ---- The frame on the user stack (x86-64; docs/signals.md). */
typedef struct {
    void *ss_sp;
    int ss_flags;
    uint64_t ss_size;
} stack_t;
#define SS_DISABLE 2

/* The saved general registers, indexed as glibc's gregs[] (sys/ucontext.h):
 * Linux's struct sigcontext, field for field. */
enum {
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
    REG_RDI, REG_RSI, REG_RBP, REG_RBX, REG_RDX, REG_RAX, REG_RCX, REG_RSP,
    REG_RIP, REG_EFL,
    REG_CSGSFS, /* cs | gs << 16 | fs << 32 | ss << 48 */
    REG_ERR, REG_TRAPNO, REG_OLDMASK, REG_CR2,
    NGREG
};
typedef long long greg_t;
typedef struct {
    greg_t gregs[NGREG];
    void *fpregs;     /* the 512-byte fxsave area, 16-aligned; NULL: none */
    uint64_t reserved1[8];
} mcontext_t;
typedef struct ucontext {
    uint64_t uc_flags;
    struct ucontext *uc_link;
    stack_t uc_stack;
    mcontext_t uc_mcontext;
    uint64_t uc_sigmask; /* the mask to restore at rt_sigreturn */
} ucontext_t;

#endif
