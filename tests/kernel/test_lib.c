/* test_lib.c - formatting, strings and command-line parsing. */
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"

static bool formats(struct ktest_ctx *t, const char *want, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return ktest_check(t, !strcmp(buf, want), __FILE__, __LINE__, "'%s' gave '%s', want '%s'", fmt,
                       buf, want);
}

KTEST(lib, vsnprintf_formats)
{
    formats(t, "-42 42 ff FF", "%d %u %x %X", -42, 42u, 255u, 255u);
    formats(t, "00000000deadbeef", "%016lx", 0xdeadbeeful);
    formats(t, "-9223372036854775808", "%ld", (int64_t)(-9223372036854775807l - 1));
    formats(t, "[ab   ][   ab]", "[%-5s][%5s]", "ab", "ab");
    formats(t, "(null) % c", "%s %% %c", (char *)NULL, 'c');
    formats(t, "0x0000000000001000", "%p", (void *)0x1000);
    formats(t, "-0042", "%05d", -42);
    formats(t, "[abc][ab]", "[%.3s][%.*s]", "abcdef", 2, "abcdef");
}

KTEST(lib, vsnprintf_truncates)
{
    char buf[8];
    int n = snprintf(buf, sizeof(buf), "%s", "0123456789");
    EXPECT_EQ(n, 10);
    EXPECT(!strcmp(buf, "0123456"));
}

KTEST(lib, glob)
{
    EXPECT(glob_match("pmm/*", "pmm/split"));
    EXPECT(glob_match("*split", "pmm/split"));
    EXPECT(glob_match("p?m/s*t", "pmm/split"));
    EXPECT(!glob_match("heap/*", "pmm/split"));
    EXPECT(!glob_match("pmm", "pmm/split"));
}

KTEST(lib, cmdline_words)
{
    cmdline_parse("  loglevel=3 quiet test=a,b=c  x= ");
    EXPECT(!strcmp(cmdline_get("loglevel"), "3"));
    EXPECT(!strcmp(cmdline_get("quiet"), ""));
    EXPECT(!strcmp(cmdline_get("test"), "a,b=c")); /* only the first '=' splits */
    EXPECT(!strcmp(cmdline_get("x"), ""));
    EXPECT(cmdline_get("fork") == NULL);
    cmdline_parse(boot_info.cmdline); /* put the real one back */
}
