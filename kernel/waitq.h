/* waitq.h - wait queues: threads sleep on one until someone wakes it. */
#ifndef WAITQ_H
#define WAITQ_H

#include "lib/list.h"
#include "kernel/spinlock.h"

struct waitq {
    struct list_head sleepers; /* [sched_lock] threads asleep here */
};

#define WAITQ_INIT(q)                                                                              \
    {                                                                                              \
        LIST_HEAD_INIT((q).sleepers)                                                               \
    }

static inline void waitq_init(struct waitq *q) { list_init(&q->sleepers); }

/* Sleep on q, giving up `lock` (held) while asleep; it is held again when
 * sleep returns.  Callers loop: wakeups may be spurious. */
void sleep_on(struct waitq *q, struct spinlock *lock);
/* The same, but return at once if the thread is (or gets) killed: for
 * waits that end when the process does (pipes, futexes, waitpid).  Callers
 * check `killed` in their loop. */
void sleep_on_killable(struct waitq *q, struct spinlock *lock);
/* Make every thread sleeping on q runnable. */
void wake_all(struct waitq *q);
/* Make runnable up to max threads on q for which match(p, arg) holds;
 * how many.  match runs under sched_lock. */
struct thread;
int wake_matching(struct waitq *q, bool (*match)(struct thread *, void *), void *arg, int max);

#endif
