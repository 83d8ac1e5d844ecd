/* serial.c - the COM1 UART (16550) at I/O port 0x3f8.  Output is polled;
 * input raises IRQ 4 when the I/O APIC routes it (else the timer polls).
 *
 * The receive FIFO is left as the firmware left it: on QEMU, turning the
 * FIFO on resets it, and a script piped into QEMU would lose whatever had
 * already arrived.  Without a FIFO the UART holds one byte; QEMU hands over
 * the next one a few microseconds after we read it, so the reader waits a
 * moment for it (arch_serial_getc_wait). */
#include "arch.h"
#include "x86.h"

#define COM1           0x3f8
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

void arch_serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts (yet) */
    outb(COM1 + 3, 0x80); /* DLAB on: next two bytes set the divisor */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8 bits, no parity, one stop bit */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

void arch_serial_enable_irq(void)
{
    outb(COM1 + 4, 0x0b); /* DTR, RTS, and OUT2, which gates the IRQ line on PCs */
    outb(COM1 + 1, 0x01); /* interrupt when received data is available */
}

int arch_serial_getc(void)
{
    if (!(inb(COM1 + 5) & LSR_DATA_READY))
        return -1;
    return inb(COM1);
}

int arch_serial_getc_wait(unsigned spins)
{
    for (unsigned i = 0; i < spins; i++) {
        int c = arch_serial_getc();
        if (c >= 0)
            return c;
        cpu_relax();
    }
    return -1;
}

void arch_serial_putc(char c)
{
    /* Bounded wait: a missing UART must not hang the kernel. */
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); i++)
        cpu_relax();
    outb(COM1, (uint8_t)c);
}
