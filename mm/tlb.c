/* tlb.c - TLB shootdown: making every CPU forget translations that a
 * page-table change made stale.
 *
 *   CPU 0 (changes a table)               CPU 2 (runs a thread of the same mm)
 *   change the entries
 *   flush its own TLB
 *   take shootdown_lock, fill in `req`
 *   pending = {2}; IPI CPU 2  ---------->  tlb_ipi(): flush the range,
 *   spin while pending != 0   <----------  clear its bit in pending
 *   release shootdown_lock
 *
 * Only CPUs in the address space's live set get an IPI: the set is kept by
 * tlb_switch_to(), which adds a CPU before it loads the new CR3 and removes
 * it only after it has loaded another one.  A CPU outside the set holds no
 * translation of that address space (cowl does not use PCIDs: a CR3 load
 * drops all non-global entries).
 *
 * Deadlock: the sender waits with interrupts off; a target spinning for a
 * lock with interrupts off would never take the IPI.  So tlb_init() makes
 * tlb_poll(), which serves the request without the IPI, the work every
 * spin loop in spin_lock() does while it waits. */
#include "mm/tlb.h"
#include "arch.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"

/* One request at a time (shootdown_lock): simple, and enough for 8 CPUs. */
static struct spinlock shootdown_lock = SPINLOCK_INIT("shootdown");
static struct {
    uint64_t cr3;              /* the address space (physical PML4) */
    uint64_t start, end;       /* the range; start >= USER_TOP: kernel */
    volatile uint32_t pending; /* [a] CPUs that have not flushed yet */
    int from;                  /* the requesting CPU */
    volatile bool halted;      /* [a] it halts until the last one wakes it */
} req;

/* How long a requester spins for its acknowledgements before it halts.
 * On hardware they come within microseconds and it never halts.  Under a
 * hypervisor a target is a virtual CPU that may not be running at all
 * (4 vCPUs on 2 host cores): then each spinning microsecond takes a host
 * core from the very vCPUs we wait for, and halting gives it back.  (What
 * pause-loop exiting does in hardware, and PV TLB flushes in KVM guests.) */
#define SHOOTDOWN_SPIN_NS 20000

static uint32_t *live_set(pte_t *pml4) { return &virt_to_page(pml4)->cpus_live; }
static uint32_t cpu_bit(void) { return 1u << this_cpu()->id; }

/* Flush [start, end) of the address space cr3 on this CPU, if it is live
 * here (kernel ranges always are). */
static void flush_local(uint64_t cr3, uint64_t start, uint64_t end)
{
    bool kernel = start >= USER_TOP;
    if (!kernel && read_cr3() != cr3)
        return;
    struct cpu_stats *st = &this_cpu()->stats;
    st->tlb_flushes++;
    if ((end - start) / PAGE_SIZE > TLB_FULL_FLUSH_PAGES) {
        st->tlb_full_flushes++;
        if (kernel)
            arch_flush_tlb_global(); /* kernel mappings are global: CR3 reload keeps them */
        else
            arch_flush_tlb_all();
        return;
    }
    for (uint64_t va = start; va < end; va += PAGE_SIZE)
        arch_flush_tlb_page(va);
}

static uint32_t online_set(void)
{
    uint32_t set = 0;
    for (int i = 0; i < MAX_CPUS; i++) {
        struct cpu *c = arch_cpu(i);
        if (c && __atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
            set |= 1u << i;
    }
    return set;
}

/* Halting needs interrupts on for a moment, so only a caller that had
 * them on and holds no lock but ours may halt: then no interrupt handler
 * can want a lock this CPU holds (they never flush, so never want
 * shootdown_lock), and the preemption check sees lock_depth > 0 and
 * leaves this thread where it is. */
static bool may_halt(void)
{
    struct cpu *c = this_cpu();
    return c->lock_depth == 2 && c->irq_were_on; /* tlb_flush's irq_push + shootdown_lock */
}

/* Halt until an interrupt, unless the acknowledgements are in.  The last
 * CPU to acknowledge reads `halted` after clearing its bit, we read
 * `pending` after setting it (both sequentially consistent): either it
 * sees us halting and sends the wake-up, or we see pending empty.  A
 * wake-up that arrives before the hlt is held until `sti; hlt`. */
static void halt_for_acks(void)
{
    __atomic_store_n(&req.halted, true, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&req.pending, __ATOMIC_SEQ_CST)) {
        this_cpu()->stats.shootdown_halts++;
        cpu_idle_wait(); /* sti; hlt */
        irq_disable();
    }
}

