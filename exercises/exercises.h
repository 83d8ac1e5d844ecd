/* exercises.h - the course exercises (docs/exercises.md).
 *
 * Each exercise is one function in its own file in this directory, shipped
 * as a stub that returns -ENOSYS.  Its test (tests/kernel/test_exercises.c,
 * suite "exercise") reports SKIP while the stub is there, and checks your
 * answer as soon as the function returns anything else:
 *
 *     make test T=exercise
 *
 * The rest of the kernel works without them: read mm/share.c, mm/forkcopy.c
 * and mm/pgtable.c for how the real code does similar things. */
#ifndef EXERCISES_H
#define EXERCISES_H

#include "lib/types.h"
#include "pte.h"

struct mm;

/* ---- 1. Count the tables (exercises/count_tables.c) */
struct ex_table_count {
    uint64_t tables[5]; /* [level]: table pages reachable from the user half */
    uint64_t shared[5]; /* [level]: of those, with refcount > 1 */
};
/* Walk the user half of the address space `pml4` and fill *out, counting
 * the PML4 itself at level 4.  0, or -ENOSYS while unsolved. */
int ex_count_tables(pte_t *pml4, struct ex_table_count *out);

/* ---- 2. Eager fork from scratch (exercises/eager_fork.c) */
/* Fill the empty user half of child_pml4 with a private copy of everything
 * parent_pml4 maps: new tables at every level and a new copy of every page,
 * with the parent's permissions.  0, -ENOMEM (the child may be left half
 * built: its owner frees it), or -ENOSYS while unsolved. */
int ex_fork_eager(pte_t *parent_pml4, pte_t *child_pml4);

/* ---- 3. Choose how to fork by size (exercises/fork_policy.c) */
#define EX_SHARE_THRESHOLD_PAGES 1024 /* 4 MiB: where to switch (measure it!) */
/* For a process in the default share mode: the enum fork_mode its fork
 * should use, FORK_COPY when it has fewer than EX_SHARE_THRESHOLD_PAGES
 * pages mapped, FORK_SHARE otherwise; or -ENOSYS while unsolved.  sys_fork
 * asks it (with parent->lock held for writing) only when the kernel was
 * booted with the option fork_policy (make run ARGS=fork_policy). */
int ex_fork_policy(struct mm *parent);

#endif
