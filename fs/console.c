/* console.c - the serial console as a file: output goes straight to the
 * UART; input is edited a line at a time (echo, backspace, Ctrl-D for end
 * of file) and handed to readers when the line is complete.
 *
 *   buf:  [ read ... | committed, not yet read ... | being edited ... ]
 *          ^head       ^                             ^commit          ^tail
 *
 * Echo: what arrives while a reader waits for it (someone typing at the
 * prompt) is echoed at once; what arrives before anyone asked for it (a
 * script piped in) is echoed when it is read, so the console shows each
 * command after the prompt that asked for it. */
#include "fs/console.h"
#include "fs/file.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/usercopy.h"
#include "kernel/waitq.h"

#define INPUT_SIZE 1024

static struct spinlock input_lock = SPINLOCK_INIT("console_input");
static struct waitq input_ready = WAITQ_INIT(input_ready);
static char buf[INPUT_SIZE];        /* [input_lock] */
static uint64_t head, commit, tail; /* [input_lock] */
static int eofs;                    /* [input_lock] Ctrl-Ds at the start of a line */
static uint64_t echoed;             /* [input_lock] bytes before this were echoed */
static int readers_waiting;         /* [input_lock] readers asleep for input */

static void echo(const char *s, size_t n) { console_write_kernel(s, n); }

/* One input byte, input_lock held. */
static void input_char(char c)
{
    if (c == '\r')
        c = '\n';
    if (c == 0x7f || c == '\b') { /* backspace: only within the line being edited */
        if (tail > commit) {
            tail--;
            if (echoed > tail) {
                echoed = tail;
                echo("\b \b", 3);
            }
        }
        return;
    }
    if (c == 0x04) { /* Ctrl-D */
        if (tail == commit)
            eofs++;
        commit = tail;
        wake_all(&input_ready);
        return;
    }
    if (tail - head == INPUT_SIZE)
        return; /* full: drop, like a terminal with no room */
    buf[tail++ % INPUT_SIZE] = c;
    if (readers_waiting && head == commit && echoed == tail - 1) { /* someone typing */
        echo(&c, 1);
        echoed = tail;
    }
    if (c == '\n') {
        commit = tail;
        wake_all(&input_ready);
    }
}

/* With the I/O APIC routing COM1's IRQ, a typed byte is read at once
 * rather than at the next tick (10 ms).  The tick still polls: the IRQ is
 * edge-triggered, and a burst larger than one drain could leave the line
 * high with no new edge to tell us. */
void console_irq_init(void)
{
    if (arch_ioapic_route(4, VECTOR_SERIAL))
        arch_serial_enable_irq();
    else
        pr_info("console: no I/O APIC; input is polled every tick\n");
}

/* From the serial IRQ and the timer tick.  Once one byte is there, more
 * usually follow (a paste, a piped script): keep taking them while they
 * come quickly. */
void console_poll_input(void)
{
    int c = arch_serial_getc();
    if (c < 0)
        return;
    spin_lock(&input_lock);
    for (int n = 0; c >= 0 && n < INPUT_SIZE / 2; n++) {
        input_char((char)c);
        c = arch_serial_getc_wait(20000);
    }
    spin_unlock(&input_lock);
}

ssize_t console_read(void *ubuf, size_t n)
{
    char tmp[256];
    n = MIN(n, sizeof(tmp));
    spin_lock(&input_lock);
    while (head == commit && eofs == 0) {
        if (current_thread()->killed) {
            spin_unlock(&input_lock);
            return -EINTR;
        }
        readers_waiting++;
        sleep_on_killable(&input_ready, &input_lock);
        readers_waiting--;
    }
    size_t got = 0;
    while (got < n && head < commit) {
        char c = buf[head++ % INPUT_SIZE];
        tmp[got++] = c;
        if (c == '\n')
            break; /* one line per read, as a terminal does */
    }
    if (got == 0 && eofs > 0)
        eofs--;             /* this read returns 0: end of file */
    while (echoed < head) { /* echo what arrived while the reader was busy, as it is read */
        char c = buf[echoed++ % INPUT_SIZE];
        echo(&c, 1);
    }
    spin_unlock(&input_lock);
    return copy_to_user(ubuf, tmp, got) ? -EFAULT : (ssize_t)got;
}

ssize_t console_write(const void *ubuf, size_t n)
{
    char tmp[256];
    size_t done = 0;
    while (done < n) {
        size_t chunk = MIN(n - done, sizeof(tmp));
        if (copy_from_user(tmp, (const char *)ubuf + done, chunk))
            return done ? (ssize_t)done : -EFAULT;
        console_write_kernel(tmp, chunk);
        done += chunk;
    }
    return done;
}
