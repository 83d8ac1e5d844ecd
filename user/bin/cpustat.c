/* cpustat - per-CPU counters from the kernel (SYS_cowl_cpustat): context
 * switches, timer ticks, TLB shootdowns asked for, TLB IPIs sent and
 * served, local flushes (and how many were whole-TLB), serial interrupts. */
#include <cowl.h>
#include <stdio.h>

int main(void)
{
    struct cpu_stats st[8];
    int n = cowl_cpustat(st, 8);
    if (n < 0) {
        printf("cpustat: cannot read the counters\n");
        return 1;
    }
    printf("CPU SWITCHES    TICKS SHOOTDOWNS IPIS_SENT IPIS_RECV  FLUSHES     FULL SERIAL\n");
    for (int i = 0; i < n && i < 8; i++)
        printf("%3d %8lu %8lu %10lu %9lu %9lu %8lu %8lu %6lu\n", i, (unsigned long)st[i].switches,
               (unsigned long)st[i].ticks, (unsigned long)st[i].tlb_shootdowns,
               (unsigned long)st[i].tlb_ipis_sent, (unsigned long)st[i].tlb_ipis_received,
               (unsigned long)st[i].tlb_flushes, (unsigned long)st[i].tlb_full_flushes,
               (unsigned long)st[i].serial_irqs);
    return 0;
}
