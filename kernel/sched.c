/* sched.c - run queues, switching, sleeping and waking, on every CPU.
 *
 *   CPU 0: runq  A -> B        CPU 1: runq  (empty)  --> steals A
 *   CPU 2: runq  C             CPU 3: runq  D
 *
 * Each CPU has its own run queue and round-robins it: the timer asks the
 * running thread to give up the CPU every tick (10 ms) and it goes to the
 * back of its CPU's queue.  Balancing is simple: a thread that wakes up or
 * is new goes to the least loaded CPU, and a CPU with an empty queue takes
 * the first thread of the longest one before it goes idle.  A CPU that
 * gets work while idle is woken with an IPI.
 *
 * One lock, sched_lock, protects all the queues and every thread's state.
 * It is held across arch_switch(): the thread that switches away takes it
 * and the thread that switches in releases it.  That makes migration safe
 * (no other CPU can pick a thread until it is off its stack here) and lets
 * a parent free a zombie's stack: it takes sched_lock first
 * (sched_wait_off_cpu), and cannot get it before the zombie is off its
 * stack.  A global lock limits scaling; at 8 CPUs it is not what costs. */
#include "fs/console.h"
#include "kernel/cpu.h"
#include "fs/file.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "kernel/time.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/tlb.h"
#include "mm/vm.h"

static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct cpu *sched_cpus[MAX_CPUS]; /* [sched_lock] the CPUs taking threads */
static int sched_ncpus;                  /* [sched_lock] */

static struct spinlock tick_lock = SPINLOCK_INIT("ticks");
static struct waitq tick_waitq = WAITQ_INIT(tick_waitq); /* [sched_lock] */
static volatile uint64_t ticks;                          /* [tick_lock] */

/* One load (this_cpu_read_ptr): this_cpu()->current could be preempted
 * between finding this CPU and reading its field, then run elsewhere and
 * return the old CPU's thread.  (make test SANITIZE=1 found it: a thread
 * holding mm->lock for writing was told it did not, under load.) */
struct thread *current_thread(void)
{
    return this_cpu_read_ptr(__builtin_offsetof(struct cpu, current));
}

void sched_lock_acquire(void) { spin_lock(&sched_lock); }
void sched_lock_release(void) { spin_unlock(&sched_lock); }

/* How busy a CPU is: queued threads, plus the one running. */
static int load(const struct cpu *c) { return c->nr_queued + (c->current != c->idle); }

static void enqueue(struct cpu *c, struct thread *p)
{
    p->state = T_RUNNABLE;
    p->cpu = c;
    list_add_tail(&p->run_link, &c->runq);
    c->nr_queued++;
}

static struct thread *dequeue(struct cpu *c)
{
    if (list_empty(&c->runq))
        return NULL;
    struct thread *p = list_entry(c->runq.next, struct thread, run_link);
    list_del(&p->run_link);
    c->nr_queued--;
    return p;
}

/* The next thread for this CPU: its own queue first, else the head of the
 * longest other queue (balancing by stealing). */
static struct thread *pick_next(struct cpu *me)
{
    struct thread *p = dequeue(me);
    if (p)
        return p;
    struct cpu *victim = NULL;
    for (int i = 0; i < sched_ncpus; i++) {
        struct cpu *c = sched_cpus[i];
        if (c != me && c->nr_queued > 0 && (!victim || c->nr_queued > victim->nr_queued))
            victim = c;
    }
    return victim ? dequeue(victim) : NULL;
}

/* The page tables a thread runs on: its process's, or the kernel's for a
 * kernel thread and for a thread that has let go of the address space on
 * its way out (kernel/thread.c). */
static pte_t *thread_pml4(const struct thread *t)
{
    struct mm *mm = t->proc->mm;
    return mm && !t->mm_dropped ? mm->pml4 : kernel_pml4;
}

/* Pick the next thread and switch to it.  sched_lock held; the caller has
 * already put the current thread where it belongs (run queue, wait queue,
 * or nowhere if it is a zombie). */
