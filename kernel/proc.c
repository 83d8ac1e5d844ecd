/* proc.c - the lifetime of threads and processes: creation, exit, waiting
 * for children, reparenting orphans, kill.
 *
 * A thread exits in two steps.  First it gives back what is its own (its
 * hold on the mm); if it was the last live thread of its process it also
 * closes the process's files.  Then, under proc_table_lock and sched_lock,
 * it becomes a zombie; the last one to do so wakes the parent, which can
 * now collect the process: the leader and every exited thread with it.
 *
 * Lock order: proc_table_lock -> sched_lock.  A proc's kernel stack is
 * freed by whoever collects it (proc_wait, reap_dead_threads), never by the
 * proc itself.
 *
 * The table holds at most MAX_PROCS threads: past that, fork and clone
 * fail with EAGAIN (a fork bomb is refused while memory is still there for
 * everyone else; docs/faults.md, "Out of memory"). */
#include "kernel/proc.h"
#include "fs/file.h"
#include "kernel/futex.h"
#include "kernel/printk.h"
#include "fs/ramfs.h"
#include "lib/string.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"

static struct spinlock proc_table_lock = SPINLOCK_INIT("proc_table");
static struct list_head all_procs = LIST_HEAD_INIT(all_procs); /* [proc_table_lock] */
static int next_pid = 1;                                       /* [proc_table_lock] */
static int nprocs; /* [proc_table_lock] threads in all_procs, idle threads not counted */

/* The boot thread (kmain): parent of the first processes and of orphans. */
struct proc boot_proc = {
    .pid = 0,
    .name = "kmain",
    .state = P_RUNNING,
    .run_link = LIST_HEAD_INIT(boot_proc.run_link),
    .child_exit = WAITQ_INIT(boot_proc.child_exit),
    .group = &boot_proc,
    .live = 1,
    .nthreads = 1,
    .thread_exit = WAITQ_INIT(boot_proc.thread_exit),
};

static bool is_leader(const struct proc *p) { return p->group == p; }

/* A proc with a kernel stack, not yet in the table; NULL on ENOMEM. */
static struct proc *proc_new(const char *name)
{
    struct proc *p = kzalloc(sizeof(*p));
    struct page *stack = pmm_alloc(KSTACK_ORDER, PAGE_KERNEL, 0);
    if (!p || !stack) {
        kfree(p);
        if (stack) {
            stack->refcount = 0;
            pmm_free(stack, KSTACK_ORDER);
        }
        return NULL;
    }
    p->kstack = page_to_virt(stack);
    strlcpy(p->name, name, sizeof(p->name));
    p->state = P_NEW;
    list_init(&p->run_link);
    waitq_init(&p->child_exit);
    waitq_init(&p->thread_exit);
    p->fd_lock = (struct spinlock)SPINLOCK_INIT("fd_table");
    return p;
}

/* Put p into the table with a fresh pid, unless it is full: then -EAGAIN.
 * proc_table_lock held. */
static int table_add(struct proc *p)
{
    if (nprocs >= MAX_PROCS)
        return -EAGAIN;
    nprocs++;
    p->pid = next_pid++;
    list_add_tail(&p->all_link, &all_procs);
    return 0;
}

/* Take p out of the table.  proc_table_lock held. */
static void table_del(struct proc *p)
{
    list_del(&p->all_link);
    nprocs--;
}

struct proc *proc_alloc(const char *name, int *err)
{
    struct proc *p = proc_new(name);
    if (!p) {
        *err = -ENOMEM;
        return NULL;
    }
    p->group = p;
    p->live = p->nthreads = 1;
    spin_lock(&proc_table_lock);
    p->parent = current_proc()->group;
    *err = table_add(p);
    spin_unlock(&proc_table_lock);
    if (*err) {
        proc_free_unstarted(p);
        return NULL;
    }
    return p;
}

