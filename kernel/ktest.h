/* ktest.h - in-kernel unit tests.
 *
 *   KTEST(mm, buddy_split) { EXPECT(...); ASSERT(...); }
 *
 * registers `mm/buddy_split` in the .ktests linker section.  The kernel runs
 * the tests selected by the `test=` command-line option and prints one TAP
 * line each; tests/run.py reads the list of expected tests from the same
 * section of build/cowl.elf, so a test that never reports is caught. */
#ifndef KTEST_H
#define KTEST_H

#include "kernel/printk.h"
#include "lib/types.h"

struct ktest_ctx {
    bool failed;
    bool skipped;     /* reported as "ok ... # SKIP reason" */
    char reason[160]; /* first failure, shown after '#' in the TAP line */
};

struct ktest {
    const char *suite;
    const char *name;
    void (*fn)(struct ktest_ctx *t);
    uint32_t flags;
};

/* Only runs when a test= pattern names its suite explicitly (harness/...):
 * the deliberately failing, panicking and hanging tests of the harness. */
#define KTEST_HIDDEN 1u

/* isa-debug-exit values; QEMU exits with (value << 1) | 1. */
#define KTEST_EXIT_PASS  0x10 /* QEMU status 33 */
#define KTEST_EXIT_FAIL  0x11 /* QEMU status 35 */
#define KTEST_EXIT_PANIC 0x12 /* QEMU status 37 */

#define KTEST_FLAGS(s, n, f)                                                                       \
    static void ktest_fn_##s##_##n(struct ktest_ctx *t);                                           \
    static const struct ktest ktest_desc_##s##_##n                                                 \
        __attribute__((used, section(".ktests"), aligned(8))) = {#s, #n, ktest_fn_##s##_##n, f};   \
    static void ktest_fn_##s##_##n(struct ktest_ctx *t __attribute__((unused)))

#define KTEST(s, n) KTEST_FLAGS(s, n, 0)

bool ktest_check(struct ktest_ctx *t, bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* EXPECT records a failure and goes on; ASSERT also leaves the test. */
#define EXPECT(c) ktest_check(t, (c), __FILE__, __LINE__, "%s", #c)
#define EXPECT_EQ(a, b)                                                                            \
    ({                                                                                             \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                           \
        ktest_check(t, a_ == b_, __FILE__, __LINE__, "%s == %s (0x%lx != 0x%lx)", #a, #b, a_, b_); \
    })
#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!EXPECT(c))                                                                            \
            return;                                                                                \
    } while (0)
/* Leave the test, reported as skipped: for tests that need something this
 * boot does not have (say, a boot module). */
#define SKIP(why)                                                                                  \
    do {                                                                                           \
        t->skipped = true;                                                                         \
        snprintf(t->reason, sizeof(t->reason), "%s", why);                                         \
        return;                                                                                    \
    } while (0)
#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        if (!EXPECT_EQ(a, b))                                                                      \
            return;                                                                                \
    } while (0)

/* Run the tests matching `patterns` (comma-separated anchored globs such as
 * "*", "*split*" or "heap/kzalloc_zeroes"), then leave QEMU with the pass or
 * fail code.  Never returns. */
__attribute__((noreturn)) void ktest_run(const char *patterns);

/* Called on panic or kernel exception: reports the running test as failed
 * (when tests are running) and exits QEMU with KTEST_EXIT_PANIC if it has
 * an isa-debug-exit device; never returns. */
void ktest_on_panic(const char *what);

#endif
