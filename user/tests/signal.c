/* signal.c - signal handlers as POSIX says (docs/signals.md): a handler
 * runs and returns to exactly where the program was, registers and FPU
 * state intact; SA_SIGINFO tells who sent it; masks hold signals until
 * they are unblocked; SA_RESETHAND and SA_NODEFER; sigsuspend, pause,
 * alarm and setitimer; fork copies dispositions and the mask and clears
 * what is pending; exec resets handlers but keeps ignored signals and the
 * mask.  Runs on Linux too (make test-linux). */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig, depth, max_depth, raised;
static volatile int info_pid, info_code, info_signo;

static void count(int sig)
{
    hits++;
    last_sig = sig;
}

static void with_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    info_signo = si->si_signo;
    info_code = si->si_code;
    info_pid = si->si_pid;
    last_sig = sig;
}

static void handle(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa = {0};
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

static void handlers_run_and_return(void)
{
    hits = 0;
    handle(SIGUSR1, count, 0);
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK_EQ(hits, 1);
    CHECK_EQ(last_sig, SIGUSR1);
    CHECK_EQ(kill(getpid(), SIGUSR1), 0); /* process-directed, one thread: this one */
    CHECK_EQ(hits, 2);

    /* SA_SIGINFO: who sent it, and how. */
    struct sigaction sa = {0};
    sa.sa_sigaction = with_info;
    sa.sa_flags = SA_SIGINFO;
    CHECK_EQ(sigaction(SIGUSR2, &sa, NULL), 0);
    CHECK_EQ(kill(getpid(), SIGUSR2), 0);
    CHECK_EQ(info_signo, SIGUSR2);
    CHECK_EQ(info_code, SI_USER);
    CHECK_EQ(info_pid, getpid());

    /* sigaction reports what was there. */
    struct sigaction old;
    CHECK_EQ(sigaction(SIGUSR2, NULL, &old), 0);
    CHECK(old.sa_sigaction == with_info);
    CHECK(old.sa_flags & SA_SIGINFO);
    CHECK(signal(SIGUSR1, SIG_DFL) == count);

    /* Bad numbers, and what cannot be caught. */
    CHECK_EQ(sigaction(0, &sa, NULL), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(sigaction(NSIG, &sa, NULL), -1);
    CHECK_EQ(sigaction(SIGKILL, &sa, NULL), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(sigaction(SIGSTOP, &sa, NULL), -1);
    CHECK_EQ(kill(getpid(), NSIG), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK(signal(SIGKILL, count) == SIG_ERR);
}

/* Registers and the FPU come back as they were: a handler that trashes
 * both, called in the middle of a computation that keeps values in them. */
static void trash_fpu(int sig)
{
    (void)sig;
    volatile double x = 1e300;
    for (int i = 0; i < 10; i++)
        x = x * x; /* inf, and the SSE registers full of other values */
    hits++;
}

/* Spin n rounds with one value in rcx, r11 and xmm0 (registers that a
 * system call, or the handler, clobbers), checking they stay equal: a
 * signal that interrupts the loop must bring all three back.  1 if they
 * did. */
static int spin_check(long n)
{
    int ok;
    __asm__ volatile("mov $0x1234567890, %%rcx\n"
                     "mov %%rcx, %%r11\n"
                     "movq %%rcx, %%xmm0\n"
                     "1: cmp %%rcx, %%r11\n"
                     "jne 2f\n"
                     "movq %%xmm0, %%rax\n"
                     "cmp %%rax, %%rcx\n"
                     "jne 2f\n"
                     "dec %1\n"
                     "jnz 1b\n"
                     "mov $1, %0\n"
                     "jmp 3f\n"
                     "2: mov $0, %0\n"
                     "3:\n"
                     : "=r"(ok), "+r"(n)
                     :
                     : "rax", "rcx", "r11", "xmm0", "cc");
    return ok;
}

static void state_is_restored(void)
{
    hits = 0;
    handle(SIGUSR1, trash_fpu, 0);
    double a = 1.5, b = 0.25;
    for (int i = 0; i < 20; i++) {
        __asm__ volatile("" : "+x"(a), "+x"(b));
        raise(SIGUSR1);
        a = a * 2 + b;
    }
    CHECK_EQ(hits, 20);
    double want = 1.5;
    for (int i = 0; i < 20; i++)
        want = want * 2 + 0.25;
    CHECK(a == want);
    signal(SIGUSR1, SIG_DFL);

    /* Signals from the timer land anywhere in the loop. */
    hits = 0;
    handle(SIGALRM, trash_fpu, 0);
    struct itimerval it = {{0, 10000}, {0, 10000}}, off = {{0, 0}, {0, 0}};
    CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
    for (int rounds = 0; hits < 5; rounds++)
        CHECK(spin_check(200000));
    CHECK_EQ(setitimer(ITIMER_REAL, &off, NULL), 0);
    signal(SIGALRM, SIG_DFL);
}

static void masks_hold_signals(void)
{
    sigset_t set, old, pend;
    hits = 0;
    handle(SIGUSR1, count, 0);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
    CHECK(!sigismember(&old, SIGUSR1));
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(kill(getpid(), SIGUSR1), 0); /* standard signals do not queue: still one */
    CHECK_EQ(hits, 0);
    CHECK_EQ(sigpending(&pend), 0);
    CHECK(sigismember(&pend, SIGUSR1));
    CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, NULL), 0); /* delivered before it returns */
    CHECK_EQ(hits, 1);
    CHECK_EQ(sigpending(&pend), 0);
    CHECK(!sigismember(&pend, SIGUSR1));

    /* SIGKILL and SIGSTOP cannot be blocked: the kernel takes them out. */
    sigfillset(&set);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &set, NULL), 0);
    CHECK_EQ(sigprocmask(SIG_SETMASK, NULL, &old), 0);
    CHECK(!sigismember(&old, SIGKILL));
    CHECK(!sigismember(&old, SIGSTOP));
    CHECK(sigismember(&old, SIGUSR1));
    sigemptyset(&set);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &set, NULL), 0);
    CHECK_EQ(sigprocmask(99, &set, NULL), -1);
    CHECK_EQ(errno, EINVAL);

    /* Ignoring a pending signal discards it. */
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    CHECK_EQ(sigpending(&pend), 0);
    CHECK(!sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGUSR1, SIG_DFL);
}

