/* mutex.c - sleeping locks on top of a spinlock and a wait queue. */
#include "kernel/thread.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"

void mutex_lock(struct mutex *m)
{
    spin_lock(&m->guard);
    if (m->holder == current_thread())
        panic("mutex_lock: %s taken twice by thread %d", m->name, current_thread()->tid);
    while (m->holder)
        sleep_on(&m->waiters, &m->guard);
    m->holder = current_thread();
    spin_unlock(&m->guard);
}

void mutex_unlock(struct mutex *m)
{
    spin_lock(&m->guard);
    if (m->holder != current_thread())
        panic("mutex_unlock: %s not held by thread %d", m->name, current_thread()->tid);
    m->holder = NULL;
    wake_all(&m->waiters);
    spin_unlock(&m->guard);
}

/* Read without the guard: only the holder sets `holder` to itself. */
bool mutex_held(struct mutex *m)
{
    struct thread *h = __atomic_load_n(&m->holder, __ATOMIC_RELAXED);
    return h && h == current_thread();
}