static void wait_for_acks(uint64_t t0)
{
    bool halt = may_halt();
    while (__atomic_load_n(&req.pending, __ATOMIC_ACQUIRE)) {
        if (halt && time_now_ns() - t0 > SHOOTDOWN_SPIN_NS)
            halt_for_acks();
        else
            cpu_relax();
    }
}

static void shootdown(uint32_t targets, uint64_t cr3, uint64_t start, uint64_t end)
{
    struct cpu_stats *st = &this_cpu()->stats;
    spin_lock(&shootdown_lock);
    req.cr3 = cr3;
    req.start = start;
    req.end = end;
    req.from = this_cpu()->id;
    req.halted = false;
    __atomic_store_n(&req.pending, targets, __ATOMIC_RELEASE);
    uint64_t t0 = time_now_ns();
    for (int i = 0; i < MAX_CPUS; i++) {
        if (targets & (1u << i)) {
            arch_send_ipi(i, VECTOR_IPI_TLB);
            st->tlb_ipis_sent++;
        }
    }
    wait_for_acks(t0);
    st->shootdown_wait_ns += time_now_ns() - t0;
    st->tlb_shootdowns++;
    spin_unlock(&shootdown_lock);
}

/* Move pml4's deferred tables into out[]; how many. */
static int take_deferred(pte_t *pml4, struct tlb_deferred_entry out[TLB_DEFER_MAX])
{
    struct tlb_deferred *d = virt_to_page(pml4)->deferred;
    if (!d || !__atomic_load_n(&d->n, __ATOMIC_RELAXED))
        return 0;
    spin_lock(&d->lock);
    int n = d->n;
    for (int i = 0; i < n; i++)
        out[i] = d->t[i];
    d->n = 0;
    spin_unlock(&d->lock);
    return n;
}

static void put_deferred(struct tlb_deferred_entry *t, int n)
{
    for (int i = 0; i < n; i++)
        table_put(t[i].table, t[i].level);
}

void tlb_flush(pte_t *pml4, uint64_t start, uint64_t end)
{
    bool kernel = start >= USER_TOP;
    /* A flush that empties every TLB of this address space also ends the
     * wait of the tables deferred before it (taken before the flush
     * starts: one deferred meanwhile waits for the next).  With tables
     * waiting, every flush of the address space becomes such a flush: the
     * CPUs it reaches reload CR3 instead of a few INVLPGs, and no IPI more
     * is sent. */
    struct tlb_deferred_entry done[TLB_DEFER_MAX];
    int ndone = kernel ? 0 : take_deferred(pml4, done);
    if (ndone) {
        start = 0;
        end = USER_TOP;
    }
    irq_push(); /* stay on this CPU: "the others" must mean the same CPUs throughout */
    uint64_t cr3 = virt_to_phys(pml4);
    if (!kernel) /* for guests: their vCPUs flush before they run again */
        __atomic_add_fetch(&virt_to_page(pml4)->flush_gen, 1, __ATOMIC_SEQ_CST);
    flush_local(cr3, start, end);
    /* Our entry stores must be visible before we read the live set, and a
     * CPU joining the set (a locked OR) does so before it loads CR3: so
     * either we see its bit, or its table walks see our new entries. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t live = kernel ? online_set() : __atomic_load_n(live_set(pml4), __ATOMIC_ACQUIRE);
    uint32_t others = live & ~cpu_bit();
    if (others)
        shootdown(others, cr3, start, end);
    irq_pop();
    put_deferred(done, ndone);
}

void tlb_relaxed(pte_t *pml4)
{
    __atomic_add_fetch(&virt_to_page(pml4)->flush_gen, 1, __ATOMIC_SEQ_CST);
}

void tlb_deferred_init(pte_t *pml4, struct tlb_deferred *d)
{
    d->lock = (struct spinlock)SPINLOCK_INIT("tlb_deferred");
    d->n = 0;
    virt_to_page(pml4)->deferred = d;
}

void tlb_defer_table_put(pte_t *pml4, pte_t *table, int level)
{
    struct tlb_deferred *d = virt_to_page(pml4)->deferred;
    bool kept = false;
    if (d) {
        spin_lock(&d->lock);
        if (d->n < TLB_DEFER_MAX) {
            d->t[d->n].table = table;
            d->t[d->n].level = level;
            __atomic_store_n(&d->n, d->n + 1, __ATOMIC_RELAXED);
            kept = true;
        }
        spin_unlock(&d->lock);
    }
    if (kept)
        return;
    tlb_flush(pml4, 0, USER_TOP); /* also ends the wait of the deferred ones */
    table_put(table, level);
}

