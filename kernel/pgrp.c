/* pgrp.c - process groups and sessions (setpgid, getpgid, setsid, getsid,
 * kill of a group) and the console's foreground group (tcsetpgrp).  The
 * rules are POSIX's, the error numbers Linux's.  Every field involved
 * (struct process's pgid, sid, execed; the console's below) is under
 * proc_table_lock, so each call sees and changes them at one instant. */
#include "kernel/pgrp.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/sys.h"

/* The console as a controlling terminal: the session it belongs to and
 * that session's foreground group (0: none). */
static int console_sid; /* [p] */
static int console_fg;  /* [p] */

struct group_signal {
    int pgid, sig;
    struct siginfo_k info; /* who sent it */
    int hit;               /* members signalled */
};

static void signal_member(struct process *p, void *arg)
{
    struct group_signal *g = arg;
    if (p->pgid == g->pgid && process_signal_locked(p, g->sig, &g->info) == 0)
        g->hit++;
}

/* pgrp_signal with proc_table_lock held: each member gets the signal as
 * from kill() (kernel/signal.c: delivered to a thread that does not block
 * it, or its default action).  The lock keeps the group as it is: a
 * member cannot fork or leave half way through.  info: the sender. */
static int signal_group_locked(int pgid, int sig, struct siginfo_k info)
{
    struct group_signal g = {pgid, sig, info, 0};
    process_for_each_locked(signal_member, &g);
    return g.hit ? 0 : -ESRCH;
}

int pgrp_signal(int pgid, int sig)
{
    spin_lock(&proc_table_lock);
    struct siginfo_k info = {.code = SI_USER, .pid = current_process()->pid};
    int err = signal_group_locked(pgid, sig, info);
    spin_unlock(&proc_table_lock);
    return err;
}

struct group_query {
    int pgid;
    int sid; /* out: a member's session, or -1 if the group has none */
};

static void find_member(struct process *p, void *arg)
{
    struct group_query *q = arg;
    if (p->pgid == q->pgid && p->live > 0)
        q->sid = p->sid;
}

/* The session of group pgid, or -1 if no live process is in it. [p] */
static int group_session(int pgid)
{
    struct group_query q = {pgid, -1};
    process_for_each_locked(find_member, &q);
    return q.sid;
}

/* ---- The system calls */

static struct process *target(int pid) { return pid == 0 ? current_process() : process_find(pid); }

/* setpgid(pid, pgid): move pid (0: the caller), which must be the caller
 * or one of its children in its session that has not exec'd yet, into
 * group pgid (0: pid's own), which must exist in the caller's session
 * unless it is pid's own.  A session leader stays where it is. */
static int setpgid_locked(int pid, int pgid)
{
    struct process *me = current_process(), *p = target(pid);
    if (!p || (p != me && p->parent != me))
        return -ESRCH;
    if (p->sid != me->sid)
        return -EPERM;
    if (p != me && p->execed)
        return -EACCES;
    if (p->pid == p->sid) /* a session leader */
        return -EPERM;
    if (pgid == 0)
        pgid = p->pid;
    if (pgid != p->pid && group_session(pgid) != me->sid)
        return -EPERM;
    p->pgid = pgid;
    return 0;
}

int64_t sys_setpgid(int pid, int pgid)
{
    if (pid < 0 || pgid < 0)
        return -EINVAL;
    spin_lock(&proc_table_lock);
    int err = setpgid_locked(pid, pgid);
    spin_unlock(&proc_table_lock);
    return err;
}

/* getpgid and getsid: of pid, or of the caller for 0. */
static int64_t get_id(int pid, bool session)
{
    if (pid < 0)
        return -ESRCH;
    spin_lock(&proc_table_lock);
    struct process *p = target(pid);
    int64_t r = !p ? -ESRCH : session ? p->sid : p->pgid;
    spin_unlock(&proc_table_lock);
    return r;
}

int64_t sys_getpgid(int pid) { return get_id(pid, false); }
int64_t sys_getpgrp(void) { return get_id(0, false); }
int64_t sys_getsid(int pid) { return get_id(pid, true); }

/* setsid: the caller leads a new session and a new group, both numbered
 * by its pid, without a controlling terminal.  Refused to a group leader
 * (and to any process whose pid names a group): the group would then be
 * split over two sessions. */
int64_t sys_setsid(void)
{
    struct process *me = current_process();
    spin_lock(&proc_table_lock);
    int err = group_session(me->pid) >= 0 ? -EPERM : 0;
    if (!err)
        me->pgid = me->sid = me->pid;
    spin_unlock(&proc_table_lock);
    return err ? err : me->pid;
}

/* ---- The console */

void pgrp_console_claim(struct process *p)
{
    spin_lock(&proc_table_lock);
    console_sid = p->sid;
    console_fg = 0;
    spin_unlock(&proc_table_lock);
}

int pgrp_console_set_fg(int pgid)
{
    struct process *me = current_process();
    spin_lock(&proc_table_lock);
    int sid = pgid > 0 ? group_session(pgid) : 0;
    int err = pgid < 0                 ? -EINVAL
              : me->sid != console_sid ? -ENOTTY
              : sid < 0 || pgid == 0   ? -ESRCH
              : sid != me->sid         ? -EPERM
                                       : 0;
    if (!err)
        console_fg = pgid;
    spin_unlock(&proc_table_lock);
    return err;
}

int pgrp_console_get_fg(void)
{
    spin_lock(&proc_table_lock);
    int r = current_process()->sid == console_sid ? console_fg : -ENOTTY;
    spin_unlock(&proc_table_lock);
    return r;
}

void pgrp_console_signal(int sig)
{
    spin_lock(&proc_table_lock);
    if (console_fg > 0) /* the group may have ended since: then nobody gets it */
        signal_group_locked(console_fg, sig, (struct siginfo_k){.code = SI_KERNEL});
    spin_unlock(&proc_table_lock);
}
