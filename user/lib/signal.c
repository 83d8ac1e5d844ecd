/* signal.c - the libc's side of signals: signal sets, sigaction with the
 * restorer every handler returns through, masks, raise, alarm, and the
 * names of the signals.  The kernel side is kernel/signal.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "uapi/syscall.h"

long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

static long check(long r)
{
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

/* Where a handler returns: its frame's first word (docs/signals.md).  rsp
 * then points just above that word, where rt_sigreturn looks for the
 * saved registers. */
void __restore_rt(void);
__asm__(".text\n"
        ".global __restore_rt\n"
        "__restore_rt:\n"
        "    mov $15, %eax\n" /* SYS_rt_sigreturn */
        "    syscall\n"
        "    ud2\n");

static int bad_signal(int sig) { return sig < 1 || sig >= NSIG; }

int sigemptyset(sigset_t *set)
{
    *set = 0;
    return 0;
}

int sigfillset(sigset_t *set)
{
    *set = ~(sigset_t)0;
    return 0;
}

int sigaddset(sigset_t *set, int sig)
{
    if (bad_signal(sig)) {
        errno = EINVAL;
        return -1;
    }
    *set |= SIG_BIT_(sig);
    return 0;
}

int sigdelset(sigset_t *set, int sig)
{
    if (bad_signal(sig)) {
        errno = EINVAL;
        return -1;
    }
    *set &= ~SIG_BIT_(sig);
    return 0;
}

int sigismember(const sigset_t *set, int sig)
{
    if (bad_signal(sig)) {
        errno = EINVAL;
        return -1;
    }
    return (*set & SIG_BIT_(sig)) != 0;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct k_sigaction k, kold;
    if (act) {
        k.handler = (void *)act->sa_handler;
        k.flags = (unsigned)act->sa_flags | SA_RESTORER;
        k.restorer = (void *)__restore_rt;
        k.mask = act->sa_mask;
    }
    if (check(__syscall(SYS_rt_sigaction, sig, act ? (long)&k : 0, old ? (long)&kold : 0,
                        sizeof(sigset_t), 0, 0)) < 0)
        return -1;
    if (old) {
        old->sa_handler = (void (*)(int))kold.handler;
        old->sa_flags = (int)(kold.flags & ~(uint64_t)SA_RESTORER);
        old->sa_restorer = (void (*)(void))kold.restorer;
        old->sa_mask = kold.mask;
    }
    return 0;
}

/* BSD semantics, as glibc's signal(): the handler stays installed and
 * interrupted system calls are restarted. */
sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction act = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;
    if (sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    return check(__syscall(SYS_rt_sigprocmask, how, (long)set, (long)old, sizeof(sigset_t), 0, 0));
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    long r = __syscall(SYS_rt_sigprocmask, how, (long)set, (long)old, sizeof(sigset_t), 0, 0);
    return r < 0 ? (int)-r : 0;
}

int sigpending(sigset_t *set)
{
    return check(__syscall(SYS_rt_sigpending, (long)set, sizeof(sigset_t), 0, 0, 0, 0));
}

int sigsuspend(const sigset_t *mask)
{
    return check(__syscall(SYS_rt_sigsuspend, (long)mask, sizeof(sigset_t), 0, 0, 0, 0));
}

int pause(void) { return check(__syscall(SYS_pause, 0, 0, 0, 0, 0, 0)); }

int tgkill(int tgid, int tid, int sig)
{
    return check(__syscall(SYS_tgkill, tgid, tid, sig, 0, 0, 0));
}

/* To the calling thread, as POSIX says for a threaded program. */
int raise(int sig) { return tgkill(getpid(), gettid(), sig); }

unsigned alarm(unsigned seconds) { return __syscall(SYS_alarm, seconds, 0, 0, 0, 0, 0); }

int setitimer(int which, const struct itimerval *new_value, struct itimerval *old_value)
{
    return check(__syscall(SYS_setitimer, which, (long)new_value, (long)old_value, 0, 0, 0));
}

int getitimer(int which, struct itimerval *value)
{
    return check(__syscall(SYS_getitimer, which, (long)value, 0, 0, 0, 0));
}

static const char *const names[NSIG] = {
    [SIGHUP] = "Hangup",
    [SIGINT] = "Interrupt",
    [SIGQUIT] = "Quit",
    [SIGILL] = "Illegal instruction",
    [SIGTRAP] = "Trace/breakpoint trap",
    [SIGABRT] = "Aborted",
    [SIGBUS] = "Bus error",
    [SIGFPE] = "Floating point exception",
    [SIGKILL] = "Killed",
    [SIGUSR1] = "User defined signal 1",
    [SIGSEGV] = "Segmentation fault",
    [SIGUSR2] = "User defined signal 2",
    [SIGPIPE] = "Broken pipe",
    [SIGALRM] = "Alarm clock",
    [SIGTERM] = "Terminated",
    [SIGSTKFLT] = "Stack fault",
    [SIGCHLD] = "Child exited",
    [SIGCONT] = "Continued",
    [SIGSTOP] = "Stopped (signal)",
    [SIGTSTP] = "Stopped",
    [SIGTTIN] = "Stopped (tty input)",
    [SIGTTOU] = "Stopped (tty output)",
    [SIGURG] = "Urgent I/O condition",
    [SIGXCPU] = "CPU time limit exceeded",
    [SIGXFSZ] = "File size limit exceeded",
    [SIGVTALRM] = "Virtual timer expired",
    [SIGPROF] = "Profiling timer expired",
    [SIGWINCH] = "Window changed",
    [SIGIO] = "I/O possible",
    [SIGPWR] = "Power failure",
    [SIGSYS] = "Bad system call",
};

char *strsignal(int sig)
{
    static char buf[32];
    if (sig >= 0 && sig < NSIG && names[sig])
        return (char *)names[sig];
    if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        snprintf(buf, sizeof(buf), "Real-time signal %d", sig - SIGRTMIN);
    else
        snprintf(buf, sizeof(buf), "Unknown signal %d", sig);
    return buf;
}

void psignal(int sig, const char *msg)
{
    if (msg && *msg)
        fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
    else
        fprintf(stderr, "%s\n", strsignal(sig));
}
