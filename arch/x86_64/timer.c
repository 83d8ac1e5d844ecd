/* timer.c - time on x86: the local APIC timer interrupts HZ times a second,
 * and the TSC gives fine-grained time.  Both run at rates we do not know in
 * advance, so we count them over 50 ms measured by the PIT (the legacy
 * 1.193182 MHz timer, whose rate is fixed). */
#include "arch.h"
#include "x86.h"
#include "kernel/printk.h"
#include "kernel/time.h"

#define PIT_HZ       1193182u
#define PIT_CH0      0x40
#define PIT_CMD      0x43
#define CALIBRATE_MS 50

#define LAPIC_ID         0x020
#define LAPIC_EOI        0x0b0
#define LAPIC_SVR        0x0f0
#define LAPIC_SVR_ENABLE 0x100 /* in LAPIC_SVR: the local APIC is on */
#define LAPIC_LVT_TIMER  0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0
#define LVT_PERIODIC     (1u << 17)
#define LVT_MASKED       (1u << 16)

uint64_t tsc_per_us;           /* TSC ticks per microsecond */
static uint32_t apic_per_tick; /* LAPIC timer counts per tick (same on every CPU) */
static volatile uint32_t *lapic;

uint32_t lapic_read(uint32_t reg) { return lapic[reg / 4]; }
void lapic_write(uint32_t reg, uint32_t v) { lapic[reg / 4] = v; }

/* Every CPU turns its own local APIC on (its spurious interrupts at VECTOR_SPURIOUS). */
void lapic_enable(void)
{
    lapic = phys_to_virt(rdmsr(MSR_APIC_BASE) & PAGE_MASK);
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VECTOR_SPURIOUS);
}

void arch_irq_eoi(void)
{
    if (!arch_paravirt()) /* the host's virtual interrupt needs no EOI */
        lapic_write(LAPIC_EOI, 0);
}

/* Under cowl's hypervisor: the host says the TSC's frequency and raises
 * the tick itself (paravirt.c). */
static void paravirt_timer_init(void)
{
    uint64_t khz = arch_paravirt_tsc_khz();
    tsc_per_us = khz >= 1000 ? khz / 1000 : 1000;
    long err = arch_paravirt_timer(1000000000ull / HZ, VECTOR_TIMER);
    pr_info("timer: under cowl's hypervisor: TSC %lu MHz, a %u ms tick by hypercall%s\n",
            tsc_per_us, 1000 / HZ, err ? " REFUSED" : "");
}

/* The 8259 PICs would deliver legacy IRQs on vectors that clash with CPU
 * exceptions: move them to 0xe0-0xef and mask every line. */
static void pic_disable(void)
{
    static const uint8_t init[][2] = {
        {0x20, 0x11}, {0xa0, 0x11}, /* ICW1: initialize, expect ICW4 */
        {0x21, 0xe0}, {0xa1, 0xe8}, /* ICW2: vector offsets */
        {0x21, 0x04}, {0xa1, 0x02}, /* ICW3: cascade on IRQ2 */
        {0x21, 0x01}, {0xa1, 0x01}, /* ICW4: 8086 mode */
        {0x21, 0xff}, {0xa1, 0xff}, /* mask all */
    };
    for (unsigned i = 0; i < sizeof(init) / sizeof(init[0]); i++)
        outb(init[i][0], init[i][1]);
}

/* PIT channel 0 counts down from 65535 at PIT_HZ and wraps; we read it with
 * the latch command (no speaker-gate port 0x61, which microvm lacks). */
static uint16_t pit_read(void)
{
    outb(PIT_CMD, 0x00); /* latch channel 0 */
    uint8_t lo = inb(PIT_CH0);
    return lo | (uint16_t)inb(PIT_CH0) << 8;
}

/* Wait `ms` milliseconds by the PIT; false if it does not count (no PIT). */
static bool pit_wait_ms(uint32_t ms)
{
    outb(PIT_CMD, 0x34); /* channel 0, lo/hi byte, mode 2, binary */
    outb(PIT_CH0, 0xff);
    outb(PIT_CH0, 0xff);
    uint64_t want = (uint64_t)PIT_HZ * ms / 1000, elapsed = 0;
    uint16_t last = pit_read();
    for (uint64_t spins = 0; elapsed < want; spins++) {
        uint16_t now = pit_read();
        elapsed += (uint16_t)(last - now); /* down-counter: wraps mod 65536 */
        last = now;
        if (spins > 1000000 && elapsed == 0)
            return false;
    }
    return true;
}

void arch_timer_init(void)
{
    if (arch_paravirt()) {
        paravirt_timer_init();
        return;
    }
    pic_disable();
    lapic = phys_to_virt(rdmsr(MSR_APIC_BASE) & PAGE_MASK);
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VECTOR_SPURIOUS);
    lapic_write(LAPIC_TIMER_DIV, 0x3);    /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);

    lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
    uint64_t tsc0 = rdtsc();
    bool have_pit = pit_wait_ms(CALIBRATE_MS);
    uint64_t tsc1 = rdtsc();
    uint32_t lapic_ticks = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);

    tsc_per_us = (tsc1 - tsc0) / (CALIBRATE_MS * 1000);
    uint32_t per_tick = lapic_ticks / CALIBRATE_MS * 1000 / HZ;
    if (!have_pit || tsc_per_us < 100 || per_tick < 1000) {
        /* No usable PIT: guess rather than storm the CPU with interrupts. */
        pr_warn("timer: calibration failed (PIT %s); assuming a 1 GHz TSC\n",
                have_pit ? "too coarse" : "absent");
        tsc_per_us = 1000;
        per_tick = 1000000;
    }
    apic_per_tick = per_tick ? per_tick : 1;
    arch_timer_start_this();
    pr_info("timer: TSC %lu MHz, APIC timer %u counts per %u ms tick\n", tsc_per_us, per_tick,
            1000 / HZ);
}

/* QEMU gives every CPU's LAPIC timer the same clock, so the calibration
 * the BSP did holds for the APs too. */
void arch_timer_start_this(void)
{
    if (arch_paravirt())
        return; /* one vCPU, whose tick the host raises */
    lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VECTOR_TIMER);
    lapic_write(LAPIC_TIMER_INIT, apic_per_tick);
}

uint64_t time_now_us(void) { return rdtsc() / tsc_per_us; }
uint64_t time_now_ns(void) { return rdtsc() * 1000 / tsc_per_us; }
