/* thread.c - the lifetime of a thread: creating one (clone, kernel
 * threads), its exit, and freeing the threads that have exited.
 *
 * A thread exits in three steps.  First it does what is its own: it clears
 * its tid word for pthread_join and stops using the address space (from
 * then on it runs on the kernel's tables, so the process's last thread can
 * free the address space under it).  If it was the last live thread of its
 * process it then ends the process (process_release).  Last, under
 * proc_table_lock and sched_lock, it becomes a zombie and switches away for
 * good; its stack is freed by whoever collects it (process_wait for the
 * whole process, thread_reap_zombies for a thread of a live one), never by
 * the thread itself. */
#include "kernel/thread.h"
#include "kernel/futex.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"
#include "mm/vmstat.h"

struct process *current_process(void) { return current_thread()->proc; }

struct thread *thread_alloc(struct process *p)
{
    struct thread *t = kzalloc(sizeof(*t));
    uint64_t clock = fork_clock();
    struct page *stack = pmm_alloc(KSTACK_ORDER, PAGE_KERNEL, 0);
    fork_step(FORK_STEP_KSTACK, &clock); /* clone's too */
    if (!t || !stack) {
        kfree(t);
        if (stack) {
            stack->refcount = 0;
            pmm_free(stack, KSTACK_ORDER);
        }
        return NULL;
    }
    t->kstack = page_to_virt(stack);
    t->proc = p;
    t->state = T_NEW;
    list_init(&t->run_link);
    list_init(&t->proc_link);
    return t;
}

void thread_free(struct thread *t)
{
    struct page *stack = virt_to_page(t->kstack);
    stack->refcount = 0;
    pmm_free(stack, KSTACK_ORDER);
    kfree(t->fpu);
    kfree(t);
}

struct thread *thread_create(int *err)
{
    struct thread *cur = current_thread(), *t = thread_alloc(cur->proc);
    struct process *p = cur->proc;
    if (t)
        t->fpu = kmalloc(FPU_AREA_SIZE);
    if (!t || !t->fpu) {
        if (t)
            thread_free(t);
        *err = -ENOMEM;
        return NULL;
    }
    spin_lock(&proc_table_lock);
    *err = p->group_exit || cur->killed ? -EINTR : ptable_add_thread(t);
    if (!*err) {
        list_add_tail(&t->proc_link, &p->threads);
        p->live++;
        p->nthreads++;
    }
    spin_unlock(&proc_table_lock);
    if (*err) {
        thread_free(t);
        return NULL;
    }
    return t;
}

struct thread *kthread_create(const char *name, int (*fn)(void *), void *arg)
{
    int err;
    struct thread *t = process_create(name, &err);
    if (t)
        t->ctx_rsp = arch_thread_stack((uint64_t)t->kstack + KSTACK_SIZE, fn, arg);
    return t;
}

int kthread_join(struct thread *t)
{
    int status = 0, pid = t->proc->pid; /* t is freed once collected */
    if (process_wait(pid, &status, false) != pid)
        panic("kthread_join: %d is not a child of %d", pid, current_process()->pid);
    return WEXITSTATUS(status);
}

void kthread_exit(int code) { thread_exit(W_EXITCODE(code)); }

/* Could another thread of t's process still wait for t's tid word?  Only
 * if t exits on its own: a thread killed with its process, or by an exec,
 * leaves no joiner behind. */
static bool others_stay(struct thread *t)
{
    spin_lock(&proc_table_lock);
    bool stay = t->killed <= 0 && !t->proc->group_exit && t->proc->live > 1;
    spin_unlock(&proc_table_lock);
    return stay;
}

/* Clear the exiting thread's tid word and wake its joiner (pthread_join).
 * The write may need a page: a copy on write, if a fork shared the word's
 * page since the thread last wrote it.  Without that page the joiner would
 * wait forever for a word that never changes, so the process is killed, as
 * a user fault without memory would be (unless it is ending anyway).  A bad
 * address is ignored, as on Linux. */
static void clear_tid(struct thread *t)
{
    struct mm *mm = t->proc->mm;
    uint32_t zero = 0;
    void *word = (void *)t->clear_tid;
    bool done = !copy_to_user(word, &zero, sizeof(zero));
    /* Why not?  The copy only says -EFAULT; the fault handler tells. */
    int why = done ? 0 : vm_fault(mm, t->clear_tid, FAULT_WRITE);
    if (!done && !why) /* memory came back meanwhile */
        done = !copy_to_user(word, &zero, sizeof(zero));
    if (done)
        futex_wake(mm, t->clear_tid, 1);
    if (done || why != -ENOMEM || !others_stay(t))
        return;
    kprintf("cowl: pid %d (%s) killed: out of memory at %lx, clearing thread %d's id at exit\n",
            t->proc->pid, t->proc->name, t->clear_tid, t->tid);
    process_kill(t->proc->pid, SIGKILL);
}

/* The thread's own part of exiting: its tid word, then the address space.
 * In this order: once mm_dropped is set, a switch away and back loads the
 * kernel's tables, never the address space the last thread may free. */
static void release_thread(struct thread *t)
{
    if (t->clear_tid && t->proc->mm)
        clear_tid(t);
    t->mm_dropped = true;
    tlb_switch_to(kernel_pml4);
}

void thread_exit(int status)
{
    struct thread *cur = current_thread();
    struct process *p = cur->proc;
    if (p == &kernel_process)
        panic("thread_exit: the kernel's own thread %d cannot exit", cur->tid);
    release_thread(cur);
    spin_lock(&proc_table_lock);
    bool last = --p->live == 0;
    spin_unlock(&proc_table_lock);
    if (last)
        process_release(p, status);
    spin_lock(&proc_table_lock);
    if (p->nthreads == 1) /* the process becomes a zombie: the parent may collect it now */
        signal_child_exited(p);
    sched_lock_acquire();
    cur->state = T_ZOMBIE;
    if (--p->nthreads == 0)
        wake_all_locked(&p->parent->child_exit);
    wake_all_locked(&p->thread_exit);
    spin_unlock(&proc_table_lock);
    sched_exit_switch(); /* releases sched_lock in the next thread */
}

void thread_reap_zombies(void)
{
    struct thread *cur = current_thread();
    for (;;) {
        struct thread *t, *z = NULL;
        spin_lock(&proc_table_lock);
        for_each_thread_of(cur->proc, t) {
            if (t != cur && t->state == T_ZOMBIE) {
                z = t;
                break;
            }
        }
        if (z) {
            list_del(&z->proc_link);
            ptable_del_thread(z);
        }
        spin_unlock(&proc_table_lock);
        if (!z)
            return;
        sched_wait_off_cpu(z);
        thread_free(z);
    }
}
