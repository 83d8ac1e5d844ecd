/* sys_signal.c - the signal system calls: dispositions (rt_sigaction),
 * masks (rt_sigprocmask, rt_sigpending), waiting for a signal (pause,
 * rt_sigsuspend), the return from a handler (rt_sigreturn), sending to one
 * thread (tkill, tgkill; kill is sys_proc.c's) and the ITIMER_REAL timer
 * (alarm, setitimer, getitimer).  Each checks every argument, then commits
 * under proc_table_lock (kernel/signal.h). */
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/sys.h"
#include "kernel/time.h"
#include "kernel/usercopy.h"
#include "sigframe.h"
#include "trap.h"
#include "uapi/time.h"

/* Threads in pause or sigsuspend: nothing wakes this queue but a signal
 * (sched_wake takes a thread off whatever queue it sleeps on). */
static struct waitq signal_waitq = WAITQ_INIT(signal_waitq);

static bool valid_signal(int sig) { return sig >= 1 && sig < NSIG; }

/* A signal set from user memory, with what cannot be blocked taken out. */
static int copy_sigset(uint64_t *set, const uint64_t *uset, size_t size)
{
    if (size != SIGSET_SIZE)
        return -EINVAL;
    if (copy_from_user(set, uset, sizeof(*set)))
        return -EFAULT;
    *set &= ~SIG_UNBLOCKABLE;
    return 0;
}

/* Drop pending instances of sig everywhere in p (it is ignored now). [p] */
static void discard_pending(struct process *p, int sig)
{
    struct thread *t;
    p->sig.pending &= ~SIG_BIT(sig);
    for_each_thread_of(p, t)
        t->sig.pending &= ~SIG_BIT(sig);
}