static void switch_to_next(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current, *next = pick_next(c);
    if (!next)
        next = c->idle;
    if (next == prev) {
        prev->state = T_RUNNING;
        return;
    }
    next->state = T_RUNNING;
    next->cpu = c;
    c->current = next;
    c->stats.switches++;
    arch_set_kernel_stack((uint64_t)next->kstack + KSTACK_SIZE);
    /* User threads (those with an FPU area) carry their FPU registers and
     * their thread pointer (FS base: a program can change it behind our
     * back by loading a selector into FS, so it is read back, not assumed). */
    uint64_t fs = arch_user_fs_get();
    if (prev->fpu && prev->state != T_ZOMBIE) {
        arch_fpu_save(prev->fpu);
        prev->fs_base = fs;
    }
    if (next->fpu) {
        arch_fpu_restore(next->fpu);
        if (next->fs_base != fs)
            arch_user_fs_set(next->fs_base);
    }
    tlb_switch_to(thread_pml4(next));
    c->failalloc_pid = next->proc->failalloc ? next->proc->pid : 0;
    bool irq_were_on = c->irq_were_on;
    arch_switch(&prev->ctx_rsp, next->ctx_rsp);
    this_cpu()->irq_were_on = irq_were_on; /* we may be back on another CPU */
}

/* A thread becomes runnable: queue it on the least loaded CPU (ties: the
 * CPU it ran on last, then this one) and wake that CPU if it idles. */
static void make_runnable(struct thread *p)
{
    struct cpu *me = this_cpu(), *best = p->cpu && p->cpu->sched_ready ? p->cpu : me;
    for (int i = 0; i < sched_ncpus; i++)
        if (load(sched_cpus[i]) < load(best))
            best = sched_cpus[i];
    enqueue(best, p);
    if (best != me && best->current == best->idle) {
        me->stats.resched_ipis_sent++;
        arch_send_ipi(best->id, VECTOR_IPI_RESCHED);
    }
}

/* First code a new thread runs (arch_thread_entry, arch_fork_entry). */
void sched_thread_start(void)
{
    this_cpu()->irq_were_on = true; /* new threads run with interrupts on */
    spin_unlock(&sched_lock);
}

void sched_start(struct thread *p)
{
    spin_lock(&sched_lock);
    make_runnable(p);
    spin_unlock(&sched_lock);
}

void sched_yield(void)
{
    spin_lock(&sched_lock);
    struct thread *cur = current_thread();
    if (!cur->is_idle)
        enqueue(this_cpu(), cur); /* the back of our own queue */
    switch_to_next();
    spin_unlock(&sched_lock);
}

static void sleep_locked(struct waitq *q, struct spinlock *lock, bool killable)
{
    struct thread *cur = current_thread();
    spin_lock(&sched_lock); /* before dropping `lock`: no wakeup can slip between */
    if (lock)
        spin_unlock(lock);
    /* A kill sets `killed`, then wakes under sched_lock: checked here, under
     * sched_lock, either we see it or the kill finds us asleep. */
    if (!(killable && cur->killed)) {
        cur->state = T_SLEEPING;
        list_add_tail(&cur->run_link, &q->sleepers);
        switch_to_next();
    }
    spin_unlock(&sched_lock);
    if (lock)
        spin_lock(lock);
}

void sleep_on(struct waitq *q, struct spinlock *lock) { sleep_locked(q, lock, false); }

void sleep_on_killable(struct waitq *q, struct spinlock *lock) { sleep_locked(q, lock, true); }

void wake_all_locked(struct waitq *q)
{
    while (!list_empty(&q->sleepers)) {
        struct thread *p = container_of(q->sleepers.next, struct thread, run_link);
        list_del(&p->run_link);
        make_runnable(p);
    }
}

int wake_matching(struct waitq *q, bool (*match)(struct thread *, void *), void *arg, int max)
{
    int woken = 0;
    spin_lock(&sched_lock);
    for (struct list_head *l = q->sleepers.next; l != &q->sleepers && woken < max;) {
        struct thread *p = container_of(l, struct thread, run_link);
        l = l->next;
        if (match(p, arg)) {
            list_del(&p->run_link);
            make_runnable(p);
            woken++;
        }
    }
    spin_unlock(&sched_lock);
    return woken;
}

void wake_all(struct waitq *q)
{
    spin_lock(&sched_lock);
    wake_all_locked(q);
    spin_unlock(&sched_lock);
}

