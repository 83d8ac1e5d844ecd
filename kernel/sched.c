/* sched.c - threads, the run queue, switching, sleeping and waking.
 *
 * One run queue, round robin: the timer asks the running thread to give up
 * the CPU every tick (10 ms), and it goes to the back of the queue.
 *
 * Lock order: proc_table_lock -> (any other lock) -> sched_lock.
 * sched_lock is held across arch_switch(): the thread that switches away
 * takes it, the thread that switches in releases it.  That is what makes it
 * safe for a parent to free a zombie's stack: it takes sched_lock first, and
 * cannot get it before the zombie is off its stack. */
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "mm/heap.h"
#include "mm/pmm.h"

static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct list_head run_queue = LIST_HEAD_INIT(run_queue); /* [sched_lock] */

static struct spinlock proc_table_lock = SPINLOCK_INIT("proc_table");
static struct list_head all_procs = LIST_HEAD_INIT(all_procs); /* [proc_table_lock] */
static int next_pid = 1;                                       /* [proc_table_lock] */

static struct spinlock tick_lock = SPINLOCK_INIT("ticks");
static struct waitq tick_waitq = WAITQ_INIT(tick_waitq); /* [sched_lock] */
static volatile uint64_t ticks;                          /* [tick_lock] */

static struct proc boot_proc = {.pid = 0, .name = "kmain", .state = P_RUNNING};
extern char boot_stack_hi[];

struct proc *current_proc(void) { return this_cpu()->current; }

/* Pick the next thread and switch to it.  sched_lock held; the caller has
 * already put the current thread where it belongs (run queue, wait queue,
 * or nowhere if it is a zombie). */
static void switch_to_next(void)
{
    struct cpu *c = this_cpu();
    struct proc *prev = c->current, *next = c->idle;
    if (!list_empty(&run_queue)) {
        next = container_of(run_queue.next, struct proc, run_link);
        list_del(&next->run_link);
    }
    if (next == prev) {
        prev->state = P_RUNNING;
        return;
    }
    next->state = P_RUNNING;
    c->current = next;
    arch_set_kernel_stack((uint64_t)next->kstack + KSTACK_SIZE);
    bool irq_were_on = c->irq_were_on;
    arch_switch(&prev->ctx_rsp, next->ctx_rsp);
    this_cpu()->irq_were_on = irq_were_on; /* we may be back on another CPU */
}

static void make_runnable(struct proc *p)
{
    p->state = P_RUNNABLE;
    list_add_tail(&p->run_link, &run_queue);
}

void sched_thread_start(void)
{
    this_cpu()->irq_were_on = true; /* new threads run with interrupts on */
    spin_unlock(&sched_lock);
}

void sched_yield(void)
{
    spin_lock(&sched_lock);
    struct proc *cur = current_proc();
    if (!cur->is_idle)
        make_runnable(cur);
    switch_to_next();
    spin_unlock(&sched_lock);
}

void sleep_on(struct waitq *q, struct spinlock *lock)
{
    struct proc *cur = current_proc();
    spin_lock(&sched_lock); /* before dropping `lock`: no wakeup can slip between */
    if (lock)
        spin_unlock(lock);
    cur->state = P_SLEEPING;
    list_add_tail(&cur->run_link, &q->sleepers);
    switch_to_next();
    spin_unlock(&sched_lock);
    if (lock)
        spin_lock(lock);
}

static void wake_all_locked(struct waitq *q)
{
    while (!list_empty(&q->sleepers)) {
        struct proc *p = container_of(q->sleepers.next, struct proc, run_link);
        list_del(&p->run_link);
        make_runnable(p);
    }
}

void wake_all(struct waitq *q)
{
    spin_lock(&sched_lock);
    wake_all_locked(q);
    spin_unlock(&sched_lock);
}

/* The idle thread: runs only when the run queue is empty. */
static int idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        spin_lock(&sched_lock);
        if (!list_empty(&run_queue))
            switch_to_next();
        spin_unlock(&sched_lock);
        irq_disable();
        if (list_empty(&run_queue))
            cpu_idle_wait(); /* sti; hlt: no interrupt can slip in between */
        irq_enable();
    }
    return 0;
}

static struct proc *proc_alloc(const char *name)
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
    kfree(p);
}

struct proc *kthread_create(const char *name, int (*fn)(void *), void *arg)
{
    struct proc *p = proc_alloc(name);
    if (p)
        p->ctx_rsp = arch_thread_stack((uint64_t)p->kstack + KSTACK_SIZE, fn, arg);
    return p;
}

void proc_start(struct proc *p)
{
    spin_lock(&sched_lock);
    make_runnable(p);
    spin_unlock(&sched_lock);
}

void kthread_exit(int status)
{
    struct proc *cur = current_proc();
    spin_lock(&proc_table_lock);
    cur->exit_status = status;
    spin_lock(&sched_lock);
    cur->state = P_ZOMBIE;
    if (cur->parent)
        wake_all_locked(&cur->parent->child_exit);
    spin_unlock(&proc_table_lock);
    switch_to_next();
    panic("kthread_exit: zombie %d was switched back in", cur->pid);
}

int kthread_join(struct proc *p)
{
    struct proc *cur = current_proc();
    if (p->parent != cur)
        panic("kthread_join: %d is not a child of %d", p->pid, cur->pid);
    spin_lock(&proc_table_lock);
    while (p->state != P_ZOMBIE)
        sleep_on(&cur->child_exit, &proc_table_lock);
    list_del(&p->all_link);
    int status = p->exit_status;
    spin_unlock(&proc_table_lock);
    spin_lock(&sched_lock); /* the zombie has left its stack once we get this */
    spin_unlock(&sched_lock);
    proc_free(p);
    return status;
}

int proc_count(void)
{
    int n = 0;
    spin_lock(&proc_table_lock);
    for (struct list_head *l = all_procs.next; l != &all_procs; l = l->next)
        n++;
    spin_unlock(&proc_table_lock);
    return n;
}

uint64_t sched_ticks(void) { return ticks; }

void sched_tick(void)
{
    struct cpu *c = this_cpu();
    c->ticks++;
    if (c->id == 0) {
        spin_lock(&tick_lock);
        ticks++;
        wake_all(&tick_waitq);
        spin_unlock(&tick_lock);
    }
    c->need_resched = true;
}

void sched_preempt_point(void)
{
    struct cpu *c = this_cpu();
    if (c->need_resched && c->lock_depth == 0) {
        c->need_resched = false;
        sched_yield();
    }
}

void sched_sleep_ticks(uint64_t n)
{
    spin_lock(&tick_lock);
    uint64_t until = ticks + n;
    while (ticks < until)
        sleep_on(&tick_waitq, &tick_lock);
    spin_unlock(&tick_lock);
}

void sched_init(void)
{
    struct cpu *c = this_cpu();
    boot_proc.kstack = boot_stack_hi;
    list_init(&boot_proc.run_link);
    waitq_init(&boot_proc.child_exit);
    c->current = &boot_proc;
    struct proc *idle = kthread_create("idle", idle_loop, NULL);
    if (!idle)
        panic("sched_init: no memory for the idle thread");
    spin_lock(&proc_table_lock);
    list_del(&idle->all_link); /* not a process anyone waits for */
    spin_unlock(&proc_table_lock);
    idle->is_idle = true;
    c->idle = idle;
    arch_set_kernel_stack((uint64_t)boot_stack_hi + KSTACK_SIZE);
    arch_timer_init();
    irq_enable();
}
