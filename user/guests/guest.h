/* guest.h - what a C guest has: the serial port, the hypercalls and the
 * RAM size (user/guests/README.md).  It runs in long mode on start.asm's
 * identity map, so a pointer is a guest-physical address. */
#ifndef GUEST_H
#define GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/vm.h" /* COWL_HC_*, COWL_VM_SERIAL_PORT: the monitor's numbers */

#define RAM_SIZE_ADDR  0x7000 /* the monitor writes the RAM size here */
#define SERIAL_DATA    COWL_VM_SERIAL_PORT
#define SERIAL_LSR     (COWL_VM_SERIAL_PORT + 5)
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY   0x20

/* What start.asm calls in long mode; the return value is the exit status. */
int guest_main(void);

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

/* VMMCALL (0f 01 d9): number in RAX, arguments in RBX, RCX, RDX, result in
 * RAX.  "memory": the monitor may read what we wrote before the call. */
static inline uint64_t hypercall(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t ret;
    __asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static inline size_t guest_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static inline void serial_putc(char c)
{
    while (!(inb(SERIAL_LSR) & LSR_TX_EMPTY))
        ;
    outb(SERIAL_DATA, (uint8_t)c);
}

static inline void serial_puts(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

/* The whole string in one exit, however long (COWL_HC_PRINT). */
static inline uint64_t hc_print(const char *s)
{
    return hypercall(COWL_HC_PRINT, (uint64_t)(uintptr_t)s, guest_strlen(s), 0);
}

static inline uint64_t guest_ram_size(void) { return *(volatile uint64_t *)RAM_SIZE_ADDR; }

/* Decimal digits of v into buf (at least 21 bytes), NUL-terminated;
 * returns buf.  There is no printf in a guest. */
static inline char *utoa(uint64_t v, char *buf)
{
    char tmp[21];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}

#endif
