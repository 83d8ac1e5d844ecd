/* contract.h - locking contracts that are checked, not only written.
 *
 *   int mm_unmap_range(struct mm *mm, uint64_t start, uint64_t end)
 *   {
 *       assert_write_held(mm->lock);
 *
 * panics with "mm_unmap_range: lock mm->lock not held for writing" when
 * the caller broke the contract that vm.h states with [m].  The check costs
 * a load or two: it stays on in every build.
 *
 * A test that wants to see the panic cannot survive it, so a thread may arm
 * a catcher first (contract_catch_arm): until it disarms, its broken
 * contracts are recorded instead, and the function goes on as if the lock
 * were held (safe in a test whose address space nobody else can reach). */
#ifndef CONTRACT_H
#define CONTRACT_H

#include "kernel/mutex.h"
#include "kernel/rwsem.h"
#include "kernel/spinlock.h"

/* "func: what", as a panic; or recorded, if this thread armed a catcher. */
void contract_broken(const char *func, const char *what);

#define assert_held(held, what)                                                                    \
    do {                                                                                           \
        if (!(held))                                                                               \
            contract_broken(__func__, what);                                                       \
    } while (0)

/* Each takes the lock itself (not its address), to name it in the message. */
#define assert_write_held(rw) assert_held(rwsem_write_held(&(rw)), "lock " #rw " not held for writing")
#define assert_read_held(rw)  assert_held(rwsem_held(&(rw)), "lock " #rw " not held")
#define assert_spin_held(l)   assert_held(spin_held(&(l)), "lock " #l " not held")
#define assert_mutex_held(m)  assert_held(mutex_held(&(m)), "lock " #m " not held")

/* For tests: what the catcher saw. */
struct contract_catch {
    const char *func; /* the first broken contract: the function ... */
    const char *what; /* ... and what it lacked; NULL if none */
    int count;        /* how many were broken while armed */
};

/* Record the calling thread's broken contracts in *c, until disarmed.  One
 * thread at a time: arming while another thread's catcher is armed panics. */
void contract_catch_arm(struct contract_catch *c);
void contract_catch_disarm(void);

#endif
