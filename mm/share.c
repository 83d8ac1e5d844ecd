/* share.c - unsharing page tables, and copy-on-write of pages.
 *
 * Invariant W: every entry that points to a shared table (refcount > 1) has
 * its writable bit clear and COW_TABLE set.  x86 ANDs the writable bit over
 * the levels of a walk, so nothing can be written through a shared subtree
 * until the path to it has been made private here. */
#include "mm/share.h"
#include "kernel/contract.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "kernel/time.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"
#include "mm/vmstat.h"

/* What unshare did, for the counters that share_unshare keeps. */
enum unshare_done { UNSHARE_NOTHING, UNSHARE_TOOK_BACK, UNSHARE_COPIED };

/* After unshare, nothing is flushed at once (docs/smp.md section 7,
 * "Unsharing without a flush").  A take-back only adds W to an entry: a
 * CPU that kept the read-only one faults once for nothing.  A copy
 * replaces the shared table by an equal one, minus W on the leaves: a CPU
 * that still walks the old table through its caches sees the same pages,
 * read-only, as long as our reference keeps that table alive and shared
 * (and so unchanged but for lost rights).  That reference is dropped
 * after the next flush of the whole address space, which every CPU
 * running it takes anyway (tlb_defer_table_put). */
static void after_unshare(pte_t *pml4, pte_t seen, int level, int done)
{
    tlb_relaxed(pml4); /* guests: flush at the next VMRUN */
    if (done == UNSHARE_COPIED)
        tlb_defer_table_put(pml4, pte_table(seen), level);
}

void share_table_entry(pte_t *from, pte_t *to)
{
    pte_t e = pte_read(from), shared = (e & ~PTE_W) | PTE_COW_TABLE;
    page_get(virt_to_page(pte_table(e)));
    if (shared != e)
        pte_set(from, shared);
    pte_set(to, shared);
}

void share_leaf_cow(pte_t *from, pte_t *to)
{
    pte_t e = pte_read(from), shared = e & ~PTE_W;
    struct page *p = pgtable_counted_page(pte_addr(e));
    if (p)
        page_get(p);
    if (shared != e)
        pte_set(from, shared);
    pte_set(to, shared);
}

/* Copy table `old` (at `level`) into `copy`, adding the references the copy
 * holds.  The tables below are now shared by both, and the pages mapped by
 * both: in the old table too, its other users keep only a read-only view.
 * old's lock held. */
static void copy_table(pte_t *old, pte_t *copy, int level)
{
    assert_spin_held(virt_to_page(old)->lock);
    for_each_entry(old, i)
    {
        if (level > 1)
            share_table_entry(&old[i], &copy[i]);
        else
            share_leaf_cow(&old[i], &copy[i]);
    }
}

/* We are the table's last user: the entry to it becomes ours again. */
static int take_back(pte_t *entry, pte_t seen)
{
    pte_set(entry, (seen | PTE_W) & ~PTE_COW_TABLE);
    return UNSHARE_TOOK_BACK;
}

/* Point entry at a private copy of the shared table (at `level`) it
 * pointed to.  The only allocation: -ENOMEM leaves everything as it was. */
static int copy_shared(pte_t *entry, pte_t seen, int level)
{
    pte_t *copy = table_alloc(level);
    if (!copy)
        return -ENOMEM;
    copy_table(pte_table(seen), copy, level);
    pte_set(entry, virt_to_phys(copy) | (seen & ~(PTE_ADDR_MASK | PTE_COW_TABLE)) | PTE_W);
    return UNSHARE_COPIED;
}

/* docs/fork.md section 4: take the table back or copy it, under its lock,
 * once the entry is seen unchanged under that lock. */
static int unshare(pte_t *pml4, pte_t *entry, int level)
{
    for (;;) {
        pte_t seen = pte_read(entry);
        if (!(seen & PTE_COW_TABLE))
            return UNSHARE_NOTHING; /* someone made it private meanwhile */
        struct page *tp = virt_to_page(pte_table(seen));
        spin_lock(&tp->lock);
        if (pte_read(entry) != seen) { /* the path changed under us: start again */
            spin_unlock(&tp->lock);
            continue;
        }
        bool last_user = __atomic_load_n(&tp->refcount, __ATOMIC_ACQUIRE) == 1;
        int done = last_user ? take_back(entry, seen) : copy_shared(entry, seen, level);
        spin_unlock(&tp->lock);
        if (done < 0)
            return done;
        after_unshare(pml4, seen, level, done);
        return done;
    }
}

/* unshare, timed and counted (vm_events, cowl_vmstat). */
int share_unshare(pte_t *pml4, pte_t *entry, int level)
{
    uint64_t t0 = time_now_ns();
    int done = unshare(pml4, entry, level);
    vm_event_add(&vm_events.unshare_ns[level], time_now_ns() - t0);
    if (done == UNSHARE_TOOK_BACK)
        vm_event_add(&vm_events.unshare_takebacks[level], 1);
    else if (done == UNSHARE_COPIED)
        vm_event_add(&vm_events.unshare_copies[level], 1);
    return done < 0 ? done : 0;
}

