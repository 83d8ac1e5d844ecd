/* signal.c - sending signals and acting on them: which thread takes a
 * signal, what is pending, and delivery on the way back to user mode
 * (a handler's frame, or the default action).  The frame itself is the
 * arch code's (arch/x86_64/sigframe.c); the system calls are in
 * kernel/sys_signal.c.  docs/signals.md tells the whole story. */
#include "kernel/signal.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "sigframe.h"
#include "trap.h"
#include "kernel/sys.h"
#include "kernel/time.h"
#include "lib/string.h"

/* What SIG_DFL does with a signal: end the process, or nothing.  Stopping
 * (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) is not implemented: cowl has no
 * stopped state, so those are ignored by default (docs/signals.md). */
static bool default_ignores(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return true;
    default:
        return false;
    }
}

bool signal_ignores(const struct k_sigaction *a, int sig)
{
    return a->handler == (void *)SIG_IGN || (a->handler == (void *)SIG_DFL && default_ignores(sig));
}

/* Would p do nothing with sig? Such a signal is dropped when sent. [p] */
static bool ignored(struct process *p, int sig) { return signal_ignores(&p->sig.action[sig - 1], sig); }

/* Does a user process live in p, able to take a signal? [p] */
static bool can_receive(struct process *p)
{
    if (p->live == 0 || p->group_exit || list_empty(&p->threads))
        return false;
    struct thread *first = list_entry(p->threads.next, struct thread, proc_link);
    return first->tf != NULL; /* kernel threads take no signals */
}

void signal_recalc(struct thread *t)
{
    assert(spin_held(&proc_table_lock));
    if (t->killed > 0)
        return;
    uint64_t ready = (t->sig.pending | t->proc->sig.pending) & ~t->sig.blocked;
    t->killed = ready ? SIGNAL_WAITING : 0;
}

/* Make t leave an interruptible sleep and look at its signals. [p] */
static void notify(struct thread *t)
{
    if (!t->killed)
        t->killed = SIGNAL_WAITING;
    sched_wake(t); /* under proc_table_lock: t cannot be freed meanwhile */
}

static const struct siginfo_k kernel_info = {.code = SI_KERNEL};

/* What every send does before it queues anything: check the number, drop
 * what p cannot or does not take (signal 0 only asks), and carry out
 * SIGKILL at once.  1: queue it; 0 or -EINVAL: that was all. [p] */
static int send_first(struct process *p, int sig)
{
    if (sig < 0 || sig >= NSIG)
        return -EINVAL;
    if (sig == 0 || !can_receive(p))
        return 0;
    if (sig == SIGKILL) {
        process_kill_locked(p, SIGKILL);
        return 0;
    }
    return ignored(p, sig) ? 0 : 1;
}

int signal_send_thread(struct thread *t, int sig, const struct siginfo_k *info)
{
    struct process *p = t->proc;
    assert(spin_held(&proc_table_lock));
    if (t->state == T_ZOMBIE && sig >= 0 && sig < NSIG)
        return 0; /* it has ended: nothing to do, not even SIGKILL */
    int first = send_first(p, sig);
    if (first != 1)
        return first;
    if (!(t->sig.pending & SIG_BIT(sig))) { /* standard signals do not queue */
        t->sig.pending |= SIG_BIT(sig);
        t->sig.info[sig - 1] = info ? *info : kernel_info;
    }
    if (!(t->sig.blocked & SIG_BIT(sig)))
        notify(t);
    return 0;
}

int signal_send_process(struct process *p, int sig, const struct siginfo_k *info)
{
    assert(spin_held(&proc_table_lock));
    int first = send_first(p, sig);
    if (first != 1)
        return first;
    if (!(p->sig.pending & SIG_BIT(sig))) {
        p->sig.pending |= SIG_BIT(sig);
        p->sig.info[sig - 1] = info ? *info : kernel_info;
    }
    /* The first thread that does not block it takes it.  If every thread
     * blocks it, it waits in p->sig.pending until one unblocks it. */
    struct thread *t;
    for_each_thread_of(p, t) {
        if (t->state != T_ZOMBIE && !(t->sig.blocked & SIG_BIT(sig))) {
            notify(t);
            break;
        }
    }
    return 0;
}

/* Take the lowest unblocked pending signal of the current thread: its own
 * first (a fault must be handled before anything else), then the
 * process's.  0 if none. [p] */
