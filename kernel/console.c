/* console.c - the serial console as a file: output goes straight to the
 * UART; input is edited a line at a time (echo, backspace, Ctrl-D for end
 * of file) and handed to readers when the line is complete.
 *
 *   buf:  [ read ... | committed, not yet read ... | being edited ... ]
 *          ^head       ^                             ^commit          ^tail
 */
#include "kernel/file.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/usercopy.h"
#include "kernel/waitq.h"

#define INPUT_SIZE 1024

static struct spinlock input_lock = SPINLOCK_INIT("console_input");
static struct waitq input_ready = WAITQ_INIT(input_ready);
static char buf[INPUT_SIZE];        /* [input_lock] */
static uint64_t head, commit, tail; /* [input_lock] */
static int eofs;                    /* [input_lock] Ctrl-Ds at the start of a line */

static void echo(const char *s, size_t n) { console_write_kernel(s, n); }

/* One input byte, input_lock held. */
static void input_char(char c)
{
    if (c == '\r')
        c = '\n';
    if (c == 0x7f || c == '\b') { /* backspace: only within the line being edited */
        if (tail > commit) {
            tail--;
            echo("\b \b", 3);
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
    echo(&c, 1);
    if (c == '\n') {
        commit = tail;
        wake_all(&input_ready);
    }
}

void console_poll_input(void)
{
    spin_lock(&input_lock);
    for (int c; (c = arch_serial_getc()) >= 0;)
        input_char((char)c);
    spin_unlock(&input_lock);
}

ssize_t console_read(void *ubuf, size_t n)
{
    char tmp[256];
    n = MIN(n, sizeof(tmp));
    spin_lock(&input_lock);
    while (head == commit && eofs == 0) {
        if (current_proc()->killed) {
            spin_unlock(&input_lock);
            return -EINTR;
        }
        sleep_on(&input_ready, &input_lock);
    }
    size_t got = 0;
    while (got < n && head < commit) {
        char c = buf[head++ % INPUT_SIZE];
        tmp[got++] = c;
        if (c == '\n')
            break; /* one line per read, as a terminal does */
    }
    if (got == 0 && eofs > 0)
        eofs--; /* this read returns 0: end of file */
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
