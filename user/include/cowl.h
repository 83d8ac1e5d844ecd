/* cowl.h - calls only cowl has (not POSIX). */
#ifndef _COWL_H
#define _COWL_H
#include <stddef.h>
#include <stdint.h>
/* "pid ppid state name" lines into buf; bytes written or -1. */
long cowl_procs(char *buf, size_t size);
/* free and total physical pages */
int cowl_memstat(uint64_t *free_pages, uint64_t *total_pages);
/* How this process's forks copy memory: COWL_FORK_SHARE, _COPY, _EAGER;
 * -1 only asks.  Returns the previous mode, or -1 with errno. */
#define COWL_FORK_SHARE 0
#define COWL_FORK_COPY  1
#define COWL_FORK_EAGER 2
int cowl_fork_mode(int mode);
/* Counters of fork over shared tables (kernel mm/share.h). */
struct cowl_vmstat {
    uint64_t unshare_copies[4], unshare_takebacks[4];
    uint64_t cow_copies, cow_reuses;
    uint64_t unshare_ns[4], cow_ns;
};
int cowl_vmstat(struct cowl_vmstat *st);
/* Page-table pages allocated by the caller's last fork(). */
long cowl_fork_tables(void);
/* Per-CPU counters (TLB shootdowns, IPIs, flushes, switches): fills one
 * entry per CPU, at most max; returns how many it filled, or -1. */
#include "kernel/cpustat.h"
int cowl_cpustat(struct cpu_stats *st, int max);
/* The calling thread's id (its process's pid for the first thread). */
int gettid(void);
/* Turn the machine off. */
int poweroff(void);
#endif
