/* failalloc.h - fault injection: make chosen memory allocations fail, to
 * prove that every path that allocates also copes when it cannot.
 *
 * Only allocations made on behalf of a process that has been "armed" count
 * (struct process.failalloc, inherited by fork and kept by exec), so an
 * experiment does not hit the test runner or other CPUs' work.  Counted are
 * page allocations (pmm_alloc) and kernel heap objects (kmalloc), because
 * both end in the same promise: the caller gets NULL and must clean up.
 *
 * Two modes, one experiment at a time (the state is global):
 *  - nth: the n-th counted allocation fails, and only that one; sweeping n
 *    over 1, 2, 3, ... walks the failure through every allocation a system
 *    call makes, in order (user/tests/failalloc.c).
 *  - probability: every counted allocation fails with probability
 *    ppm / 1000000, from a seeded generator (sysfuzz -f, make soak).
 * The boot options failalloc_nth=N and failalloc_ppm=P arm init;
 * failalloc_trace=1 prints a backtrace at every failure it injects. */
#ifndef FAILALLOC_H
#define FAILALLOC_H

#include "lib/types.h"
#include "uapi/cowl.h"

/* cowl_failalloc(op, arg) operations: COWL_FAIL_* in uapi/cowl.h */

/* Should the allocation being made now fail?  Counts it if it is ours. */
bool failalloc_now(void);
/* Start, stop or ask about the experiment (COWL_FAIL_*); the caller then
 * marks its process armed or not (process_set_failalloc). */
int64_t failalloc_control(int op, int64_t arg);
/* What the experiment did so far: allocations counted, failures injected. */
void failalloc_stats(int64_t *counted, int64_t *injected);
/* Boot options: failalloc_nth=N, failalloc_ppm=P (and failalloc_seed=S).
 * True if one was given: then init is armed when it starts. */
bool failalloc_parse_options(void);

#endif
