/* printk.c - the kernel log: formats into a buffer and writes it to the
 * console under one lock, so lines from different CPUs do not interleave. */
#include "kernel/printk.h"
#include "arch.h"
#include "kernel/spinlock.h"

int log_threshold = LOG_INFO;

static struct spinlock console_lock = SPINLOCK_INIT("console");

/* The log buffer: the last LOG_BUF_SIZE bytes of what the kernel printed
 * (not what user programs wrote to the console), so that a debugger can
 * read it after the serial output scrolled away or was never captured
 * (gdb's cowl-dmesg, tools/gdb/cowl.py).  A ring: byte i of the log's
 * history is at log_buf[i % LOG_BUF_SIZE]; log_head counts every byte. */
char log_buf[LOG_BUF_SIZE];
uint64_t log_head; /* [console_lock] */

static void log_append(const char *s)
{
    for (; *s; s++)
        log_buf[log_head++ % LOG_BUF_SIZE] = *s;
}

static const char *const level_tag[] = {"error: ", "warning: ", "", "debug: "};

static void console_write(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            arch_serial_putc('\r');
        arch_serial_putc(*s);
    }
}

static int vprint(const char *prefix, const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    spin_lock(&console_lock);
    console_write(prefix);
    console_write(buf);
    log_append(prefix);
    log_append(buf);
    spin_unlock(&console_lock);
    return n;
}

void console_write_kernel(const char *s, size_t n)
{
    spin_lock(&console_lock);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            arch_serial_putc('\r');
        arch_serial_putc(s[i]);
    }
    spin_unlock(&console_lock);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprint("", fmt, ap);
    va_end(ap);
    return n;
}

int klog(int level, const char *fmt, ...)
{
    if (level > log_threshold)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vprint(level_tag[level], fmt, ap);
    va_end(ap);
    return n;
}

int console_held_here(void) { return spin_held(&console_lock); }

/* Used by panic(): the console lock may be held by the CPU that broke. */
void console_force_unlock(void)
{
    console_lock.owner = 0;
    console_lock.locked = 0;
}