static int dequeue(struct thread *t, struct siginfo_k *info)
{
    struct sig_process *ps = &t->proc->sig;
    uint64_t *sets[2] = {&t->sig.pending, &ps->pending};
    struct siginfo_k *infos[2] = {t->sig.info, ps->info};
    for (int i = 0; i < 2; i++) {
        uint64_t ready = *sets[i] & ~t->sig.blocked;
        if (ready) {
            int sig = __builtin_ctzll(ready) + 1;
            *sets[i] &= ~SIG_BIT(sig);
            *info = infos[i][sig - 1];
            return sig;
        }
    }
    return 0;
}

/* End the process with sig (a default action, or a frame that cannot be
 * written).  Called without locks. */
static __attribute__((noreturn)) void die_of(int sig)
{
    spin_lock(&proc_table_lock);
    process_kill_locked(current_process(), sig);
    spin_unlock(&proc_table_lock);
    thread_exit(W_SIGNALED(sig));
}

/* Back to the mask sigsuspend replaced, when no handler's frame took it. [p] */
static void restore_saved_mask(struct thread *t)
{
    if (t->sig.restore_mask) {
        t->sig.restore_mask = false;
        t->sig.blocked = t->sig.saved_mask;
    }
}

/* What to do about a system call that returned -EINTR, now that we know
 * whether a handler runs (and with which flags). */
static void maybe_restart(struct trapframe *tf, int64_t nr, enum syscall_restart how,
                          bool handler, uint64_t sa_flags)
{
    bool again = how == SYSCALL_RESTART_ALWAYS ||
                 (how == SYSCALL_RESTART_NOHAND && !handler) ||
                 (how == SYSCALL_RESTART_SYS && (!handler || (sa_flags & SA_RESTART)));
    if (again)
        arch_syscall_restart(tf, nr);
}

/* One pending signal, dequeued under the lock, then acted on: true if a
 * handler's frame was built, false if there was nothing left to do. */
static bool deliver_one(struct trapframe *tf, int64_t nr, enum syscall_restart *restart)
{
    struct thread *cur = current_thread();
    struct process *p = cur->proc;
    struct siginfo_k info;
    struct k_sigaction act;
    int sig;
    uint64_t old_mask;
    spin_lock(&proc_table_lock);
    for (;;) {
        if (cur->killed > 0) {
            int fatal = cur->killed;
            spin_unlock(&proc_table_lock);
            thread_exit(W_SIGNALED(fatal)); /* exit_status was set by whoever killed us */
        }
        sig = dequeue(cur, &info);
        if (!sig) {
            restore_saved_mask(cur);
            signal_recalc(cur);
            spin_unlock(&proc_table_lock);
            return false;
        }
        act = p->sig.action[sig - 1];
        if (signal_ignores(&act, sig))
            continue; /* ignored after it was sent */
        if (act.handler == (void *)SIG_DFL) {
            spin_unlock(&proc_table_lock);
            die_of(sig);
        }
        break;
    }
    old_mask = cur->sig.restore_mask ? cur->sig.saved_mask : cur->sig.blocked;
    cur->sig.restore_mask = false;
    if (act.flags & SA_RESETHAND)
        p->sig.action[sig - 1].handler = (void *)SIG_DFL;
    cur->sig.blocked |= act.mask | (act.flags & SA_NODEFER ? 0 : SIG_BIT(sig));
    cur->sig.blocked &= ~SIG_UNBLOCKABLE;
    signal_recalc(cur);
    spin_unlock(&proc_table_lock);

    if (*restart != SYSCALL_RESTART_NO)
        maybe_restart(tf, nr, *restart, true, act.flags);
    *restart = SYSCALL_RESTART_NO; /* only the first frame sees the system call */
    if (arch_signal_frame_build(tf, sig, &info, &act, old_mask) != 0) {
        kprintf("cowl: pid %d (%s) killed: cannot write signal %d's frame below rsp %lx\n",
                p->pid, p->name, sig, tf->rsp);
        die_of(SIGSEGV);
    }
    return true;
}

void signal_return_to_user(struct trapframe *tf, int64_t nr, enum syscall_restart restart)
{
    bool handler = false;
    /* Several pending handlers nest: each frame is built on top of the
     * last, and the last one built runs first. */
    while (current_thread()->killed) {
        if (!deliver_one(tf, nr, &restart))
            break;
        handler = true;
    }
    if (restart != SYSCALL_RESTART_NO)
        maybe_restart(tf, nr, restart, handler, 0);
}

