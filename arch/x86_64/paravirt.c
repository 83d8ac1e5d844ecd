/* paravirt.c - cowl as a guest of cowl's own hypervisor (docs/virt.md).
 * A guest cowl has no local APIC, PIT or ACPI tables: the hypervisor
 * emulates none of them.  It finds out where it runs from CPUID leaf
 * 0x40000000 (the convention KVM and Xen use for "you run under a
 * hypervisor"), then asks the host instead of the hardware:
 *  - the TSC's frequency, from CPUID 0x40000010 (EAX: kHz), instead of
 *    calibrating against the PIT;
 *  - its clock interrupt, from the hypercall COWL_HC_TIMER, instead of the
 *    local APIC timer; nothing needs an EOI.
 * One vCPU: no APs to start.
 * And one thing a guest asks only of cowl: COWL_HC_TEST_READY, the point
 * where a test server forks a booted guest once per test (kernel/ktest.c). */
#include "arch.h"
#include "uapi/vm.h"
#include "x86.h"

#define CPUID_HV_LEAF  0x40000000u
#define CPUID_HV_TIMING 0x40000010u
#define CPUID_HV_SIG    0x6c776f63u /* "cowl" */

static bool under_cowl;

void arch_paravirt_detect(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 31))) /* ECX.hypervisor */
        return;
    cpuid(CPUID_HV_LEAF, 0, r);
    under_cowl = r[1] == CPUID_HV_SIG && r[2] == CPUID_HV_SIG && r[3] == CPUID_HV_SIG &&
                 r[0] >= CPUID_HV_TIMING;
}

bool arch_paravirt(void) { return under_cowl; }

uint64_t arch_paravirt_tsc_khz(void)
{
    uint32_t r[4];
    cpuid(CPUID_HV_TIMING, 0, r);
    return r[0];
}

long arch_paravirt_timer(uint64_t period_ns, uint8_t vector)
{
    long ret;
    __asm__ volatile("vmmcall"
                     : "=a"(ret)
                     : "a"((uint64_t)COWL_HC_TIMER), "b"(period_ns), "c"((uint64_t)vector)
                     : "memory");
    return ret;
}

long arch_paravirt_test_ready(int ntests)
{
    long ret;
    if (!under_cowl)
        return -1;
    __asm__ volatile("vmmcall"
                     : "=a"(ret)
                     : "a"((uint64_t)COWL_HC_TEST_READY), "b"((uint64_t)ntests)
                     : "memory");
    return ret;
}
