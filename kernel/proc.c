/* proc.c - the lifetime of threads and processes: creation, exit, waiting
 * for children, reparenting orphans, kill.
 *
 * Lock order: proc_table_lock -> sched_lock.  A proc's kernel stack is
 * freed by whoever collects it (proc_wait), never by the proc itself. */
#include "kernel/proc.h"
#include "kernel/file.h"
#include "kernel/printk.h"
#include "kernel/ramfs.h"
#include "kernel/string.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"

static struct spinlock proc_table_lock = SPINLOCK_INIT("proc_table");
static struct list_head all_procs = LIST_HEAD_INIT(all_procs); /* [proc_table_lock] */
static int next_pid = 1;                                       /* [proc_table_lock] */

/* The boot thread (kmain): parent of the first processes and of orphans. */
struct proc boot_proc = {
    .pid = 0,
    .name = "kmain",
    .state = P_RUNNING,
    .run_link = LIST_HEAD_INIT(boot_proc.run_link),
    .child_exit = WAITQ_INIT(boot_proc.child_exit),
};

struct proc *proc_alloc(const char *name)
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
    spin_lock(&proc_table_lock);
    p->pid = next_pid++;
    p->parent = current_proc();
    list_add_tail(&p->all_link, &all_procs);
    spin_unlock(&proc_table_lock);
    return p;
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
    spin_lock(&proc_table_lock);
    list_del(&p->all_link);
    spin_unlock(&proc_table_lock);
    proc_free(p);
}

struct proc *kthread_create(const char *name, int (*fn)(void *), void *arg)
{
    struct proc *p = proc_alloc(name);
    if (p)
        p->ctx_rsp = arch_thread_stack((uint64_t)p->kstack + KSTACK_SIZE, fn, arg);
    return p;
}

/* Give the exiting proc's children to the boot thread, which collects
 * them.  proc_table_lock held. */
static void reparent_children(struct proc *dying)
{
    bool zombie = false;
    for (struct list_head *l = all_procs.next; l != &all_procs; l = l->next) {
        struct proc *p = container_of(l, struct proc, all_link);
        if (p->parent == dying) {
            p->parent = &boot_proc;
            zombie |= p->state == P_ZOMBIE;
        }
    }
    if (zombie)
        wake_all(&boot_proc.child_exit);
}

/* Give back what a user process holds: files, cwd, address space. */
static void release_user_resources(struct proc *p)
{
    for (int fd = 0; fd < NFILES; fd++) {
        if (p->files[fd]) {
            file_put(p->files[fd]);
            p->files[fd] = NULL;
        }
    }
    if (p->cwd) {
        mutex_lock(&fs_lock);
        inode_put(p->cwd);
        mutex_unlock(&fs_lock);
        p->cwd = NULL;
    }
    if (p->mm) {
        struct mm *mm = p->mm;
        /* In this order: a switch away and back after p->mm = NULL reloads
         * kernel_pml4, never the address space being freed. */
        p->mm = NULL;
        tlb_switch_to(kernel_pml4);
        mm_destroy(mm);
    }
}

void proc_exit(int status)
{
    struct proc *cur = current_proc();
    if (cur == &boot_proc || cur->is_idle)
        panic("proc_exit: %s cannot exit", cur->name);
    release_user_resources(cur);
    spin_lock(&proc_table_lock);
    reparent_children(cur);
    cur->exit_status = status;
    sched_lock_acquire();
    cur->state = P_ZOMBIE;
    wake_all_locked(&cur->parent->child_exit);
    spin_unlock(&proc_table_lock);
    sched_exit_switch(); /* releases sched_lock in the next thread */
}

void kthread_exit(int code) { proc_exit(W_EXITCODE(code)); }

int proc_wait(int pid, int *status, bool nohang)
{
    struct proc *cur = current_proc();
    spin_lock(&proc_table_lock);
    for (;;) {
        bool have_child = false;
        struct proc *zombie = NULL;
        for (struct list_head *l = all_procs.next; l != &all_procs && !zombie; l = l->next) {
            struct proc *p = container_of(l, struct proc, all_link);
            if (p->parent != cur || p->is_idle || (pid != -1 && p->pid != pid))
                continue;
            have_child = true;
            if (p->state == P_ZOMBIE)
                zombie = p;
        }
        if (zombie) {
            list_del(&zombie->all_link);
            int zpid = zombie->pid;
            if (status)
                *status = zombie->exit_status;
            spin_unlock(&proc_table_lock);
            sched_wait_off_cpu(zombie);
            proc_free(zombie);
            return zpid;
        }
        int err = !have_child ? -ECHILD : nohang ? 0 : cur->killed ? -EINTR : 1;
        if (err != 1) {
            spin_unlock(&proc_table_lock);
            return err;
        }
        sleep_on(&cur->child_exit, &proc_table_lock);
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

int proc_kill(int pid, int sig)
{
    struct proc *target = NULL;
    spin_lock(&proc_table_lock);
    for (struct list_head *l = all_procs.next; l != &all_procs; l = l->next) {
        struct proc *p = container_of(l, struct proc, all_link);
        if (p->pid == pid && p->mm && p->state != P_ZOMBIE)
            target = p;
    }
    if (target) {
        target->killed = sig;
        sched_wake(target); /* under proc_table_lock: target cannot be freed meanwhile */
    }
    spin_unlock(&proc_table_lock);
    return target ? 0 : -ESRCH;
}
