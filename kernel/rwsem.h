/* rwsem.h - a sleeping reader/writer lock.  Many readers, or one writer.
 *
 * The address-space lock is one: page faults take it for reading, so the
 * threads of a process fault on different pages at the same time (what
 * keeps them apart below is per-table locks and compare-and-swap on the
 * entries); mmap, munmap, mprotect, brk and fork take it for writing.
 * A waiting writer holds off new readers, so a stream of faults cannot
 * starve munmap. */
#ifndef RWSEM_H
#define RWSEM_H

#include "kernel/thread.h"
#include "kernel/spinlock.h"
#include "kernel/waitq.h"

struct rwsem {
    struct spinlock guard; /* protects the fields below */
    int readers;           /* [guard] holders for reading */
    struct thread *writer;   /* [guard] the holder for writing, or NULL */
    int writers_waiting;   /* [guard] */
    struct waitq waiters;  /* [sched_lock] readers and writers asleep */
};

#define RWSEM_INIT(r, n)                                                                           \
    {                                                                                              \
        SPINLOCK_INIT(n), 0, NULL, 0, WAITQ_INIT((r).waiters)                                      \
    }

void down_read(struct rwsem *r);
void up_read(struct rwsem *r);
void down_write(struct rwsem *r);
void up_write(struct rwsem *r);
/* For contracts (kernel/contract.h).  Held for writing by the calling
 * thread: exact.  Held at all, for reading or writing, by someone: all
 * that can be checked for a reader, since readers are only counted. */
bool rwsem_write_held(struct rwsem *r);
bool rwsem_held(struct rwsem *r);

#endif
