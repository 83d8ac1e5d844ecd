/* pipe.c - pipes: a ring buffer, a lock and one wait queue.
 * Data is copied to and from user memory outside the lock, through a small
 * bounce buffer, because user copies may fault (and a fault may sleep). */
#include "fs/pipe.h"
#include "kernel/process.h"
#include "kernel/spinlock.h"
#include "kernel/usercopy.h"
#include "kernel/waitq.h"
#include "mm/heap.h"

#define PIPE_SIZE 4096
#define CHUNK     512

struct pipe {
    struct spinlock lock;
    struct waitq changed;          /* readers and writers wait here */
    char buf[PIPE_SIZE];           /* [lock] ring */
    uint64_t head, tail;           /* [lock] bytes read, bytes written (tail - head = used) */
    bool reader_open, writer_open; /* [lock] */
};

struct pipe *pipe_alloc(void)
{
    struct pipe *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->lock = (struct spinlock)SPINLOCK_INIT("pipe");
    waitq_init(&p->changed);
    p->reader_open = p->writer_open = true;
    return p;
}

void pipe_close(struct pipe *p, bool writer)
{
    spin_lock(&p->lock);
    if (writer)
        p->writer_open = false;
    else
        p->reader_open = false;
    bool last = !p->reader_open && !p->writer_open;
    wake_all(&p->changed);
    spin_unlock(&p->lock);
    if (last)
        kfree(p);
}

ssize_t pipe_read(struct pipe *p, void *ubuf, size_t n, bool nonblock)
{
    char tmp[CHUNK];
    n = MIN(n, sizeof(tmp));
    spin_lock(&p->lock);
    while (p->head == p->tail && p->writer_open) {
        if (current_thread()->killed || nonblock) {
            spin_unlock(&p->lock);
            return nonblock ? -EAGAIN : -EINTR;
        }
        sleep_on_killable(&p->changed, &p->lock);
    }
    size_t got = 0;
    for (; got < n && p->head != p->tail; got++)
        tmp[got] = p->buf[p->head++ % PIPE_SIZE];
    wake_all(&p->changed);
    spin_unlock(&p->lock);
    if (got && copy_to_user(ubuf, tmp, got))
        return -EFAULT; /* the bytes are gone, as on a real pipe with a bad buffer */
    return got;
}

ssize_t pipe_write(struct pipe *p, const void *ubuf, size_t n, bool nonblock)
{
    const char *src = ubuf;
    size_t done = 0;
    while (done < n) {
        char tmp[CHUNK];
        size_t chunk = MIN(n - done, sizeof(tmp));
        if (copy_from_user(tmp, src + done, chunk))
            return done ? (ssize_t)done : -EFAULT;
        spin_lock(&p->lock);
        for (size_t i = 0; i < chunk;) {
            if (!p->reader_open) {
                spin_unlock(&p->lock);
                if (done + i)
                    return done + i;
                signal_raise(SIGPIPE); /* kills, unless caught or ignored: then EPIPE */
                return -EPIPE;
            }
            if (p->tail - p->head == PIPE_SIZE) {
                if (current_thread()->killed || nonblock) {
                    spin_unlock(&p->lock);
                    if (done + i)
                        return done + i;
                    return nonblock ? -EAGAIN : -EINTR;
                }
                wake_all(&p->changed);
                sleep_on_killable(&p->changed, &p->lock);
                continue;
            }
            p->buf[p->tail++ % PIPE_SIZE] = tmp[i++];
        }
        wake_all(&p->changed);
        spin_unlock(&p->lock);
        done += chunk;
    }
    return done;
}