/* The handler's own signal is blocked while it runs (unless SA_NODEFER),
 * and so is sa_mask. */
static void nest(int sig)
{
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (raised < 2) { /* two more: nested, or one after the other */
        raised++;
        raise(sig);
    }
    depth--;
    hits++;
}

static void nodefer_and_resethand(void)
{
    hits = depth = max_depth = raised = 0;
    handle(SIGUSR1, nest, 0);
    raise(SIGUSR1);
    CHECK_EQ(max_depth, 1); /* each inner raise waited until the handler returned */
    CHECK_EQ(hits, 3);
    hits = depth = max_depth = raised = 0;
    handle(SIGUSR1, nest, SA_NODEFER);
    raise(SIGUSR1);
    CHECK_EQ(max_depth, 3); /* ran inside itself */
    CHECK_EQ(hits, 3);

    /* SA_RESETHAND: once, then the default action (SIGUSR1: the end). */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        hits = 0;
        handle(SIGUSR1, count, SA_RESETHAND);
        raise(SIGUSR1);
        if (hits != 1)
            _exit(2);
        struct sigaction now;
        sigaction(SIGUSR1, NULL, &now);
        if (now.sa_handler != SIG_DFL)
            _exit(3);
        raise(SIGUSR1);
        _exit(4); /* survived the default action */
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGUSR1);
    signal(SIGUSR1, SIG_DFL);
}

static void suspend_pause_alarm(void)
{
    sigset_t block, empty, old;
    hits = 0;
    handle(SIGALRM, count, 0);
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigemptyset(&empty);
    /* The classic race-free wait: block, arm, sigsuspend with it unblocked. */
    sigprocmask(SIG_BLOCK, &block, &old);
    CHECK_EQ(alarm(5), 0);
    CHECK(alarm(0) >= 4); /* cancelled: the old one had about five seconds left */
    struct itimerval soon = {{0, 0}, {0, 20000}};
    CHECK_EQ(setitimer(ITIMER_REAL, &soon, NULL), 0);
    CHECK_EQ(sigsuspend(&empty), -1);
    CHECK_EQ(errno, EINTR);
    CHECK_EQ(hits, 1);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGALRM)); /* sigsuspend's caller's mask is back */
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* setitimer, 30 ms, repeating: pause returns after each. */
    struct itimerval it = {{0, 30000}, {0, 30000}}, cur;
    CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(pause(), -1);
        CHECK_EQ(errno, EINTR);
    }
    CHECK_EQ(hits, 4);
    CHECK_EQ(getitimer(ITIMER_REAL, &cur), 0);
    CHECK_EQ(cur.it_interval.tv_usec, 30000);
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK_EQ(setitimer(ITIMER_REAL, &off, NULL), 0);
    CHECK_EQ(getitimer(ITIMER_REAL, &cur), 0);
    CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
    CHECK_EQ(alarm(0), 0);
    it.it_interval.tv_usec = 1000000; /* out of range */
    CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), -1);
    CHECK_EQ(errno, EINVAL);

    /* alarm with the default action ends the process. */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        for (;;)
            pause();
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
    signal(SIGALRM, SIG_DFL);
}

static void fork_and_exec(const char *self)
{
    sigset_t set, pend;
    handle(SIGUSR1, count, 0);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGTERM); /* pending in the parent only */
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction a;
        sigprocmask(SIG_SETMASK, NULL, &set);
        sigpending(&pend);
        sigaction(SIGUSR1, NULL, &a);
        if (!sigismember(&set, SIGTERM) || sigismember(&pend, SIGTERM) ||
            a.sa_handler != count)
            _exit(2);
        hits = 0;
        raise(SIGUSR1);
        if (hits != 1)
            _exit(3);
        char *argv[] = {(char *)self, "exec-child", NULL};
        execve(self, argv, (char *[]){NULL});
        _exit(4);
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    /* The parent still has its SIGTERM pending: ignore it to drop it. */
    signal(SIGTERM, SIG_IGN);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

/* After exec: the handler is gone, the ignored signal still ignored, the
 * mask kept. */
static int exec_child(void)
{
    struct sigaction a;
    sigset_t set;
    sigaction(SIGUSR1, NULL, &a);
    if (a.sa_handler != SIG_DFL)
        return 10;
    sigaction(SIGUSR2, NULL, &a);
    if (a.sa_handler != SIG_IGN)
        return 11;
    sigprocmask(SIG_SETMASK, NULL, &set);
    if (!sigismember(&set, SIGTERM))
        return 12;
    raise(SIGUSR2); /* ignored: nothing happens */
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "exec-child"))
        return exec_child();
    handlers_run_and_return();
    state_is_restored();
    masks_hold_signals();
    nodefer_and_resethand();
    suspend_pause_alarm();
#ifdef __cowl__
    fork_and_exec(argv[0]);
#else
    fork_and_exec("/proc/self/exe"); /* argv[0] names cowl's /tests/signal */
#endif
    printf("signal: ok\n");
    return 0;
}
