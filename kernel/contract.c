/* contract.c - what a broken locking contract does (see contract.h). */
#include "kernel/contract.h"
#include "kernel/printk.h"
#include "kernel/thread.h"

/* The one armed catcher and the thread it belongs to.  Per thread, not per
 * CPU: the test thread may be preempted and move between arming and the
 * call it checks.  contract_lock is a leaf. */
static struct spinlock contract_lock = SPINLOCK_INIT("contract");
static struct contract_catch *catcher; /* [contract_lock] */
static struct thread *catcher_thread;    /* [contract_lock] */

void contract_broken(const char *func, const char *what)
{
    spin_lock(&contract_lock);
    struct contract_catch *c = catcher_thread == current_thread() ? catcher : NULL;
    if (c && c->count++ == 0) {
        c->func = func;
        c->what = what;
    }
    spin_unlock(&contract_lock);
    if (!c)
        panic("%s: %s", func, what);
}

void contract_catch_arm(struct contract_catch *c)
{
    *c = (struct contract_catch){NULL, NULL, 0};
    spin_lock(&contract_lock);
    if (catcher)
        panic("contract_catch_arm: a catcher is armed already");
    catcher = c;
    catcher_thread = current_thread();
    spin_unlock(&contract_lock);
}

void contract_catch_disarm(void)
{
    spin_lock(&contract_lock);
    catcher = NULL;
    catcher_thread = NULL;
    spin_unlock(&contract_lock);
}