struct proc *thread_alloc(int *err)
{
    struct proc *cur = current_proc(), *g = cur->group;
    struct proc *p = proc_new(g->name);
    if (p)
        p->fpu = kmalloc(FPU_AREA_SIZE);
    if (!p || !p->fpu) {
        if (p)
            proc_free_unstarted(p);
        *err = -ENOMEM;
        return NULL;
    }
    p->group = g;
    p->mm = cur->mm;
    p->fork_mode = cur->fork_mode;
    p->failalloc = cur->failalloc;
    spin_lock(&proc_table_lock);
    *err = g->group_exit || cur->killed ? -EINTR : table_add(p);
    if (!*err) {
        g->live++;
        g->nthreads++;
    }
    spin_unlock(&proc_table_lock);
    if (*err) {
        proc_free_unstarted(p);
        return NULL;
    }
    mm_get(p->mm);
    return p;
}

void proc_make_idle(struct proc *p)
{
    spin_lock(&proc_table_lock);
    p->is_idle = true;
    nprocs--;
    spin_unlock(&proc_table_lock);
}

static void proc_free(struct proc *p)
{
    struct page *stack = virt_to_page(p->kstack);
    stack->refcount = 0;
    pmm_free(stack, KSTACK_ORDER);
    kfree(p->fpu);
    kfree(p);
}

void proc_free_unstarted(struct proc *p)
{
    if (p->pid) {
        spin_lock(&proc_table_lock);
        table_del(p);
        spin_unlock(&proc_table_lock);
    }
    proc_free(p);
}

struct proc *kthread_create(const char *name, int (*fn)(void *), void *arg)
{
    int err;
    struct proc *p = proc_alloc(name, &err);
    if (p)
        p->ctx_rsp = arch_thread_stack((uint64_t)p->kstack + KSTACK_SIZE, fn, arg);
    return p;
}

/* Who inherits the orphans of `dying`: its nearest living ancestor that
 * asked to (prctl PR_SET_CHILD_SUBREAPER), else the boot thread.
 * proc_table_lock held. */
static struct proc *new_parent_for(struct proc *dying)
{
    for (struct proc *a = dying->parent; a && a != &boot_proc; a = a->parent)
        if (a->child_subreaper && a->live > 0)
            return a;
    return &boot_proc;
}

/* Give the exiting proc's children to their new parent, which collects
 * them.  proc_table_lock held. */
static void reparent_children(struct proc *dying)
{
    struct proc *heir = new_parent_for(dying);
    bool zombie = false;
    for (struct list_head *l = all_procs.next; l != &all_procs; l = l->next) {
        struct proc *p = container_of(l, struct proc, all_link);
        if (p->parent == dying) {
            p->parent = heir;
            zombie |= p->state == P_ZOMBIE;
        }
    }
    if (zombie)
        wake_all(&heir->child_exit);
}

/* Could another thread of p's process still wait for p's tid word?  Only
 * if p exits on its own: a thread killed with its process, or by an exec,
 * leaves no joiner behind. */
static bool others_stay(struct proc *p)
{
    spin_lock(&proc_table_lock);
    bool stay = !p->killed && !p->group->group_exit && p->group->live > 1;
    spin_unlock(&proc_table_lock);
    return stay;
}

/* Clear the exiting thread's tid word and wake its joiner (pthread_join).
 * The write may need a page: a copy on write, if a fork shared the word's
 * page since the thread last wrote it.  Without that page the joiner would
 * wait forever for a word that never changes, so the process is killed, as
 * a user fault without memory would be (unless it is ending anyway).  A bad
 * address is ignored, as on Linux.  proc_table_lock not held. */
static void clear_tid(struct proc *p)
{
    uint32_t zero = 0;
    void *word = (void *)p->clear_tid;
    bool done = !copy_to_user(word, &zero, sizeof(zero));
    /* Why not?  The copy only says -EFAULT; the fault handler tells. */
    int why = done ? 0 : vm_fault(p->mm, p->clear_tid, FAULT_WRITE);
    if (!done && !why) /* memory came back meanwhile */
        done = !copy_to_user(word, &zero, sizeof(zero));
    if (done)
        futex_wake(p->mm, p->clear_tid, 1);
    if (done || why != -ENOMEM || !others_stay(p))
        return;
    kprintf("cowl: pid %d (%s) killed: out of memory at %lx, clearing thread %d's id at exit\n",
            p->group->pid, p->name, p->clear_tid, p->pid);
    proc_kill(p->group->pid, SIGKILL);
}

