/* process.c - the process table and the lifetime of a process: creating
 * one, its end (done by its last thread), waiting for children, giving
 * orphans a new parent, kill.  Threads are kernel/thread.c's.
 *
 * A process ends in two steps.  Its last live thread gives back what the
 * process owns (files, working directory, address space), hands its
 * children to a new parent and sets the exit status; when every thread is
 * a zombie the parent can collect the process with wait, which frees the
 * threads' stacks and the process itself.
 *
 * Lock order: proc_table_lock -> sched_lock.  The table holds at most
 * MAX_THREADS threads: past that, fork and clone fail with EAGAIN (a fork
 * bomb is refused while memory is still there for everyone else;
 * docs/faults.md, "Out of memory"). */
#include "kernel/process.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"

struct spinlock proc_table_lock = SPINLOCK_INIT("proc_table");
static struct list_head all_processes = LIST_HEAD_INIT(all_processes); /* [p] */
static int next_id = 1; /* [p] pids and tids, from one counter as on Linux */
static int nthreads;    /* [p] threads in the table, idle threads not counted */

/* The kernel's own process: the boot thread (kmain), the idle threads, and
 * the parent of the first processes and of orphans.  Not in the table. */
struct process kernel_process = {
    .pid = 0,
    .name = "kernel",
    .threads = LIST_HEAD_INIT(kernel_process.threads),
    .live = 1,
    .nthreads = 1,
    .child_exit = WAITQ_INIT(kernel_process.child_exit),
    .thread_exit = WAITQ_INIT(kernel_process.thread_exit),
    .fd_lock = SPINLOCK_INIT("fd_table"),
};

int ptable_add_thread(struct thread *t)
{
    assert(spin_held(&proc_table_lock));
    if (nthreads >= MAX_THREADS)
        return -EAGAIN;
    nthreads++;
    t->tid = next_id++;
    return 0;
}

void ptable_del_thread(struct thread *t)
{
    assert(spin_held(&proc_table_lock));
    (void)t;
    nthreads--;
}

/* A process struct with nothing in it yet; NULL on ENOMEM. */
static struct process *process_new(const char *name)
{
    struct process *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    strlcpy(p->name, name, sizeof(p->name));
    list_init(&p->threads);
    waitq_init(&p->child_exit);
    waitq_init(&p->thread_exit);
    p->fd_lock = (struct spinlock)SPINLOCK_INIT("fd_table");
    p->live = p->nthreads = 1;
    return p;
}

struct thread *process_create(const char *name, int *err)
{
    struct process *p = process_new(name);
    struct thread *t = p ? thread_alloc(p) : NULL;
    if (!t) {
        kfree(p);
        *err = -ENOMEM;
        return NULL;
    }
    spin_lock(&proc_table_lock);
    *err = ptable_add_thread(t);
    if (!*err) {
        p->pid = t->tid;
        p->parent = current_process();
        /* A fork joins its parent's group and session; what the kernel
         * starts (init, a test) leads a session of its own. */
        bool from_user = p->parent != &kernel_process;
        p->pgid = from_user ? p->parent->pgid : p->pid;
        p->sid = from_user ? p->parent->sid : p->pid;
        list_add_tail(&p->all_link, &all_processes);
        list_add_tail(&t->proc_link, &p->threads);
    }
    spin_unlock(&proc_table_lock);
    if (*err) {
        thread_free(t);
        kfree(p);
        return NULL;
    }
    return t;
}

void process_free_unstarted(struct process *p)
{
    struct thread *t = list_entry(p->threads.next, struct thread, proc_link);
    spin_lock(&proc_table_lock);
    list_del(&p->all_link);
    list_del(&t->proc_link);
    ptable_del_thread(t);
    spin_unlock(&proc_table_lock);
    thread_free(t);
    kfree(p);
}

/* Who inherits the orphans of `dying`: its nearest living ancestor that
 * asked to (prctl PR_SET_CHILD_SUBREAPER), else the kernel process. [p] */
