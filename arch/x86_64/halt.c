/* halt.c - stopping the machine: halt forever, or leave QEMU. */
#include "arch.h"

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