/* The thread's own part of exiting: clear and wake its tid word (for
 * pthread_join), then let go of the address space. */
static void release_thread(struct proc *p)
{
    if (p->clear_tid && p->mm)
        clear_tid(p);
    if (p->mm) {
        /* In this order: a switch away and back after p->mm = NULL reloads
         * kernel_pml4, never the address space being freed. */
        struct mm *mm = proc_swap_mm(p, NULL);
        tlb_switch_to(kernel_pml4);
        mm_put(mm);
    }
}

struct mm *proc_swap_mm(struct proc *p, struct mm *mm)
{
    spin_lock(&proc_table_lock);
    struct mm *old = p->mm;
    p->mm = mm;
    spin_unlock(&proc_table_lock);
    return old;
}

struct mm *proc_mm_get(int pid)
{
    struct mm *mm = NULL;
    spin_lock(&proc_table_lock);
    for (struct list_head *l = all_procs.next; l != &all_procs && !mm; l = l->next) {
        struct proc *p = container_of(l, struct proc, all_link);
        if (p->group->pid == pid && p->mm) {
            mm = p->mm; /* p's own reference keeps it alive while we hold the lock */
            mm_get(mm);
        }
    }
    spin_unlock(&proc_table_lock);
    return mm;
}

/* The process's part, done by its last thread: files and cwd. */
static void release_process(struct proc *g)
{
    for (int fd = 0; fd < NFILES; fd++) {
        spin_lock(&g->fd_lock);
        struct file *f = g->files[fd];
        g->files[fd] = NULL;
        spin_unlock(&g->fd_lock);
        if (f && f != FD_RESERVED) /* reserved: its thread is gone, nothing to close */
            file_put(f);
    }
    if (g->cwd) {
        mutex_lock(&fs_lock);
        inode_put(g->cwd);
        mutex_unlock(&fs_lock);
        g->cwd = NULL;
    }
}

void proc_exit(int status)
{
    struct proc *cur = current_proc(), *g = cur->group;
    if (cur == &boot_proc || cur->is_idle)
        panic("proc_exit: %s cannot exit", cur->name);
    release_thread(cur);
    spin_lock(&proc_table_lock);
    bool last = --g->live == 0;
    spin_unlock(&proc_table_lock);
    if (last)
        release_process(g);
    spin_lock(&proc_table_lock);
    if (last) {
        reparent_children(g);
        if (!g->group_exit)
            g->exit_status = status;
    }
    sched_lock_acquire();
    cur->state = P_ZOMBIE;
    if (--g->nthreads == 0)
        wake_all_locked(&g->parent->child_exit);
    wake_all_locked(&g->thread_exit);
    spin_unlock(&proc_table_lock);
    sched_exit_switch(); /* releases sched_lock in the next thread */
}

/* Mark every other live thread of g killed and wake it. proc_table_lock held. */
static void kill_threads(struct proc *g, struct proc *except, int sig)
{
    for (struct list_head *l = all_procs.next; l != &all_procs; l = l->next) {
        struct proc *p = container_of(l, struct proc, all_link);
        if (p->group == g && p != except && p->state != P_ZOMBIE) {
            p->killed = sig;
            sched_wake(p); /* under proc_table_lock: p cannot be freed meanwhile */
        }
    }
}

void group_exit(int status)
{
    struct proc *cur = current_proc(), *g = cur->group;
    spin_lock(&proc_table_lock);
    if (!g->group_exit) { /* the first exit_group (or kill) decides the status */
        g->group_exit = true;
        g->exit_status = status;
    }
    kill_threads(g, cur, SIGKILL);
    spin_unlock(&proc_table_lock);
    proc_exit(status);
}

int group_end_other_threads(void)
{
    struct proc *cur = current_proc(), *g = cur->group;
    spin_lock(&proc_table_lock);
    kill_threads(g, cur, SIGKILL);
    while (g->live > 1 && !cur->killed)
        sleep_on_killable(&g->thread_exit, &proc_table_lock);
    spin_unlock(&proc_table_lock);
    return cur->killed ? -EINTR : 0;
}

