/* spinlock.c - spinlocks and the per-CPU interrupt-off nesting count. */
#include "kernel/spinlock.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"

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
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_relax();
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
