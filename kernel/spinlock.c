/* spinlock.c - spinlocks and the per-CPU interrupt-off nesting count.
 *
 * A CPU spinning here has interrupts off, so it cannot take a TLB
 * shootdown IPI; if the lock holder is the CPU waiting for that flush,
 * both would wait forever.  The spin loop therefore does the "wait work"
 * that mm/tlb.c registered at boot: serving pending shootdowns itself. */
#include "kernel/spinlock.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"

/* Set once at boot, before the other CPUs start; NULL until then. */
static void (*spin_wait_work)(void);

void spin_set_wait_work(void (*work)(void)) { spin_wait_work = work; }

void irq_push(void)
{
    bool on = irq_enabled();
    irq_disable();
    struct cpu *c = this_cpu();
    if (c->lock_depth++ == 0)
        c->irq_were_on = on;
}

void irq_pop(void)
{
    struct cpu *c = this_cpu();
    if (irq_enabled())
        panic("irq_pop: interrupts are on inside a locked region");
    if (c->lock_depth <= 0)
        panic("irq_pop: more pops than pushes");
    if (--c->lock_depth == 0 && c->irq_were_on)
        irq_enable();
}

int spin_held(struct spinlock *l) { return l->locked && l->owner == this_cpu(); }

void spin_lock(struct spinlock *l)
{
    irq_push();
    if (spin_held(l))
        panic("spin_lock: %s already held by this CPU", l->name);
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
            if (spin_wait_work)
                spin_wait_work(); /* the holder may be waiting for our TLB flush */
            cpu_relax();
        }
    l->owner = this_cpu();
}

void spin_unlock(struct spinlock *l)
{
    if (!spin_held(l))
        panic("spin_unlock: %s not held by this CPU", l->name);
    l->owner = 0;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    irq_pop();
}
