/* gdt.c - segments and the TSS.  In long mode segments matter only for the
 * privilege level and for the TSS, whose IST stacks give the double-fault
 * and NMI handlers a known-good stack even when the kernel stack is broken.
 *
 *   0x00 null   0x08 kernel code   0x10 kernel data
 *   0x18 user code (32-bit, unused) 0x20 user data  0x28 user code (64-bit)
 *   0x30 TSS (two slots)
 * The user selectors are in the order SYSRET needs (STAR[63:48] = 0x18). */
#include "gdt.h"
#include "arch.h"
#include "kernel/cpu.h"
#include "lib/string.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} __attribute__((packed));

/* One of each per CPU: a TSS is marked busy when loaded, so CPUs cannot
 * share one, and each needs its own IST stacks. */
static uint64_t gdts[MAX_CPUS][8];
static struct tss tsss[MAX_CPUS];
__attribute__((aligned(16))) static char ist_stacks[MAX_CPUS][IST_COUNT][8192];

static uint64_t segment(uint32_t access, uint32_t flags)
{
    /* base 0, limit 0xfffff: ignored in long mode except for data */
    return 0xfffful | ((uint64_t)access << 40) | (0xful << 48) | ((uint64_t)flags << 52);
}

static void set_tss_descriptor(uint64_t *gdt, const struct tss *tss, int slot)
{
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
    gdt[slot] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) |
                (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[slot + 1] = base >> 32;
}

void gdt_init(int cpu)
{
    uint64_t *gdt = gdts[cpu];
    struct tss *tss = &tsss[cpu];
    gdt[0] = 0;
    gdt[1] = segment(0x9a, 0x2); /* present, ring 0, code, L=1 */
    gdt[2] = segment(0x92, 0xc); /* present, ring 0, data */
    gdt[3] = segment(0xfa, 0xc); /* ring 3, 32-bit code */
    gdt[4] = segment(0xf2, 0xc); /* ring 3, data */
    gdt[5] = segment(0xfa, 0x2); /* ring 3, 64-bit code */
    memset(tss, 0, sizeof(*tss));
    for (int i = 0; i < IST_COUNT; i++)
        tss->ist[i] = (uint64_t)ist_stacks[cpu][i] + sizeof(ist_stacks[cpu][i]);
    tss->iomap_base = sizeof(*tss); /* no I/O permission bitmap */
    set_tss_descriptor(gdt, tss, 6);
    gdt_load(gdt, sizeof(gdts[cpu]), SEL_TSS);
}

void tss_set_kernel_stack(uint64_t rsp0) { tsss[this_cpu()->id].rsp[0] = rsp0; }
