/* rwsem.c - reader/writer sleeping lock (see rwsem.h for why). */
#include "kernel/thread.h"
#include "kernel/rwsem.h"
#include "kernel/printk.h"

void down_read(struct rwsem *r)
{
    spin_lock(&r->guard);
    while (r->writer || r->writers_waiting)
        sleep_on(&r->waiters, &r->guard);
    r->readers++;
    spin_unlock(&r->guard);
}

void up_read(struct rwsem *r)
{
    spin_lock(&r->guard);
    if (r->readers <= 0)
        panic("up_read: not held for reading");
    if (--r->readers == 0)
        wake_all(&r->waiters);
    spin_unlock(&r->guard);
}

void down_write(struct rwsem *r)
{
    spin_lock(&r->guard);
    if (r->writer == current_thread())
        panic("down_write: taken twice by thread %d", current_thread()->tid);
    r->writers_waiting++;
    while (r->writer || r->readers)
        sleep_on(&r->waiters, &r->guard);
    r->writers_waiting--;
    r->writer = current_thread();
    spin_unlock(&r->guard);
}

void up_write(struct rwsem *r)
{
    spin_lock(&r->guard);
    if (r->writer != current_thread())
        panic("up_write: not held by thread %d", current_thread()->tid);
    r->writer = NULL;
    wake_all(&r->waiters); /* readers and writers sort it out by retrying */
    spin_unlock(&r->guard);
}

/* Read without the guard: only the holder itself sets or clears `writer`
 * to itself, so if it says "us", that stays true until we let go. */
bool rwsem_write_held(struct rwsem *r)
{
    struct thread *w = __atomic_load_n(&r->writer, __ATOMIC_RELAXED);
    return w && w == current_thread();
}

/* Readers are only counted, not named: "held" is exact for a writer and
 * for "some reader", but cannot tell whether the caller is one of them. */
bool rwsem_held(struct rwsem *r)
{
    return __atomic_load_n(&r->writer, __ATOMIC_RELAXED) ||
           __atomic_load_n(&r->readers, __ATOMIC_RELAXED) > 0;
}
