/* test_smp.c - the other CPUs: found in the MADT, started, ticking, running
 * threads, and answering TLB shootdown IPIs. */
#include "arch.h"
#include "kernel/cmdline.h"
#include "kernel/cpu.h"
#include "kernel/ktest.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "mm/pgtable.h"
#include "mm/tlb.h"

KTEST(smp, every_cpu_comes_online)
{
    const char *want = cmdline_get("expect_cpus"); /* the runner's -smp */
    int found = arch_cpus_found(), online = arch_cpus_online();
    EXPECT_EQ(online, found);
    if (want)
        EXPECT_EQ(found, want[0] - '0');
}

KTEST(smp, every_cpu_has_a_ticking_timer)
{
    int n = arch_cpus_online();
    uint64_t before[MAX_CPUS];
    for (int i = 0; i < n; i++)
        before[i] = __atomic_load_n(&arch_cpu(i)->ticks, __ATOMIC_RELAXED);
    /* Five ticks of wall time are enough on an idle host, but QEMU's vCPU
     * threads share two host cores with the other boots of `make test`, and
     * a vCPU may not run at all for a while: wait until every CPU ticked,
     * up to two seconds.  A CPU whose timer is dead still fails. */
    int ticked = 0;
    for (int waited = 0; waited < 200 && ticked < n; waited++) {
        sched_sleep_us(10 * 1000);
        ticked = 0;
        for (int i = 0; i < n; i++)
            ticked += __atomic_load_n(&arch_cpu(i)->ticks, __ATOMIC_RELAXED) > before[i];
    }
    for (int i = 0; i < n; i++)
        EXPECT(__atomic_load_n(&arch_cpu(i)->ticks, __ATOMIC_RELAXED) > before[i]);
}

static volatile uint32_t cpus_seen;
static volatile bool stop_spinning;

/* Spin (no yielding) and note the CPUs we find ourselves on. */
static int spin_and_note(void *arg)
{
    (void)arg;
    uint64_t until = time_now_us() + 2 * 1000 * 1000;
    while (!stop_spinning && time_now_us() < until)
        __atomic_or_fetch(&cpus_seen, 1u << this_cpu()->id, __ATOMIC_RELAXED);
    return 0;
}

/* As many spinning threads as CPUs: balancing must put one on each. */
KTEST(smp, threads_spread_over_every_cpu)
{
    int n = arch_cpus_online();
    uint32_t all = (1u << n) - 1;
    struct thread *th[MAX_CPUS];
    cpus_seen = 0;
    stop_spinning = false;
    for (int i = 0; i < n; i++) {
        th[i] = kthread_create("spinner", spin_and_note, NULL);
        ASSERT(th[i]);
        sched_start(th[i]);
    }
    uint64_t until = time_now_us() + 2 * 1000 * 1000;
    while ((cpus_seen & all) != all && time_now_us() < until)
        sched_sleep_ticks(1);
    stop_spinning = true;
    for (int i = 0; i < n; i++)
        kthread_join(th[i]);
    EXPECT_EQ(cpus_seen & all, all);
}

/* A kernel-range flush goes to every other online CPU and each answers;
 * a user-range flush of an address space live nowhere else sends none. */
KTEST(smp, shootdown_reaches_every_other_cpu)
{
    int n = arch_cpus_online();
    uint64_t recv[MAX_CPUS], sent;
    irq_push(); /* stay on one CPU so that "this CPU's counters" means one CPU */
    struct cpu *me = this_cpu();
    for (int i = 0; i < n; i++)
        recv[i] = arch_cpu(i)->stats.tlb_ipis_received;
    sent = me->stats.tlb_ipis_sent;
    tlb_flush(kernel_pml4, KERNEL_VMA, KERNEL_VMA + PAGE_SIZE);
    EXPECT_EQ(me->stats.tlb_ipis_sent - sent, (uint64_t)(n - 1));
    for (int i = 0; i < n; i++)
        if (arch_cpu(i) != me)
            EXPECT(arch_cpu(i)->stats.tlb_ipis_received > recv[i]);
    pte_t *pml4 = pgtable_create();
    if (pml4) {
        sent = me->stats.tlb_ipis_sent;
        tlb_flush(pml4, 0x400000, 0x400000 + 4 * PAGE_SIZE);
        EXPECT_EQ(me->stats.tlb_ipis_sent, sent);
    }
    irq_pop();
    if (pml4)
        pgtable_destroy(pml4);
}
