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

bool mutex_held(struct mutex *m) { return m->holder == current_proc(); }
