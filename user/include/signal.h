#ifndef _SIGNAL_H
#define _SIGNAL_H
/* signal.h - POSIX signals (user/lib/signal.c).  The numbers, flags and
 * the frame a handler sees (siginfo_t, ucontext_t) are the kernel's,
 * shared through uapi/signal.h; docs/signals.md explains delivery. */
#include <stdint.h>
#include "uapi/signal.h"

typedef uint64_t sigset_t; /* bit sig-1 for signal sig, as the kernel's */
#define SIG_BIT_(sig) (1ull << ((sig)-1))
typedef void (*sighandler_t)(int);
typedef int sig_atomic_t;

struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t *, void *);
    };
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void); /* libc's own: any value given is replaced */
};

int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);

int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
sighandler_t signal(int sig, sighandler_t handler);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old); /* 0 or an errno */
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int kill(int pid, int sig);
int raise(int sig);
void psignal(int sig, const char *msg);
int tgkill(int tgid, int tid, int sig);
#endif
