/* futex.c - sleeping on a user word, keyed by (address space, address).
 *
 * Waiters hash into buckets; each bucket has a lock, a wait queue and a
 * wake counter.  The user word cannot be read under a spinlock (reading
 * it may fault, and a fault may sleep), so the check that "the word still
 * holds val" is made atomic with wakeups by the counter instead:
 *
 *   waiter:  seq = bucket.wakes      waker:  store new value (user space)
 *            read the word == val?           lock; wakes++; wake matches
 *            lock; wakes == seq? sleep
 *
 * If the waker's store came after our read, its wakes++ comes after our
 * first snapshot, so either we see the counter moved (and return at once)
 * or we are already asleep on the queue when it looks.  No wakeup is lost;
 * a wake of another word in the same bucket may return us early, which
 * callers allow for. */
#include "kernel/futex.h"
#include "uapi/errno.h"
#include "kernel/process.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"

#define FUTEX_BUCKETS 64

struct futex_bucket {
    struct spinlock lock;
    struct waitq waiters; /* threads with futex_mm/futex_addr set */
    uint64_t wakes;       /* [lock] futex_wake calls so far */
};

static struct futex_bucket buckets[FUTEX_BUCKETS];

static struct futex_bucket *bucket_of(struct mm *mm, uint64_t uaddr)
{
    uint64_t h = ((uint64_t)mm >> 4) ^ (uaddr >> 2);
    h ^= h >> 17;
    return &buckets[(h * 0x9e3779b97f4a7c15ull) >> 58]; /* top 6 bits: 64 buckets */
}

void futex_init(void)
{
    for (int i = 0; i < FUTEX_BUCKETS; i++) {
        buckets[i].lock = (struct spinlock)SPINLOCK_INIT("futex");
        waitq_init(&buckets[i].waiters);
    }
}

int futex_wait(struct mm *mm, uint64_t uaddr, uint32_t val)
{
    if (uaddr % sizeof(uint32_t))
        return -EINVAL;
    struct futex_bucket *b = bucket_of(mm, uaddr);
    struct thread *cur = current_thread();
    spin_lock(&b->lock);
    uint64_t seq = b->wakes;
    spin_unlock(&b->lock);
    uint32_t now;
    if (copy_from_user(&now, (const void *)uaddr, sizeof(now)))
        return -EFAULT;
    if (now != val)
        return -EAGAIN;
    spin_lock(&b->lock);
    if (b->wakes == seq && !cur->killed) {
        cur->futex_mm = mm;
        cur->futex_addr = uaddr;
        sleep_on_killable(&b->waiters, &b->lock);
        cur->futex_mm = NULL;
    }
    spin_unlock(&b->lock);
    return cur->killed ? -EINTR : 0;
}

struct match {
    struct mm *mm;
    uint64_t addr;
};

static bool waits_on(struct thread *p, void *arg)
{
    struct match *m = arg;
    return p->futex_mm == m->mm && p->futex_addr == m->addr;
}

int futex_wake(struct mm *mm, uint64_t uaddr, int n)
{
    if (uaddr % sizeof(uint32_t))
        return -EINVAL;
    struct futex_bucket *b = bucket_of(mm, uaddr);
    struct match m = {mm, uaddr};
    spin_lock(&b->lock);
    b->wakes++;
    int woken = n > 0 ? wake_matching(&b->waiters, waits_on, &m, n) : 0;
    spin_unlock(&b->lock);
    return woken;
}

/* futex(uaddr, op, val, timeout, ...): FUTEX_WAIT without a timeout, and
 * FUTEX_WAKE; the private flag is accepted. */
int64_t sys_futex(uint32_t *uaddr, int op, uint32_t val, const void *timeout)
{
    struct mm *mm = current_process()->mm;
    switch (op & ~FUTEX_PRIVATE_FLAG) {
    case FUTEX_WAIT:
        return timeout ? -EINVAL : futex_wait(mm, (uint64_t)uaddr, val);
    case FUTEX_WAKE:
        return futex_wake(mm, (uint64_t)uaddr, (int)val);
    default:
        return -ENOSYS;
    }
}