/* A page of the parent's that fork copies ahead (docs/fork.md section 7).
 * Its copy is made in two halves around the fork's flush:
 *
 *   hot_take (before):  the path to the page made private in the parent;
 *                       its entry emptied, the reference kept in h->old
 *   tlb_flush           every CPU of the parent drops its translations,
 *                       the writable ones of other threads included
 *   hot_give (after):   copy the page, map the copy writable
 *
 * Copying before the flush would lose what another thread writes through
 * its stale writable translation meanwhile (it would land in the child's
 * page).  Leaving the old page mapped until the copy would let another CPU
 * cache a read-only translation of it after its flush, and read the old
 * page after we wrote the new one.  An empty entry is cached nowhere; a
 * thread that touches the page meanwhile faults and waits on mm->lock,
 * which fork holds for writing, and finds the copy mapped.  Mapping it
 * only adds rights, so it needs no flush. */
struct hot_page {
    pte_t *entry;
    struct page *old, *copy;
    pte_t flags;
};

static bool hot_take(pte_t *pml4, const struct share_hot *want, struct hot_page *h)
{
    pte_t *e;
    if (pgtable_walk(pml4, want->va, 1, PGW_UNSHARE, &e))
        return false; /* not mapped, or no memory to unshare: left shared */
    pte_t seen = pte_read(e);
    h->old = pte_present(seen) ? pgtable_counted_page(pte_addr(seen)) : NULL;
    if (!h->old)
        return false;
    h->copy = pmm_alloc(0, PAGE_USER, 0);
    if (!h->copy)
        return false;
    h->entry = e;
    h->flags = want->flags;
    pte_set(e, 0); /* its reference on the old page is ours now */
    return true;
}

static void hot_give(struct hot_page *h)
{
    page_copy(page_to_virt(h->copy), page_to_virt(h->old));
    pte_set(h->entry, page_to_phys(h->copy) | h->flags);
    page_put(h->old);
    vm_event_add(&vm_events.fork_hot_copies, 1);
}

void share_fork(struct mm *parent, struct mm *child, const struct share_hot *hot, int nhot)
{
    assert_write_held(parent->lock);
    uint64_t clock = fork_clock();
    for (unsigned i = 0; i < PT_USER_ENTRIES; i++)
        if (pte_present(parent->pml4[i]))
            share_table_entry(&parent->pml4[i], &child->pml4[i]);
    fork_step(FORK_STEP_SHARE, &clock);
    struct hot_page h[SHARE_HOT_MAX];
    int taken = 0;
    for (int i = 0; i < nhot && i < SHARE_HOT_MAX; i++)
        taken += hot_take(parent->pml4, &hot[i], &h[taken]);
    fork_step(FORK_STEP_STACK, &clock);
    tlb_flush(parent->pml4, 0, USER_TOP); /* no CPU may keep a writable translation */
    fork_step(FORK_STEP_FLUSH, &clock);
    for (int i = 0; i < taken; i++)
        hot_give(&h[i]);
    fork_step(FORK_STEP_STACK, &clock);
}

/* Only this PT maps the page: write it in place. */
static int cow_reuse(pte_t *entry, pte_t seen)
{
    if (!pte_cas(entry, seen, seen | PTE_W))
        return -EAGAIN;
    vm_event_add(&vm_events.cow_reuses, 1);
    return 0;
}

/* A copy of the page `old`, timed (cow_ns); or NULL. */
static struct page *cow_copy_of(struct page *old)
{
    uint64_t t0 = time_now_ns();
    struct page *copy = pmm_alloc(0, PAGE_USER, 0);
    if (!copy)
        return NULL;
    page_copy(page_to_virt(copy), page_to_virt(old));
    vm_event_add(&vm_events.cow_ns, time_now_ns() - t0);
    return copy;
}

int share_break_cow(pte_t *pml4, uint64_t va, pte_t *entry, pte_t seen, pte_t leaf_flags)
{
    struct page *old = pgtable_counted_page(pte_addr(seen));
    if (!old)
        return -EFAULT;
    if (__atomic_load_n(&old->refcount, __ATOMIC_ACQUIRE) == 1)
        return cow_reuse(entry, seen);
    struct page *copy = cow_copy_of(old);
    if (!copy)
        return -ENOMEM;
    if (!pte_cas(entry, seen, page_to_phys(copy) | leaf_flags)) {
        page_put(copy); /* lost the race: someone else resolved it */
        return -EAGAIN;
    }
    /* Other CPUs may still read the old page through a stale read-only
     * translation: only after they flushed may our reference go (it may
     * be the last one by now). */
    tlb_flush(pml4, va, va + PAGE_SIZE);
    page_put(old);
    vm_event_add(&vm_events.cow_copies, 1);
    return 0;
}
