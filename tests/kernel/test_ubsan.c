/* test_ubsan.c - proves that the sanitizer's runtime (kernel/ubsan.c)
 * reports undefined behaviour.  Hidden: tests/run.py runs it in its own boot
 * (ubsan-selftest) only for a sanitized kernel, and there expects exactly one
 * "UBSAN:" line naming the marked line below.  A normal build compiles the
 * test but skips it: without the sanitizer the shift would be silent UB. */
#include "kernel/ktest.h"
#include "kernel/ubsan.h"

/* volatile: the compiler cannot see the exponent, so the check stays in
 * and the shift happens at run time. */
static volatile unsigned shift_exponent = 65;

static __attribute__((noinline)) uint64_t shift_too_far(uint64_t x)
{
    return x << shift_exponent; /* UBSAN-SELFTEST: the one report expected */
}

KTEST_FLAGS(ubsan, selftest, KTEST_HIDDEN)
{
    if (!ubsan_enabled())
        SKIP("not a sanitized kernel (make SANITIZE=1)");
    uint64_t before = ubsan_reports();
    (void)shift_too_far(1);
    EXPECT_EQ(ubsan_reports(), before + 1);
    /* The same place again: already reported, so not printed twice. */
    (void)shift_too_far(1);
    EXPECT_EQ(ubsan_reports(), before + 1);
}
