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
 * command after the prompt that asked for it.
 *
 * Ctrl-C and Ctrl-backslash are not input: they throw away what has not
 * been read yet, echo as ^C and ^\, and send SIGINT or SIGQUIT to the
 * console's foreground process group (kernel/pgrp.c), as a Linux terminal
 * does. */
#include "fs/console.h"
#include "fs/file.h"
#include "kernel/pgrp.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/usercopy.h"
#include "kernel/waitq.h"
#include "uapi/ioctl.h"
#include "uapi/signal.h"

#define INPUT_SIZE 1024

static struct spinlock input_lock = SPINLOCK_INIT("console_input");
static struct waitq input_ready = WAITQ_INIT(input_ready);
static char buf[INPUT_SIZE];        /* [input_lock] */
static uint64_t head, commit, tail; /* [input_lock] */
static int eofs;                    /* [input_lock] Ctrl-Ds at the start of a line */
static uint64_t echoed;             /* [input_lock] bytes before this were echoed */
static int readers_waiting;         /* [input_lock] readers asleep for input */

static void echo(const char *s, size_t n) { console_write_kernel(s, n); }

/* The signal a typed byte stands for, or 0. */
static int signal_char(char c) { return c == 0x03 ? SIGINT : c == 0x1c ? SIGQUIT : 0; }

/* Ctrl-C or Ctrl-backslash: drop all unread input, the line being edited
 * too, so that what was typed ahead for the interrupted program does not
 * go to the next one.  input_lock held. */
static void flush_input(char c)
{
    head = commit = echoed = tail;
    eofs = 0;
    char shown[2] = {'^', (char)(c + '@')}; /* ^C, ^\ */
    echo(shown, 2);
}

/* One input byte, input_lock held.  Returns the signal it asks for (the
 * caller sends it once the lock is dropped), or 0. */
static int input_char(char c)
{
    int sig = signal_char(c);
    if (sig) {
        flush_input(c);
        return sig;
    }
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
        return 0;
    }
    if (c == 0x04) { /* Ctrl-D */
        if (tail == commit)
            eofs++;
        commit = tail;
        wake_all(&input_ready);
        return 0;
    }
    if (tail - head == INPUT_SIZE)
        return 0; /* full: drop, like a terminal with no room */
    buf[tail++ % INPUT_SIZE] = c;
    if (readers_waiting && head == commit && echoed == tail - 1) { /* someone typing */
        echo(&c, 1);
        echoed = tail;
    }
    if (c == '\n') {
        commit = tail;
        wake_all(&input_ready);
    }
    return 0;
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
 * come quickly.
 *
 * The signals of Ctrl-C and Ctrl-backslash are sent from here, in the
 * interrupt, after input_lock is dropped (so that lock never comes before
 * proc_table_lock).  That is safe because sending one takes only
 * spinlocks, proc_table_lock then sched_lock, and a spinlock turns
 * interrupts off while held: the code this interrupt stopped holds none
 * on this CPU, and a holder on another CPU lets go without waiting for
 * us.  Nothing on that path sleeps or allocates. */
void console_poll_input(void)
{
    int c = arch_serial_getc();
    if (c < 0)
        return;
    unsigned sigs = 0; /* bit n: signal n was typed */
    spin_lock(&input_lock);
    for (int n = 0; c >= 0 && n < INPUT_SIZE / 2; n++) {
        int sig = input_char((char)c);
        if (sig)
            sigs |= 1u << sig;
        c = arch_serial_getc_wait(20000);
    }
    spin_unlock(&input_lock);
    for (int sig = 1; sig < 32; sig++)
        if (sigs & (1u << sig))
            pgrp_console_signal(sig);
}

int64_t console_ioctl(unsigned long cmd, uint64_t arg)
{
    int pgid;
    switch (cmd) {
    case TIOCSPGRP:
        if (copy_from_user(&pgid, (const void *)arg, sizeof(pgid)))
            return -EFAULT;
        return pgrp_console_set_fg(pgid);
    case TIOCGPGRP:
        pgid = pgrp_console_get_fg();
        if (pgid < 0)
            return pgid;
        return copy_to_user((void *)arg, &pgid, sizeof(pgid));
    }
    return -ENOTTY;
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
