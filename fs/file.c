/* file.c - struct file: reference counting and read/write dispatch. */
#include "fs/console.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "mm/heap.h"

struct file *file_alloc(enum file_kind kind, int flags)
{
    struct file *f = kzalloc(sizeof(*f));
    if (f) {
        f->kind = kind;
        f->flags = flags;
        f->refs = 1;
    }
    return f;
}

void file_get(struct file *f) { __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED); }

void file_put(struct file *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
        return;
    if (f->kind == FILE_INODE && f->inode) { /* no inode: open() failed before attaching one */
        mutex_lock(&fs_lock);
        inode_put(f->inode);
        mutex_unlock(&fs_lock);
    } else if (f->kind == FILE_PIPE && f->pipe) {
        pipe_close(f->pipe, f->pipe_writer);
    } else if (f->kind == FILE_OBJECT && f->object) {
        f->object_type->release(f->object);
    }
    kfree(f);
}

static bool can_read(const struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static bool can_write(const struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

ssize_t file_read(struct file *f, void *buf, size_t n)
{
    if (!can_read(f))
        return -EBADF;
    switch (f->kind) {
    case FILE_CONSOLE:
        return console_read(buf, n);
    case FILE_OBJECT: /* a VM or vCPU: its own system calls, not read/write */
        return -EINVAL;
    case FILE_PIPE:
        return pipe_read(f->pipe, buf, n, f->flags & O_NONBLOCK);
    case FILE_INODE: {
        mutex_lock(&fs_lock);
        ssize_t r = fs_read(f->inode, f->offset, buf, n, true);
        if (r > 0)
            f->offset += r;
        mutex_unlock(&fs_lock);
        return r;
    }
    }
    return -EBADF;
}

ssize_t file_write(struct file *f, const void *buf, size_t n)
{
    if (!can_write(f))
        return -EBADF;
    switch (f->kind) {
    case FILE_CONSOLE:
        return console_write(buf, n);
    case FILE_OBJECT:
        return -EINVAL;
    case FILE_PIPE:
        return pipe_write(f->pipe, buf, n, f->flags & O_NONBLOCK);
    case FILE_INODE: {
        mutex_lock(&fs_lock);
        if (f->flags & O_APPEND)
            f->offset = f->inode->size;
        ssize_t r = fs_write(f->inode, f->offset, buf, n, true);
        if (r > 0)
            f->offset += r;
        mutex_unlock(&fs_lock);
        return r;
    }
    }
    return -EBADF;
}
