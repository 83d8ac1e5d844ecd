/* vmstat.h (mm/) - counting virtual-memory events, and the census behind
 * SYS_cowl_vmstat.  The numbers themselves are in include/uapi/vmstat.h, which
 * user space shares. */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H

#include "kernel/time.h"
#include "lib/types.h"
#include "uapi/vmstat.h"

extern struct vm_events vm_events;

/* Count an event.  Relaxed atomics: CPUs fault at the same time, and a
 * lost increment would make a test that compares counts lie; the order
 * relative to other memory does not matter for a statistic. */
static inline void vm_event_add(uint64_t *counter, uint64_t n)
{
    __atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

/* fork's steps (enum vm_fork_step): fork_clock() starts a clock;
 * fork_step adds the time since *clock to `step` and restarts it.  One TSC
 * read each; nothing before the TSC is calibrated (the boot's first
 * threads). */
static inline uint64_t fork_clock(void) { return tsc_per_us ? time_now_ns() : 0; }
static inline void fork_step(int step, uint64_t *clock)
{
    if (!tsc_per_us)
        return;
    uint64_t now = time_now_ns();
    vm_event_add(&vm_events.fork_step_ns[step], now - *clock);
    *clock = now;
}

/* The kernel's own page-table pages, by level (counted once at boot by
 * kmap_init, which builds all of them). */
extern uint64_t kmap_tables[VM_LEVELS];

/* Fill *st: the census of every struct page plus a copy of the events. */
void vm_stats_collect(struct vm_stats *st);

#endif
