/* ucow.h - exercise 5 (docs/exercises.md): copy-on-write of a buffer in
 * user space, with mprotect and a SIGSEGV handler.  User code, not kernel
 * code: user/tests/excow.c includes exercises/user/ucow.c.
 *
 * A snapshot of a buffer that costs nothing to take: ucow_snapshot makes
 * the buffer read-only; the first write to each page after it faults, and
 * the SIGSEGV handler copies that page's old contents to the snapshot
 * area, makes the page writable again, and returns, so the write goes on.
 * Pages never written since the snapshot are read from the buffer itself:
 * they have not changed.  The kernel does the same for fork, with page
 * tables instead of mprotect (docs/fork.md, docs/faults.md). */
#ifndef UCOW_H
#define UCOW_H

#include <stddef.h>

#define UCOW_PAGE 4096

struct ucow {
    char *buf;             /* the live buffer: npages pages, page-aligned */
    char *saved;           /* npages pages: a page's contents at the snapshot, once copied */
    unsigned char *copied; /* per page: 1 if saved[] holds its snapshot copy */
    size_t npages;
    size_t ncopies;        /* pages copied since the last snapshot */
};

/* Map the buffer and the saved area (zeroed) and install the SIGSEGV
 * handler.  One ucow at a time (the handler finds it in a global).  0, or
 * -1 with errno. */
int ucow_init(struct ucow *c, size_t npages);
/* Unmap everything, put SIGSEGV back to SIG_DFL. */
void ucow_destroy(struct ucow *c);

/* ---- Yours to write (exercises/user/ucow.c) */
/* Take a snapshot of the buffer as it is now: forget the copies of the
 * last snapshot and make the buffer read-only.  0, -1 with errno, or
 * -ENOSYS while unsolved. */
int ucow_snapshot(struct ucow *c);
/* Page i as it was at the last snapshot (its copy if it was written since,
 * else the buffer's page itself). */
const char *ucow_snapshot_page(const struct ucow *c, size_t i);

#endif