static struct process *new_parent_for(struct process *dying)
{
    for (struct process *a = dying->parent; a && a != &kernel_process; a = a->parent)
        if (a->child_subreaper && a->live > 0)
            return a;
    return &kernel_process;
}

/* Give the dying process's children to their new parent, which collects
 * them. [p] */
static void reparent_children(struct process *dying)
{
    struct process *heir = new_parent_for(dying), *c;
    bool zombie = false;
    list_for_each_entry(c, &all_processes, all_link) {
        if (c->parent == dying) {
            c->parent = heir;
            zombie |= c->nthreads == 0;
        }
    }
    if (zombie)
        wake_all(&heir->child_exit);
}

/* Close every descriptor and let go of the working directory. */
static void release_files(struct process *p)
{
    for (int fd = 0; fd < NFILES; fd++) {
        spin_lock(&p->fd_lock);
        struct file *f = p->files[fd];
        p->files[fd] = NULL;
        spin_unlock(&p->fd_lock);
        if (f && f != FD_RESERVED) /* reserved: its thread is gone, nothing to close */
            file_put(f);
    }
    if (p->cwd) {
        mutex_lock(&fs_lock);
        inode_put(p->cwd);
        mutex_unlock(&fs_lock);
        p->cwd = NULL;
    }
}

void process_release(struct process *p, int status)
{
    release_files(p);
    struct mm *mm = process_swap_mm(p, NULL);
    if (mm) /* every thread has stopped using it (thread_exit) */
        mm_put(mm);
    spin_lock(&proc_table_lock);
    reparent_children(p);
    if (!p->group_exit)
        p->exit_status = status;
    spin_unlock(&proc_table_lock);
}

void process_set_failalloc(struct process *p, bool armed)
{
    p->failalloc = armed;
    uint64_t flags = irq_save(); /* this CPU's, not one we were moved away from */
    this_cpu()->failalloc_pid = armed ? p->pid : 0; /* the scheduler does it at each switch */
    irq_restore(flags);
}

struct mm *process_swap_mm(struct process *p, struct mm *mm)
{
    spin_lock(&proc_table_lock);
    struct mm *old = p->mm;
    p->mm = mm;
    spin_unlock(&proc_table_lock);
    return old;
}

struct process *process_find(int pid)
{
    struct process *p;
    assert(spin_held(&proc_table_lock));
    list_for_each_entry(p, &all_processes, all_link)
        if (p->pid == pid)
            return p;
    return NULL;
}

struct mm *process_mm_get(int pid)
{
    spin_lock(&proc_table_lock);
    struct process *p = process_find(pid);
    struct mm *mm = p ? p->mm : NULL;
    if (mm) /* p's own reference keeps it alive while we hold the lock */
        mm_get(mm);
    spin_unlock(&proc_table_lock);
    return mm;
}

/* Mark every thread of p but `except` killed and wake it. [p] */
static void kill_threads(struct process *p, struct thread *except, int sig)
{
    struct thread *t;
    for_each_thread_of(p, t) {
        if (t != except && t->state != T_ZOMBIE) {
            t->killed = sig;
            sched_wake(t); /* under proc_table_lock: t cannot be freed meanwhile */
        }
    }
}

void process_exit(int status)
{
    struct thread *cur = current_thread();
    struct process *p = cur->proc;
    spin_lock(&proc_table_lock);
    if (!p->group_exit) { /* the first exit_group (or kill) decides the status */
        p->group_exit = true;
        p->exit_status = status;
    }
    kill_threads(p, cur, SIGKILL);
    spin_unlock(&proc_table_lock);
    thread_exit(status);
}

int process_end_other_threads(void)
{
    struct thread *cur = current_thread();
    struct process *p = cur->proc;
    spin_lock(&proc_table_lock);
    kill_threads(p, cur, SIGKILL);
    while (p->live > 1 && !cur->killed)
        sleep_on_killable(&p->thread_exit, &proc_table_lock);
    spin_unlock(&proc_table_lock);
    return cur->killed ? -EINTR : 0;
}

