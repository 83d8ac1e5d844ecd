/* sched.c - the run queue, switching, sleeping and waking.
 *
 * One run queue, round robin: the timer asks the running thread to give up
 * the CPU every tick (10 ms), and it goes to the back of the queue.
 *
 * sched_lock is held across arch_switch(): the thread that switches away
 * takes it and the thread that switches in releases it.  That is what makes
 * it safe for a parent to free a zombie's stack: it takes sched_lock first
 * (sched_wait_off_cpu), and cannot get it before the zombie is off its stack. */
#include "kernel/cpu.h"
#include "kernel/file.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "mm/pgtable.h"
#include "mm/vm.h"

static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct list_head run_queue = LIST_HEAD_INIT(run_queue); /* [sched_lock] */

static struct spinlock tick_lock = SPINLOCK_INIT("ticks");
static struct waitq tick_waitq = WAITQ_INIT(tick_waitq); /* [sched_lock] */
static volatile uint64_t ticks;                          /* [tick_lock] */

struct proc *current_proc(void) { return this_cpu()->current; }

void sched_lock_acquire(void) { spin_lock(&sched_lock); }
void sched_lock_release(void) { spin_unlock(&sched_lock); }

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
    if (prev->fpu && prev->state != P_ZOMBIE)
        arch_fpu_save(prev->fpu);
    if (next->fpu)
        arch_fpu_restore(next->fpu);
    arch_switch_address_space(next->mm ? next->mm->pml4 : kernel_pml4);
    bool irq_were_on = c->irq_were_on;
    arch_switch(&prev->ctx_rsp, next->ctx_rsp);
    this_cpu()->irq_were_on = irq_were_on; /* we may be back on another CPU */
}

static void make_runnable(struct proc *p)
{
    p->state = P_RUNNABLE;
    list_add_tail(&p->run_link, &run_queue);
}

/* First code a new thread runs (arch_thread_entry, arch_fork_entry). */
void sched_thread_start(void)
{
    this_cpu()->irq_were_on = true; /* new threads run with interrupts on */
    spin_unlock(&sched_lock);
}

void proc_start(struct proc *p)
{
    spin_lock(&sched_lock);
    make_runnable(p);
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

void wake_all_locked(struct waitq *q)
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

void sched_wake(struct proc *p)
{
    spin_lock(&sched_lock);
    if (p->state == P_SLEEPING) {
        list_del(&p->run_link);
        make_runnable(p);
    }
    spin_unlock(&sched_lock);
}

void sched_exit_switch(void)
{
    if (!spin_held(&sched_lock))
        panic("sched_exit_switch: sched_lock not held");
    switch_to_next();
    panic("sched_exit_switch: zombie %d was switched back in", current_proc()->pid);
}

void sched_wait_off_cpu(struct proc *p)
{
    (void)p;
    spin_lock(&sched_lock); /* its last switch released it: p is off its stack */
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

uint64_t sched_ticks(void) { return ticks; }

void sched_tick(void)
{
    struct cpu *c = this_cpu();
    c->ticks++;
    if (c->id == 0) {
        console_poll_input();
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

void sched_sleep_us(uint64_t us)
{
    /* Ticks alone are not enough: when the host is busy, QEMU delivers late
     * timer interrupts back to back, and two ticks can pass in far less
     * than 20 ms.  The TSC clock decides when the time is up. */
    uint64_t deadline = time_now_us() + us;
    while (time_now_us() < deadline && !current_proc()->killed)
        sched_sleep_ticks(1);
}

void sched_sleep_ticks(uint64_t n)
{
    spin_lock(&tick_lock);
    uint64_t until = ticks + n;
    while (ticks < until && !current_proc()->killed)
        sleep_on(&tick_waitq, &tick_lock);
    spin_unlock(&tick_lock);
}

extern struct proc boot_proc;
extern char boot_stack_hi[];

void sched_init(void)
{
    struct cpu *c = this_cpu();
    boot_proc.kstack = boot_stack_hi;
    c->current = &boot_proc;
    struct proc *idle = kthread_create("idle", idle_loop, NULL);
    if (!idle)
        panic("sched_init: no memory for the idle thread");
    idle->is_idle = true;
    c->idle = idle;
    arch_set_kernel_stack((uint64_t)boot_stack_hi + KSTACK_SIZE);
    arch_timer_init();
    irq_enable();
}
