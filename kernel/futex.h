/* futex.h - wait until a word in user memory changes; wake such waiters.
 * The building block of pthread mutexes and joins (libc does the fast
 * path with atomics and calls in only to sleep or wake). */
#ifndef FUTEX_H
#define FUTEX_H

#include "lib/types.h"
#include "uapi/futex.h"

struct mm;


/* Sleep while *uaddr == val (checked atomically with respect to
 * futex_wake).  0 when woken (callers re-check: wakeups may be spurious),
 * -EAGAIN if the word differed, -EINTR if killed, -EFAULT. */
int futex_wait(struct mm *mm, uint64_t uaddr, uint32_t val);
void futex_init(void); /* at boot, before any thread can wait */
/* Wake up to n threads waiting on uaddr in mm; how many were woken. */
int futex_wake(struct mm *mm, uint64_t uaddr, int n);

#endif
