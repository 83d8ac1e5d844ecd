/* ubsan.h - the undefined-behaviour sanitizer's runtime (kernel/ubsan.c).
 *
 * `make SANITIZE=1` builds the kernel with -fsanitize=undefined: gcc checks
 * shifts, signed arithmetic, array indices, pointer alignment and more, and
 * calls a __ubsan_handle_* function here when a check fails.  Each place in
 * the source is reported once, as one line in the kernel log
 *
 *   UBSAN: shift-out-of-bounds in mm/pgtable.c:123:9 (shift exponent 64 ...)
 *
 * plus a backtrace, and the kernel carries on; tests/run.py fails any boot
 * whose log has such a line.  The runtime is compiled into every kernel, but
 * only a sanitized one ever calls it. */
#ifndef UBSAN_H
#define UBSAN_H

#include "lib/types.h"

/* How many reports the kernel has printed since boot. */
uint64_t ubsan_reports(void);

/* Was this kernel built with the sanitizer (make SANITIZE=1)? */
static inline bool ubsan_enabled(void)
{
#ifdef COWL_UBSAN
    return true;
#else
    return false;
#endif
}

#endif
