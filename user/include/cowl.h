/* cowl.h - calls only cowl has (not POSIX). */
#ifndef _COWL_H
#define _COWL_H
#include <stddef.h>
#include <stdint.h>
#include "uapi/cowl.h" /* COWL_FORK_*, COWL_FAIL_*: shared with the kernel */
/* "pid ppid state name" lines into buf; bytes written or -1. */
long cowl_procs(char *buf, size_t size);
/* free and total physical pages */
int cowl_memstat(uint64_t *free_pages, uint64_t *total_pages);
/* How this process's forks copy memory: COWL_FORK_SHARE, _COPY, _EAGER;
 * -1 only asks.  Returns the previous mode, or -1 with errno. */
int cowl_fork_mode(int mode);
/* Virtual-memory counters (page faults, COW copies, unshares by level,
 * forks) and a census of memory (free pages, page-table pages shared and
 * private by level): uapi/vmstat.h.  0, or -1 with errno. */
#include "uapi/vmstat.h"
int cowl_vmstat(struct vm_stats *st);
/* Process pid's page-table tree (pid 0: the caller's), one record per
 * table, at most max of them (uapi/ptdump.h); returns how many tables
 * the tree has (more than max if they did not all fit), or -1 with errno. */
#include "uapi/ptdump.h"
long cowl_ptdump(int pid, struct pt_node *nodes, size_t max);
/* Page-table pages allocated by the caller's last fork(). */
long cowl_fork_tables(void);
/* Per-CPU counters (TLB shootdowns, IPIs, flushes, switches): fills one
 * entry per CPU, at most max; returns how many it filled, or -1. */
#include "uapi/cpustat.h"
int cowl_cpustat(struct cpu_stats *st, int max);
/* Fault injection (docs/reliability.md): make the caller's (and its future
 * children's) allocations fail.  op: COWL_FAIL_NTH (the arg-th allocation
 * fails), COWL_FAIL_PPM (each fails with probability arg/1e6), COWL_FAIL_OFF
 * (disarm; returns the allocations counted), COWL_FAIL_STATUS (failures
 * injected so far).  One experiment at a time, for the whole machine. */
long cowl_failalloc(int op, long arg);
/* Virtual machines (uapi/vm.h, docs/virt.md).  Each returns -1 with errno
 * on failure: ENODEV without SVM and nested paging, EINVAL for a bad
 * argument or guest state, EFAULT for a bad pointer. */
#include "uapi/vm.h"
int cowl_vm_create(uint64_t ram_bytes);
int cowl_vm_memory(int vm, uint64_t gpa, void *buf, size_t len, int dir);
int cowl_vcpu_create(int vm);
int cowl_vcpu_regs(int vcpu, struct cowl_vcpu_regs *regs, int dir);
int cowl_vcpu_run(int vcpu, struct cowl_vm_exit *exit);
/* For monitors and benchmarks: put r in flat 32-bit protected mode (code
 * selector 8, data 16, base 0, limit 4 GiB), paging off and caches on
 * (CR0 = PE|ET), interrupts off, starting at rip; the rest of r stays. */
static inline void cowl_flat32_regs(struct cowl_vcpu_regs *r, uint64_t rip)
{
    const uint16_t attrib = COWL_SEG_S | COWL_SEG_P | COWL_SEG_DB | COWL_SEG_G;
    r->cs = (struct cowl_seg){8, COWL_SEG_TYPE_CODE | attrib, 0xffffffff, 0};
    r->ds = r->es = r->ss = r->fs = r->gs = (struct cowl_seg){16, COWL_SEG_TYPE_DATA | attrib, 0xffffffff, 0};
    r->cr0 = 0x11;
    r->rip = rip;
    r->rflags = 2;
}
int cowl_virtstat(struct cowl_virt_stats *st);
int cowl_vm_fork(int vm, int mode);
int cowl_vcpu_fork(int vcpu, int vm);
/* A VM's nested page-table tree, like cowl_ptdump for a process. */
long cowl_vm_ptdump(int vm, struct pt_node *nodes, size_t max);
/* The calling thread's id (its process's pid for the first thread). */
int gettid(void);
/* Turn the machine off. */
int poweroff(void);
#endif
