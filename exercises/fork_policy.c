/* Exercise 3: share tables only where it pays (docs/exercises.md).
 *
 * Sharing page tables makes fork cost the same at any size, but the first
 * writes after it pay for unsharing.  For a small process, copying its few
 * tables at fork (FORK_COPY, as Linux does) is cheap.  Return FORK_COPY
 * when the parent maps fewer than EX_SHARE_THRESHOLD_PAGES pages, and
 * FORK_SHARE otherwise.
 *
 * Then measure: `make bench` prints fork times for every mode and size;
 * add your policy's numbers, find where the two lines cross on this
 * machine, and set EX_SHARE_THRESHOLD_PAGES there.  Say in your answer
 * what the measurement does not show (the cost of the first writes).
 *
 * Hints: count mapped pages with a walk like exercise 1's, or keep a
 * counter in struct mm (where would it have to change?).  enum fork_mode is
 * in mm/vm.h. */
#include "exercises/exercises.h"
#include "uapi/errno.h"

int ex_fork_policy(struct mm *parent)
{
    (void)parent;
    return -ENOSYS; /* replace with your policy */
}