/* Collect the exited threads of g other than `keep`; the caller made sure
 * they are zombies.  Returns with proc_table_lock released. */
static void free_zombie_threads(struct proc *g, struct proc *keep)
{
    for (;;) {
        struct proc *z = NULL;
        for (struct list_head *l = all_procs.next; l != &all_procs && !z; l = l->next) {
            struct proc *p = container_of(l, struct proc, all_link);
            if (p->group == g && p != g && p != keep && p->state == P_ZOMBIE)
                z = p;
        }
        if (!z)
            break;
        table_del(z);
        spin_unlock(&proc_table_lock);
        sched_wait_off_cpu(z);
        proc_free(z);
        spin_lock(&proc_table_lock);
    }
    spin_unlock(&proc_table_lock);
}

void reap_dead_threads(void)
{
    spin_lock(&proc_table_lock);
    free_zombie_threads(current_proc()->group, current_proc());
}

void kthread_exit(int code) { proc_exit(W_EXITCODE(code)); }

int proc_wait(int pid, int *status, bool nohang)
{
    struct proc *cur = current_proc()->group; /* any thread waits for the process */
    spin_lock(&proc_table_lock);
    for (;;) {
        bool have_child = false;
        struct proc *zombie = NULL;
        for (struct list_head *l = all_procs.next; l != &all_procs && !zombie; l = l->next) {
            struct proc *p = container_of(l, struct proc, all_link);
            if (p->parent != cur || !is_leader(p) || p->is_idle || (pid != -1 && p->pid != pid))
                continue;
            have_child = true;
            if (p->state == P_ZOMBIE && p->nthreads == 0) /* every thread has exited */
                zombie = p;
        }
        if (zombie) {
            int zpid = zombie->pid;
            if (status)
                *status = zombie->exit_status;
            /* Out of the table first: another thread of ours waiting at the
             * same time must not collect it too. */
            table_del(zombie);
            free_zombie_threads(zombie, NULL); /* releases proc_table_lock */
            sched_wait_off_cpu(zombie);
            proc_free(zombie);
            return zpid;
        }
        int err = !have_child ? -ECHILD : nohang ? 0 : current_proc()->killed ? -EINTR : 1;
        if (err != 1) {
            spin_unlock(&proc_table_lock);
            return err;
        }
        sleep_on_killable(&cur->child_exit, &proc_table_lock);
    }
}

int kthread_join(struct proc *p)
{
    int status = 0, pid = p->pid; /* p is freed once collected */
    if (proc_wait(pid, &status, false) != pid)
        panic("kthread_join: %d is not a child of %d", pid, current_proc()->pid);
    return (status >> 8) & 0xff;
}

void proc_for_each(void (*fn)(struct proc *p, void *arg), void *arg)
{
    spin_lock(&proc_table_lock);
    for (struct list_head *l = all_procs.next; l != &all_procs; l = l->next) {
        struct proc *p = container_of(l, struct proc, all_link);
        if (!p->is_idle)
            fn(p, arg);
    }
    spin_unlock(&proc_table_lock);
}

static void count_one(struct proc *p, void *arg)
{
    (void)p;
    (*(int *)arg)++;
}

int proc_count(void)
{
    int n = 0;
    proc_for_each(count_one, &n);
    return n;
}

/* A signal ends the whole process: every thread, with that status.
 * Signal 0 only looks the process up. */
int proc_kill(int pid, int sig)
{
    struct proc *target = NULL;
    spin_lock(&proc_table_lock);
    for (struct list_head *l = all_procs.next; l != &all_procs; l = l->next) {
        struct proc *p = container_of(l, struct proc, all_link);
        if (p->pid == pid && is_leader(p) && p->live > 0 && p->tf)
            target = p;
    }
    if (target && sig) {
        if (!target->group_exit) {
            target->group_exit = true;
            target->exit_status = W_SIGNALED(sig);
        }
        kill_threads(target, NULL, sig);
    }
    spin_unlock(&proc_table_lock);
    return target ? 0 : -ESRCH;
}
