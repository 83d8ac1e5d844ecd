/* serial.c - the COM1 UART (16550) at I/O port 0x3f8, polled. */
#include "arch.h"

#define COM1 0x3f8

void arch_serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts (yet) */
    outb(COM1 + 3, 0x80); /* DLAB on: next two bytes set the divisor */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8 bits, no parity, one stop bit */
    outb(COM1 + 2, 0xc7); /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

int arch_serial_getc(void)
{
    if (!(inb(COM1 + 5) & 0x01)) /* LSR: data ready? */
        return -1;
    return inb(COM1);
}

void arch_serial_putc(char c)
{
    /* Bounded wait: a missing UART must not hang the kernel. */
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        cpu_relax();
    outb(COM1, (uint8_t)c);
}
