/* mutex.c - sleeping locks on top of a spinlock and a wait queue. */
#include "kernel/mutex.h"
#include "kernel/printk.h"

void mutex_lock(struct mutex *m)
{
    spin_lock(&m->guard);
    if (m->holder == current_proc())
        panic("mutex_lock: %s taken twice by pid %d", m->name, current_proc()->pid);
    while (m->holder)
        sleep_on(&m->waiters, &m->guard);
    m->holder = current_proc();
    spin_unlock(&m->guard);
}

void mutex_unlock(struct mutex *m)
{
    spin_lock(&m->guard);
    if (m->holder != current_proc())
        panic("mutex_unlock: %s not held by pid %d", m->name, current_proc()->pid);
    m->holder = NULL;
    wake_all(&m->waiters);
    spin_unlock(&m->guard);
}

/* Read without the guard: only the holder sets `holder` to itself. */
bool mutex_held(struct mutex *m)
{
    struct proc *h = __atomic_load_n(&m->holder, __ATOMIC_RELAXED);
    return h && h == current_proc();
}
