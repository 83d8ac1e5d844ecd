/* spinlock.h - a test-and-set spinlock that records its owner.
 * The _irqsave variants also disable interrupts, for locks an interrupt
 * handler may take.  One CPU for now; written to be correct on many. */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include "arch.h"
#include <stdint.h>

struct spinlock {
    volatile uint32_t locked;
    const char *name; /* for panic messages */
    void *owner;      /* return address of the locker, for debugging */
};

#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, n, 0                                                                                    \
    }

static inline void spin_lock(struct spinlock *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_relax();
    l->owner = __builtin_return_address(0);
}

static inline void spin_unlock(struct spinlock *l)
{
    l->owner = 0;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline int spin_held(struct spinlock *l)
{
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = irq_save();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    irq_restore(flags);
}

#endif