void signal_raise(int sig)
{
    struct siginfo_k info = {.code = SI_USER};
    spin_lock(&proc_table_lock);
    signal_send_thread(current_thread(), sig, &info);
    spin_unlock(&proc_table_lock);
}

void signal_fault(int sig, int code, uint64_t addr, uint64_t rip, const char *why)
{
    struct thread *cur = current_thread();
    struct process *p = cur->proc;
    spin_lock(&proc_table_lock);
    void *h = p->sig.action[sig - 1].handler;
    /* A handler runs only if it can: not for SIGKILL, not while the same
     * signal is blocked (a fault inside its own handler), never ignored
     * (returning would fault again, forever). */
    bool handled = sig != SIGKILL && h != (void *)SIG_DFL && h != (void *)SIG_IGN &&
                   !(cur->sig.blocked & SIG_BIT(sig));
    if (handled) {
        struct siginfo_k info = {.code = code, .addr = addr};
        signal_send_thread(cur, sig, &info);
    }
    spin_unlock(&proc_table_lock);
    if (handled)
        return;
    kprintf("cowl: pid %d (%s) killed: %s at %lx, rip %lx\n", p->pid, p->name, why, addr, rip);
    process_exit(W_SIGNALED(sig)); /* a fault in one thread ends them all */
}

void signal_fork(struct thread *child, struct thread *parent)
{
    spin_lock(&proc_table_lock);
    memcpy(child->proc->sig.action, parent->proc->sig.action, sizeof(child->proc->sig.action));
    child->sig.blocked = parent->sig.restore_mask ? parent->sig.saved_mask : parent->sig.blocked;
    spin_unlock(&proc_table_lock);
}

void signal_clone(struct thread *t, struct thread *creator)
{
    spin_lock(&proc_table_lock);
    t->sig.blocked = creator->sig.blocked;
    spin_unlock(&proc_table_lock);
}

void signal_exec(struct process *p)
{
    spin_lock(&proc_table_lock);
    for (int i = 0; i < NSIG - 1; i++) {
        struct k_sigaction *a = &p->sig.action[i];
        void *keep = a->handler == (void *)SIG_IGN ? a->handler : (void *)SIG_DFL;
        memset(a, 0, sizeof(*a));
        a->handler = keep;
    }
    spin_unlock(&proc_table_lock);
}

void signal_child_exited(struct process *p)
{
    assert(spin_held(&proc_table_lock));
    struct process *parent = p->parent;
    if (!parent || parent == &kernel_process)
        return;
    int st = p->exit_status; /* final: the last thread is exiting */
    struct siginfo_k info = {
        .code = WIFSIGNALED(st) ? CLD_KILLED : CLD_EXITED,
        .pid = p->pid,
        .status = WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
    };
    signal_send_process(parent, SIGCHLD, &info);
}

/* ---- ITIMER_REAL.  The earliest armed timer of all processes, so that
 * the tick looks at the process table only when one is due. */
static uint64_t next_alarm_us; /* [a] 0: none armed */

void signal_alarm_armed(uint64_t at_us)
{
    uint64_t cur = __atomic_load_n(&next_alarm_us, __ATOMIC_RELAXED);
    while ((cur == 0 || at_us < cur) &&
           !__atomic_compare_exchange_n(&next_alarm_us, &cur, at_us, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED))
        ;
}

struct alarm_scan {
    uint64_t now, next;
};

/* Fire p's timer if due; note when the next one is.  [p] (process_for_each) */
static void fire_if_due(struct process *p, void *arg)
{
    struct alarm_scan *s = arg;
    struct sig_process *ps = &p->sig;
    if (!ps->alarm_at_us)
        return;
    if (ps->alarm_at_us <= s->now) {
        signal_send_process(p, SIGALRM, NULL);
        ps->alarm_at_us = ps->alarm_interval_us ? s->now + ps->alarm_interval_us : 0;
    }
    if (ps->alarm_at_us && (!s->next || ps->alarm_at_us < s->next))
        s->next = ps->alarm_at_us;
}

void signal_tick(void)
{
    uint64_t due = __atomic_load_n(&next_alarm_us, __ATOMIC_RELAXED);
    struct alarm_scan s = {.now = time_now_us(), .next = 0};
    if (!due || s.now < due)
        return;
    __atomic_store_n(&next_alarm_us, 0, __ATOMIC_SEQ_CST);
    process_for_each(fire_if_due, &s);
    if (s.next)
        signal_alarm_armed(s.next);
}
