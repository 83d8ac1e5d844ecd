/* test_smp.c - the other CPUs: found in the MADT and started. */
#include "arch.h"
#include "kernel/cmdline.h"
#include "kernel/cpu.h"
#include "kernel/ktest.h"

KTEST(smp, every_cpu_comes_online)
{
    const char *want = cmdline_get("expect_cpus"); /* the runner's -smp */
    int found = arch_cpus_found(), online = arch_cpus_online();
    EXPECT_EQ(online, found);
    if (want)
        EXPECT_EQ(found, want[0] - '0');
    EXPECT_EQ(this_cpu()->id, 0);
}
