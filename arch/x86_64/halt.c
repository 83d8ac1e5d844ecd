/* halt.c - stopping the machine: halt forever, or leave QEMU. */
#include "arch.h"
#include "x86.h"

void arch_halt_forever(void)
{
    for (;;) {
        irq_disable();
        cpu_halt();
    }
}

/* QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4) ends
 * the emulator with status (code << 1) | 1 when a value is written to it. */
void arch_qemu_exit(uint8_t code)
{
    outb(0xf4, code);
    arch_halt_forever();
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

/* Try, in order: ACPI soft-off at QEMU's PM1a control port (pc and q35),
 * isa-debug-exit if the test harness added it, a keyboard-controller reset
 * (QEMU with -no-reboot then exits), and halting. */
void arch_power_off(void)
{
    outw(0x604, 0x2000); /* PM1a_CNT: SLP_TYPa = 0, SLP_EN */
    outb(0xf4, 0);       /* isa-debug-exit */
    outb(0x64, 0xfe);    /* 8042: pulse the reset line */
    arch_halt_forever();
}
