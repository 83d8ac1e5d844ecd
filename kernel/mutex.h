/* mutex.h - a sleeping lock, for long operations (file system) during which
 * interrupts must stay on and user memory may be touched (and fault). */
#ifndef MUTEX_H
#define MUTEX_H

#include "kernel/thread.h"
#include "kernel/spinlock.h"
#include "kernel/waitq.h"

struct mutex {
    struct spinlock guard; /* protects the two fields below */
    struct thread *holder;   /* [guard] NULL when free */
    struct waitq waiters;  /* [sched_lock] */
    const char *name;
};

#define MUTEX_INIT(m, n)                                                                           \
    {                                                                                              \
        SPINLOCK_INIT(n), NULL, WAITQ_INIT((m).waiters), n                                         \
    }

void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_held(struct mutex *m); /* by the calling thread */

#endif