int64_t sys_rt_sigaction(int sig, const struct k_sigaction *uact, struct k_sigaction *uold,
                         size_t size)
{
    struct k_sigaction act, old;
    if (size != SIGSET_SIZE || !valid_signal(sig))
        return -EINVAL;
    if (uact && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    if (uact && copy_from_user(&act, uact, sizeof(act)))
        return -EFAULT;
    if (uold && !user_range_ok((uint64_t)uold, sizeof(*uold)))
        return -EFAULT;
    struct process *p = current_process();
    spin_lock(&proc_table_lock);
    old = p->sig.action[sig - 1];
    if (uact) {
        act.mask &= ~SIG_UNBLOCKABLE;
        p->sig.action[sig - 1] = act;
        if (signal_ignores(&act, sig)) /* POSIX: setting SIG_IGN discards what is pending */
            discard_pending(p, sig);
    }
    spin_unlock(&proc_table_lock);
    if (uold && copy_to_user(uold, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

int64_t sys_rt_sigprocmask(int how, const uint64_t *uset, uint64_t *uold, size_t size)
{
    uint64_t set = 0;
    if (size != SIGSET_SIZE)
        return -EINVAL;
    if (uset) {
        if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
            return -EINVAL;
        int err = copy_sigset(&set, uset, size);
        if (err)
            return err;
    }
    if (uold && !user_range_ok((uint64_t)uold, sizeof(*uold)))
        return -EFAULT;
    struct thread *cur = current_thread();
    spin_lock(&proc_table_lock);
    uint64_t old = cur->sig.blocked;
    if (uset) {
        cur->sig.blocked = how == SIG_BLOCK     ? old | set
                           : how == SIG_UNBLOCK ? old & ~set
                                                : set;
        signal_recalc(cur);
    }
    spin_unlock(&proc_table_lock);
    if (uold && copy_to_user(uold, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

int64_t sys_rt_sigpending(uint64_t *uset, size_t size)
{
    if (size != SIGSET_SIZE)
        return -EINVAL;
    struct thread *cur = current_thread();
    spin_lock(&proc_table_lock);
    uint64_t set = (cur->sig.pending | cur->proc->sig.pending) & cur->sig.blocked;
    spin_unlock(&proc_table_lock);
    return copy_to_user(uset, &set, sizeof(set));
}

/* Sleep until a signal needs this thread (or it is killed).  -EINTR:
 * pause and sigsuspend return only so, after the handler ran. [p] held */
static int64_t wait_for_signal(struct thread *cur)
{
    while (!cur->killed)
        sleep_on_killable(&signal_waitq, &proc_table_lock);
    spin_unlock(&proc_table_lock);
    return -EINTR;
}

int64_t sys_pause(void)
{
    spin_lock(&proc_table_lock);
    return wait_for_signal(current_thread());
}

/* The handler that ends the wait runs with `mask` still in force; its
 * frame saves the caller's own mask, which rt_sigreturn restores
 * (kernel/signal.c, restore_mask). */
int64_t sys_rt_sigsuspend(const uint64_t *umask, size_t size)
{
    uint64_t mask;
    int err = copy_sigset(&mask, umask, size);
    if (err)
        return err;
    struct thread *cur = current_thread();
    spin_lock(&proc_table_lock);
    cur->sig.saved_mask = cur->sig.blocked;
    cur->sig.restore_mask = true;
    cur->sig.blocked = mask;
    signal_recalc(cur);
    return wait_for_signal(cur);
}

int64_t sys_rt_sigreturn(void)
{
    struct thread *cur = current_thread();
    uint64_t mask;
    if (arch_signal_frame_restore(cur->tf, &mask) != 0) {
        struct process *p = cur->proc;
        kprintf("cowl: pid %d (%s) killed: bad signal frame at rsp %lx\n", p->pid, p->name,
                cur->tf->rsp);
        process_exit(W_SIGNALED(SIGSEGV)); /* as Linux: a frame it cannot use is a SIGSEGV */
    }
    spin_lock(&proc_table_lock);
    cur->sig.blocked = mask & ~SIG_UNBLOCKABLE;
    signal_recalc(cur);
    spin_unlock(&proc_table_lock);
    return cur->tf->rax; /* syscall_dispatch stores it back: rax as it was */
}

/* ---- One thread: tkill(tid, sig), tgkill(tgid, tid, sig); raise uses it.
 * tgid 0 here: tkill's "any process". */
static int64_t kill_thread(int tgid, int tid, int sig)
{
    if (sig < 0 || sig >= NSIG || tid <= 0 || tgid < 0)
        return -EINVAL;
    struct siginfo_k info = {.code = SI_TKILL, .pid = current_process()->pid};
    int err = -ESRCH;
    struct process *p;
    struct thread *t;
    spin_lock(&proc_table_lock);
    /* tkill has no tgid: a thread's process is found from its tid, which
     * is its process's pid for the first thread; try the caller's first. */
    p = tgid > 0 ? process_find_user(tgid) : current_process();
    for (int pass = 0; p && pass < 2 && err == -ESRCH; pass++) {
        for_each_thread_of(p, t) {
            if (t->tid == tid && t->state != T_ZOMBIE) {
                err = signal_send_thread(t, sig, &info);
                break;
            }
        }
        p = tgid > 0 ? NULL : process_find_user(tid);
    }
    spin_unlock(&proc_table_lock);
    return err;
}

int64_t sys_tkill(int tid, int sig) { return kill_thread(0, tid, sig); }
int64_t sys_tgkill(int tgid, int tid, int sig)
{
    return tgid > 0 ? kill_thread(tgid, tid, sig) : -EINVAL;
}

/* ---- ITIMER_REAL: SIGALRM to the process when it runs out (signal_tick). */
static uint64_t tv_to_us(const struct timeval *tv) { return tv->tv_sec * 1000000ul + tv->tv_usec; }
static struct timeval us_to_tv(uint64_t us)
{
    return (struct timeval){(int64_t)(us / 1000000), (int64_t)(us % 1000000)};
}

/* Read the caller's timer, then (new_value non-NULL) replace it. */
static struct itimerval swap_timer(const struct itimerval *new_value)
{
    struct sig_process *ps = &current_process()->sig;
    uint64_t now = time_now_us();
    spin_lock(&proc_table_lock);
    struct itimerval old = {
        .it_interval = us_to_tv(ps->alarm_interval_us),
        .it_value = us_to_tv(ps->alarm_at_us > now ? ps->alarm_at_us - now
                             : ps->alarm_at_us ? 1 : 0),
    };
    if (new_value) {
        uint64_t value = tv_to_us(&new_value->it_value);
        ps->alarm_at_us = value ? now + value : 0;
        ps->alarm_interval_us = value ? tv_to_us(&new_value->it_interval) : 0;
        if (value)
            signal_alarm_armed(ps->alarm_at_us);
    }
    spin_unlock(&proc_table_lock);
    return old;
}

static bool timeval_ok(const struct timeval *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000 &&
           tv->tv_sec < (1l << 32); /* far enough: no overflow in microseconds */
}

int64_t sys_setitimer(int which, const struct itimerval *unew, struct itimerval *uold)
{
    struct itimerval nv = {0};
    if (which != ITIMER_REAL)
        return -EINVAL;
    if (unew && copy_from_user(&nv, unew, sizeof(nv)))
        return -EFAULT;
    if (!timeval_ok(&nv.it_value) || !timeval_ok(&nv.it_interval))
        return -EINVAL;
    if (uold && !user_range_ok((uint64_t)uold, sizeof(*uold)))
        return -EFAULT;
    struct itimerval old = swap_timer(&nv); /* NULL new value: disarm, as on Linux */
    if (uold && copy_to_user(uold, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

int64_t sys_getitimer(int which, struct itimerval *ucur)
{
    if (which != ITIMER_REAL)
        return -EINVAL;
    if (!user_range_ok((uint64_t)ucur, sizeof(*ucur)))
        return -EFAULT;
    struct itimerval cur = swap_timer(NULL);
    return copy_to_user(ucur, &cur, sizeof(cur));
}

/* alarm(seconds): the seconds left on the previous timer (rounded, at
 * least 1 if it was armed), as Linux returns them. */
int64_t sys_alarm(unsigned seconds)
{
    struct itimerval nv = {.it_value = {seconds, 0}};
    struct itimerval old = swap_timer(&nv);
    uint64_t left = old.it_value.tv_sec + (old.it_value.tv_usec >= 500000);
    return left ? left : (old.it_value.tv_usec ? 1 : 0);
}
