/* console.h - the serial console as a file: what read() and write() on
 * descriptors 0-2 reach, and the input side the interrupts feed. */
#ifndef FS_CONSOLE_H
#define FS_CONSOLE_H

#include "lib/types.h"

/* buf is a user pointer. */
ssize_t console_read(void *ubuf, size_t n);
ssize_t console_write(const void *ubuf, size_t n);
void console_poll_input(void); /* serial IRQ and timer tick: drain the UART */
/* ioctl on the console: TIOCGPGRP, TIOCSPGRP (uapi/ioctl.h); arg is a
 * user pointer.  -ENOTTY for any other request. */
int64_t console_ioctl(unsigned long cmd, uint64_t arg);
/* Take console input by interrupt where an I/O APIC can route it. */
void console_irq_init(void);

#endif
