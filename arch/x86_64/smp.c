/* smp.c - finding the other CPUs (ACPI MADT) and starting them.
 *
 *   BSP                                   AP (starts in real mode)
 *   copy trampoline to 0x8000
 *   fill in cr3, stack, cpu, entry
 *   INIT IPI, wait 10 ms
 *   STARTUP IPI (vector 0x08) x 2  --->   0x8000: real -> protected -> long
 *   wait for cpu->online                   ap_main(cpu): kernel tables, GDT/TSS,
 *                                          IDT, LAPIC; online = 1; park
 *
 * Once up, an AP starts its local APIC timer and becomes a scheduler CPU:
 * its boot stack turns into the stack of its idle thread (sched_cpu_enter).
 * Other CPUs reach it with IPIs (arch_send_ipi): TLB shootdown
 * (mm/tlb.c) and "look at your run queue" (kernel/sched.c). */
#include "acpi.h"
#include "arch.h"
#include "kernel/boot_info.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "kernel/time.h"
#include "lapic.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "pte.h"

#define TRAMPOLINE_PA 0x8000
#define SIPI_VECTOR   (TRAMPOLINE_PA >> 12)

struct trampoline_params {
    uint64_t cr3, stack, cpu, entry;
};

extern const char trampoline_start[], trampoline_end[], trampoline_params[];

static struct cpu ap_cpus[MAX_CPUS];
static struct cpu *cpu_table[MAX_CPUS];
static int ncpus = 1; /* found in the MADT (at least the boot CPU) */

/* Page tables for the APs' way up: the kernel half, plus the first 2 MiB
 * identity-mapped.  Static, so below 4 GiB (cr3 is loaded in 32-bit mode). */
static pte_t ap_pml4[512] __attribute__((aligned(4096)));
static pte_t ap_pdpt[512] __attribute__((aligned(4096)));
static pte_t ap_pd[512] __attribute__((aligned(4096)));

/* Processor entries of the MADT (type 0), enabled ones only. */
static void find_cpus(void)
{
    cpu_table[0] = &boot_cpu;
    boot_cpu.online = 1;
    if (arch_paravirt())
        return; /* a guest of cowl: one vCPU and no local APIC */
    boot_cpu.apic_id = lapic_read(0x20) >> 24;
    const struct acpi_header *madt = acpi_find("APIC");
    if (!madt)
        return;
    const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8,
                  *end = (const uint8_t *)madt + madt->length;
    for (; p + 2 <= end && p[1] >= 2; p += p[1]) {
        if (p[0] != 0 || !(acpi_read32(p + 4) & 1) || p[3] == boot_cpu.apic_id)
            continue;
        if (ncpus == MAX_CPUS) {
            pr_warn("smp: more than %d CPUs, using %d\n", MAX_CPUS, MAX_CPUS);
            return;
        }
        struct cpu *c = &ap_cpus[ncpus];
        c->id = ncpus;
        c->apic_id = p[3];
        cpu_table[ncpus++] = c;
    }
}

static void udelay(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_per_us;
    while (rdtsc() < end)
        cpu_relax();
}

static void send_ipi(uint32_t apic_id, uint32_t icr)
{
    lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
    lapic_write(LAPIC_ICR_LOW, icr);
    for (int i = 0; i < 1000000 && (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING); i++)
        cpu_relax();
}

/* The C entry of every AP, on its own kernel stack. */
static __attribute__((noreturn)) void ap_main(struct cpu *c)
{
    arch_switch_address_space(kernel_pml4);
    arch_percpu_init(c, c->id);
    arch_cpu_init_this(c->id);
    lapic_enable();
    arch_timer_start_this();
    __atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
    sched_cpu_enter(c); /* never returns: this stack is now the idle thread's */
}

static bool start_ap(struct cpu *c)
{
    struct page *stack = pmm_alloc(KSTACK_ORDER, PAGE_KERNEL, 0);
    if (!stack)
        return false;
    struct trampoline_params *tp =
        phys_to_virt(TRAMPOLINE_PA + (trampoline_params - trampoline_start));
    tp->cr3 = virt_to_phys(ap_pml4);
    c->boot_stack = page_to_virt(stack);
    tp->stack = (uint64_t)c->boot_stack + (PAGE_SIZE << KSTACK_ORDER);
    tp->cpu = (uint64_t)c;
    tp->entry = (uint64_t)ap_main;
    send_ipi(c->apic_id, 0x4500); /* INIT, level assert */
    udelay(10000);
    for (int i = 0; i < 2 && !c->online; i++) {
        send_ipi(c->apic_id, 0x4600 | SIPI_VECTOR); /* STARTUP */
        udelay(200);
    }
    for (int i = 0; i < 1000 && !__atomic_load_n(&c->online, __ATOMIC_ACQUIRE); i++)
        udelay(100);
    return c->online;
}

int arch_smp_init(void)
{
    find_cpus();
    memcpy(phys_to_virt(TRAMPOLINE_PA), trampoline_start, trampoline_end - trampoline_start);
    for (int i = 256; i < 512; i++)
        ap_pml4[i] = kernel_pml4[i];
    ap_pml4[0] = virt_to_phys(ap_pdpt) | PTE_P | PTE_W;
    ap_pdpt[0] = virt_to_phys(ap_pd) | PTE_P | PTE_W;
    ap_pd[0] = 0 | PTE_P | PTE_W | PTE_PS; /* identity: the trampoline page */
    int online = 1;
    for (int i = 1; i < ncpus; i++) {
        if (start_ap(cpu_table[i]))
            online++;
        else
            pr_warn("smp: CPU %d (APIC %u) did not come up\n", i, cpu_table[i]->apic_id);
    }
    pr_info("smp: %d of %d CPUs online\n", online, ncpus);
    return online;
}

int arch_cpus_found(void) { return ncpus; }

struct cpu *arch_cpu(int id) { return id >= 0 && id < ncpus ? cpu_table[id] : NULL; }

void arch_send_ipi(int cpu, uint8_t vector)
{
    irq_push(); /* the two ICR writes must not be split by an IPI of our own */
    send_ipi(cpu_table[cpu]->apic_id, 0x4000 | vector); /* fixed, assert */
    irq_pop();
}

int arch_cpus_online(void)
{
    int n = 0;
    for (int i = 0; i < ncpus; i++)
        n += __atomic_load_n(&cpu_table[i]->online, __ATOMIC_ACQUIRE) != 0;
    return n;
}
