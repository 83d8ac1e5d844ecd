/* panic.c - stopping the machine when an invariant breaks. */
#include "arch.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"

void console_force_unlock(void);

static volatile int panicking;

void panic(const char *fmt, ...)
{
    irq_disable();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
        arch_halt_forever(); /* a panic inside panic: stay quiet */
    console_force_unlock();
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("\n*** kernel panic: %s\n", buf);
    arch_backtrace(0, read_rbp(), 0);
    ktest_on_panic("kernel panic");
    arch_halt_forever();
}
