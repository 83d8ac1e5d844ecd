/* spinlock.h - spinlocks that keep interrupts off while held.
 *
 * Taking any spinlock disables interrupts on this CPU; releasing the last one
 * restores the interrupt flag as it was (per-CPU nesting in struct cpu).  So
 * an interrupt handler can never spin on a lock its own CPU holds, and the
 * timer may preempt whenever interrupts are on: no lock is held then. */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include "arch.h"
#include <stdint.h>

struct spinlock {
    volatile uint32_t locked;
    const char *name;  /* for panic messages */
    struct cpu *owner; /* the CPU holding it */
};

#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, n, 0                                                                                    \
    }

/* Interrupts off, nestable (kernel/spinlock.c). */
void irq_push(void);
void irq_pop(void);

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* Held by this CPU?  (The owner is a CPU, not a thread: with the lock
 * held, interrupts are off and the thread cannot move.) */
int spin_held(struct spinlock *l);

/* What a CPU must keep doing while it spins for a lock with interrupts off.
 * mm/tlb.c sets it at boot to answer TLB shootdowns: the holder of the lock
 * may itself be waiting, interrupts off, for this CPU to flush, and the IPI
 * cannot get in while we spin; without the work neither CPU would ever
 * move (docs/locking.md section 5).  A hook, so that this primitive
 * depends on nothing above it. */
void spin_set_wait_work(void (*work)(void));

#endif