void tlb_deferred_release(pte_t *pml4)
{
    struct tlb_deferred_entry t[TLB_DEFER_MAX];
    put_deferred(t, take_deferred(pml4, t));
}

void tlb_deferred_each(pte_t *pml4, void (*fn)(void *arg, pte_t *table, int level), void *arg)
{
    struct tlb_deferred *d = virt_to_page(pml4)->deferred;
    if (!d)
        return;
    spin_lock(&d->lock);
    for (int i = 0; i < d->n; i++)
        fn(arg, d->t[i].table, d->t[i].level);
    spin_unlock(&d->lock);
}

void tlb_flush_local(uint64_t va)
{
    this_cpu()->stats.tlb_flushes++;
    arch_flush_tlb_page(va);
}

/* Serve the current request if it names this CPU.  Counted before the
 * acknowledgement: once its bit is clear the sender may read the
 * counters (smp/shootdown_reaches_every_other_cpu does). */
static void serve(void)
{
    uint32_t me = cpu_bit();
    struct cpu_stats *st = &this_cpu()->stats;
    if (!(__atomic_load_n(&req.pending, __ATOMIC_ACQUIRE) & me))
        return;
    flush_local(req.cr3, req.start, req.end);
    st->tlb_ipis_received++;
    int from = req.from; /* read before our bit goes: then the request may change */
    if (!__atomic_and_fetch(&req.pending, ~me, __ATOMIC_SEQ_CST) &&
        __atomic_load_n(&req.halted, __ATOMIC_SEQ_CST)) {
        arch_send_ipi(from, VECTOR_IPI_TLB); /* it finds nothing to serve, and wakes */
        st->tlb_wake_ipis++;
    }
}

void tlb_ipi(void) { serve(); }

/* Served here, the IPI that arrives later finds nothing to do. */
void tlb_poll(void) { serve(); }

void tlb_init(void) { spin_set_wait_work(tlb_poll); }

uint32_t tlb_guest_enter(pte_t *pml4)
{
    __atomic_or_fetch(live_set(pml4), cpu_bit(), __ATOMIC_SEQ_CST);
    return __atomic_load_n(&virt_to_page(pml4)->flush_gen, __ATOMIC_SEQ_CST);
}

void tlb_guest_exit(pte_t *pml4) { __atomic_and_fetch(live_set(pml4), ~cpu_bit(), __ATOMIC_SEQ_CST); }

static bool tracked(pte_t *pml4)
{
    return pml4 != kernel_pml4 && phys_has_page(virt_to_phys(pml4)) &&
           virt_to_page(pml4)->kind == PAGE_TABLE;
}

void tlb_switch_to(pte_t *pml4)
{
    irq_push();
    pte_t *old = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
    if (old != pml4) {
        if (tracked(pml4))
            __atomic_or_fetch(live_set(pml4), cpu_bit(), __ATOMIC_SEQ_CST);
        write_cr3(virt_to_phys(pml4));
        if (tracked(old))
            __atomic_and_fetch(live_set(old), ~cpu_bit(), __ATOMIC_SEQ_CST);
    }
    irq_pop();
}

void tlb_gather_init(struct tlb_gather *g, pte_t *pml4)
{
    g->pml4 = pml4;
    g->start = g->end = 0;
    g->n = 0;
}

void tlb_gather_add(struct tlb_gather *g, uint64_t start, uint64_t end)
{
    if (g->start == g->end) {
        g->start = start;
        g->end = end;
        return;
    }
    g->start = MIN(g->start, start);
    g->end = MAX(g->end, end);
}

static void defer(struct tlb_gather *g, void *obj, int level)
{
    if (g->n == TLB_GATHER_MAX)
        tlb_gather_flush(g); /* what was cleared so far is flushed and released */
    g->defer[g->n].obj = obj;
    g->defer[g->n].level = level;
    g->n++;
}

void tlb_gather_page(struct tlb_gather *g, struct page *p) { defer(g, p, 0); }
void tlb_gather_table(struct tlb_gather *g, pte_t *table, int level) { defer(g, table, level); }

void tlb_gather_flush(struct tlb_gather *g)
{
    if (g->start != g->end)
        tlb_flush(g->pml4, g->start, g->end);
    g->start = g->end = 0;
    for (int i = 0; i < g->n; i++) {
        if (g->defer[i].level == 0)
            page_put(g->defer[i].obj);
        else
            table_put(g->defer[i].obj, g->defer[i].level);
    }
    g->n = 0;
}