/* Free a process whose threads are all zombies; it is out of the table. */
static void process_free(struct process *p)
{
    struct thread *t, *tmp;
    spin_lock(&proc_table_lock);
    list_for_each_entry(t, &p->threads, proc_link)
        ptable_del_thread(t);
    spin_unlock(&proc_table_lock);
    list_for_each_entry_safe(t, tmp, &p->threads, proc_link) {
        sched_wait_off_cpu(t);
        thread_free(t);
    }
    kfree(p);
}

/* A child of `parent` that wait(pid) may collect: NULL if none has ended
 * yet; *have_child says whether any matches at all. [p] */
static struct process *ended_child(struct process *parent, int pid, bool *have_child)
{
    struct process *c;
    *have_child = false;
    list_for_each_entry(c, &all_processes, all_link) {
        if (c->parent != parent || (pid != -1 && c->pid != pid))
            continue;
        *have_child = true;
        if (c->nthreads == 0) /* every thread has exited */
            return c;
    }
    return NULL;
}

int process_wait(int pid, int *status, bool nohang)
{
    struct process *me = current_process(); /* any thread waits for the process */
    spin_lock(&proc_table_lock);
    for (;;) {
        bool have_child;
        struct process *c = ended_child(me, pid, &have_child);
        if (c) {
            int cpid = c->pid;
            if (status)
                *status = c->exit_status;
            /* Out of the table first: another thread of ours waiting at the
             * same time must not collect it too. */
            list_del(&c->all_link);
            spin_unlock(&proc_table_lock);
            process_free(c);
            return cpid;
        }
        int err = !have_child ? -ECHILD : nohang ? 0 : current_thread()->killed ? -EINTR : 1;
        if (err != 1) {
            spin_unlock(&proc_table_lock);
            return err;
        }
        sleep_on_killable(&me->child_exit, &proc_table_lock);
    }
}

/* Does p run user code (kernel threads cannot be signalled)? [p] */
static bool is_user_process(struct process *p)
{
    struct thread *first = list_entry(p->threads.next, struct thread, proc_link);
    return !list_empty(&p->threads) && first->tf;
}

struct process *process_find_user(int pid)
{
    struct process *p = process_find(pid);
    return p && p->live > 0 && is_user_process(p) ? p : NULL;
}

void process_kill_locked(struct process *p, int sig)
{
    assert(spin_held(&proc_table_lock));
    if (!p->group_exit) {
        p->group_exit = true;
        p->exit_status = W_SIGNALED(sig);
    }
    kill_threads(p, NULL, sig);
}

int process_signal_locked(struct process *p, int sig, const struct siginfo_k *info)
{
    assert(spin_held(&proc_table_lock));
    return is_user_process(p) ? signal_send_process(p, sig, info) : -ESRCH;
}

int process_kill(int pid, int sig)
{
    struct siginfo_k info = {.code = SI_USER, .pid = current_process()->pid};
    spin_lock(&proc_table_lock);
    struct process *p = process_find(pid); /* a zombie too: 0, as on Linux */
    int err = p ? process_signal_locked(p, sig, &info) : -ESRCH;
    spin_unlock(&proc_table_lock);
    return err;
}

void process_for_each_locked(void (*fn)(struct process *p, void *arg), void *arg)
{
    struct process *p;
    assert(spin_held(&proc_table_lock));
    list_for_each_entry(p, &all_processes, all_link)
        fn(p, arg);
}

void process_for_each(void (*fn)(struct process *p, void *arg), void *arg)
{
    spin_lock(&proc_table_lock);
    process_for_each_locked(fn, arg);
    spin_unlock(&proc_table_lock);
}

void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
    struct process *p;
    struct thread *t;
    spin_lock(&proc_table_lock);
    list_for_each_entry(p, &all_processes, all_link)
        for_each_thread_of(p, t)
            fn(t, arg);
    spin_unlock(&proc_table_lock);
}

int thread_count(void)
{
    spin_lock(&proc_table_lock);
    int n = nthreads;
    spin_unlock(&proc_table_lock);
    return n;
}
