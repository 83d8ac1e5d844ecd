/* uapi/cowl.h - the arguments of cowl's own system calls that are not
 * records (those have uapi/vmstat.h, uapi/ptdump.h, uapi/cpustat.h). */
#ifndef COWL_UAPI_COWL_H
#define COWL_UAPI_COWL_H

/* cowl_fork_mode(mode): how a process's forks copy its memory
 * (docs/fork.md, The three fork modes); -1 only asks. */
#define COWL_FORK_SHARE 0 /* share the page tables copy-on-write */
#define COWL_FORK_COPY  1 /* copy the tables, share the pages copy-on-write */
#define COWL_FORK_EAGER 2 /* copy tables and pages */
#define COWL_FORK_MODES 3

/* cowl_failalloc(op, arg): fault injection (docs/reliability.md). */
#define COWL_FAIL_OFF    0 /* disarm; returns the allocations counted */
#define COWL_FAIL_NTH    1 /* arm the caller: the arg-th allocation fails */
#define COWL_FAIL_PPM    2 /* arm the caller: each fails with p = arg / 1e6 */
#define COWL_FAIL_STATUS 3 /* failures injected since arming */

#endif