void sched_wake(struct thread *p)
{
    spin_lock(&sched_lock);
    if (p->state == T_SLEEPING) {
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
    panic("sched_exit_switch: zombie %d was switched back in", current_thread()->tid);
}

void sched_wait_off_cpu(struct thread *p)
{
    (void)p;
    spin_lock(&sched_lock); /* its last switch released it: p is off its stack */
    spin_unlock(&sched_lock);
}

/* Work this CPU could run: its queue, or one it may steal from. */
static bool work_waiting(void)
{
    /* its own queue or any other: pick_next steals */
    for (int i = 0; i < sched_ncpus; i++)
        if (__atomic_load_n(&sched_cpus[i]->nr_queued, __ATOMIC_RELAXED) > 0)
            return true;
    return false;
}

/* The idle thread of each CPU: runs only when there is nothing to do, and
 * halts until an interrupt (its timer, or a resched IPI) says otherwise. */
static int idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        spin_lock(&sched_lock);
        if (work_waiting())
            switch_to_next();
        spin_unlock(&sched_lock);
        irq_disable();
        if (!work_waiting())
            cpu_idle_wait(); /* sti; hlt: no interrupt can slip in between */
        irq_enable();
    }
    return 0;
}

/* The resched IPI: another CPU queued work for us (idle_loop looks). */
void sched_resched_ipi(void) { this_cpu()->need_resched = true; }

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
        signal_tick(); /* alarm, setitimer */
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
    while (time_now_us() < deadline && !current_thread()->killed)
        sched_sleep_ticks(1);
}

void sched_sleep_ticks(uint64_t n)
{
    spin_lock(&tick_lock);
    uint64_t until = ticks + n;
    while (ticks < until && !current_thread()->killed)
        sleep_on(&tick_waitq, &tick_lock);
    spin_unlock(&tick_lock);
}

extern char boot_stack_hi[];

/* The boot thread: kmain's, on the boot stack.  It belongs to the kernel
 * process and is an ordinary thread once sched_init has run. */
struct thread boot_thread = {
    .tid = 0,
    .state = T_RUNNING,
    .proc = &kernel_process,
    .run_link = LIST_HEAD_INIT(boot_thread.run_link),
    .proc_link = LIST_HEAD_INIT(boot_thread.proc_link),
};

/* Make t CPU c's idle thread: of the kernel process, in no table, never
 * queued (pick_next falls back to it). */
static void make_idle(struct thread *t, struct cpu *c)
{
    t->tid = -1;
    t->proc = &kernel_process;
    t->is_idle = true;
    t->cpu = c;
    list_init(&t->run_link);
    list_init(&t->proc_link);
    c->idle = t;
}

/* Let CPU c take threads; sched_lock held. */
static void cpu_ready(struct cpu *c)
{
    list_init(&c->runq);
    c->nr_queued = 0;
    c->sched_ready = true;
    sched_cpus[sched_ncpus++] = c;
}

void sched_init(void)
{
    struct cpu *c = this_cpu();
    boot_thread.kstack = boot_stack_hi;
    boot_thread.cpu = c;
    c->current = &boot_thread;
    struct thread *idle = thread_alloc(&kernel_process);
    if (!idle)
        panic("sched_init: no memory for the idle thread");
    make_idle(idle, c);
    idle->ctx_rsp = arch_thread_stack((uint64_t)idle->kstack + KSTACK_SIZE, idle_loop, NULL);
    spin_lock(&sched_lock);
    cpu_ready(c);
    spin_unlock(&sched_lock);
    arch_set_kernel_stack((uint64_t)boot_stack_hi + KSTACK_SIZE);
    arch_timer_init();
    irq_enable();
}

/* An AP, up and on its boot stack, becomes a scheduler CPU: the code
 * running now turns into its idle thread (so the stack is not wasted). */
void sched_cpu_enter(struct cpu *c)
{
    struct thread *idle = kzalloc(sizeof(*idle));
    if (!idle)
        panic("sched_cpu_enter: no memory for CPU %d's idle thread", c->id);
    make_idle(idle, c);
    idle->state = T_RUNNING;
    idle->kstack = c->boot_stack;
    c->current = idle;
    arch_set_kernel_stack((uint64_t)c->boot_stack + KSTACK_SIZE);
    spin_lock(&sched_lock);
    cpu_ready(c);
    spin_unlock(&sched_lock);
    irq_enable();
    idle_loop(NULL);
    panic("sched_cpu_enter: idle loop returned");
}
