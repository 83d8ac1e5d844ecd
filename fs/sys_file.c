/* sys_file.c - system calls on files, descriptors and directories.
 * Every path and buffer comes from user space: copied in with checks, and a
 * call that fails changes nothing. */
#include "fs/console.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "kernel/process.h"
#include "fs/ramfs.h"
#include "uapi/access.h"
#include "uapi/dirent.h"
#include "uapi/fcntl.h"
#include "uapi/seek.h"
#include "uapi/stat.h"
#include "lib/string.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"


/* The descriptor table belongs to the process and all its threads use it
 * at once: every change and every lookup takes
 * its fd_lock, and a lookup returns a reference of its own, so a close()
 * in another thread cannot free the file under a read() in this one. */
static struct process *fd_owner(void) { return current_process(); }

/* The file behind fd with a reference for the caller (file_put), or NULL. */
static struct file *fd_get(int fd)
{
    if (fd < 0 || fd >= NFILES)
        return NULL;
    struct process *g = fd_owner();
    spin_lock(&g->fd_lock);
    struct file *f = g->files[fd];
    if (f == FD_RESERVED)
        f = NULL;
    if (f)
        file_get(f);
    spin_unlock(&g->fd_lock);
    return f;
}

/* Put f (the caller's reference) at the lowest free descriptor >= from:
 * that descriptor, or -EMFILE with the reference still the caller's. */
static int fd_install(int from, struct file *f)
{
    struct process *g = fd_owner();
    int fd = -EMFILE;
    spin_lock(&g->fd_lock);
    for (int i = from; i < NFILES && fd < 0; i++)
        if (!g->files[i])
            fd = i;
    if (fd >= 0)
        g->files[fd] = f;
    spin_unlock(&g->fd_lock);
    return fd;
}

/* Put f (the caller's reference) at descriptor fd, or clear it (f NULL);
 * returns what was there, whose reference the caller now owns.  A reserved
 * descriptor (FD_RESERVED) is not ours to change: it stays, and that is
 * what is returned. */
static struct file *fd_replace(int fd, struct file *f)
{
    struct process *g = fd_owner();
    spin_lock(&g->fd_lock);
    struct file *old = g->files[fd];
    if (old != FD_RESERVED)
        g->files[fd] = f;
    spin_unlock(&g->fd_lock);
    return old;
}

/* Fill a descriptor this thread reserved with fd_install(.., FD_RESERVED):
 * with f (the caller's reference), or NULL to give the number back.
 * Nobody else changes a reserved slot, so this cannot race. */
static void fd_settle(int fd, struct file *f)
{
    if (fd < 0)
        return;
    struct process *g = fd_owner();
    spin_lock(&g->fd_lock);
    g->files[fd] = f;
    spin_unlock(&g->fd_lock);
}

int fd_open_object(void *object, const struct file_object_type *type)
{
    struct file *f = file_alloc(FILE_OBJECT, O_RDWR);
    if (!f)
        return -ENOMEM;
    f->object = object;
    f->object_type = type;
    int fd = fd_install(0, f);
    if (fd < 0) {
        f->object = NULL; /* its reference stays the caller's */
        file_put(f);
    }
    return fd;
}

void *fd_get_object(int fd, const struct file_object_type *type, struct file **fp)
{
    struct file *f = fd_get(fd);
    if (f && f->kind == FILE_OBJECT && f->object_type == type) {
        *fp = f;
        return f->object;
    }
    if (f)
        file_put(f);
    return NULL;
}

static int copy_path(const char *upath, char *path)
{
    ssize_t n = strncpy_from_user(path, upath, PATH_MAX);
    return n < 0 ? (int)n : n == 0 ? -ENOENT : 0;
}

static struct inode *cwd(void) { return current_process()->cwd; }

int64_t sys_read(int fd, void *buf, size_t n)
{
    if (!user_range_ok((uint64_t)buf, n))
        return -EFAULT;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    int64_t r = file_read(f, buf, n);
    file_put(f);
    return r;
}

int64_t sys_write(int fd, const void *buf, size_t n)
{
    if (!user_range_ok((uint64_t)buf, n))
        return -EFAULT;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    int64_t r = file_write(f, buf, n);
    file_put(f);
    return r;
}

/* ioctl: only the console's terminal requests (fs/console.c). */
int64_t sys_ioctl(int fd, unsigned long cmd, uint64_t arg)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    int64_t r = f->kind == FILE_CONSOLE ? console_ioctl(cmd, arg) : -ENOTTY;
    file_put(f);
    return r;
}

/* Find or create the inode for open(); fs_lock held.  With O_CREAT the
 * name is made if it is new; "name/" is -EISDIR (a file cannot be one),
 * and so is an existing directory unless O_EXCL says -EEXIST first. */
static int open_inode(const char *path, int flags, struct inode **ip)
{
    int err = -EEXIST;
    if (flags & O_CREAT) {
        err = fs_create(cwd(), path, INODE_FILE, ip);
        if (err != -EEXIST)
            return err; /* made, or it cannot be */
        if (flags & O_EXCL)
            return -EEXIST;
    }
    err = fs_lookup(cwd(), path, ip);
    if (err)
        return err;
    if ((*ip)->type == INODE_DIR && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT)))
        return -EISDIR;
    if ((flags & O_DIRECTORY) && (*ip)->type != INODE_DIR)
        return -ENOTDIR;
    return 0;
}

int64_t sys_open(const char *upath, int flags, int mode)
{
    (void)mode; /* no permissions in cowl */
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    struct file *f = file_alloc(FILE_INODE, flags);
    if (!f)
        return -ENOMEM;
    struct inode *ip;
    mutex_lock(&fs_lock);
    err = open_inode(path, flags, &ip);
    if (!err && (flags & O_TRUNC) && ip->type == INODE_FILE && (flags & O_ACCMODE) != O_RDONLY)
        err = fs_truncate(ip, 0);
    if (!err) {
        inode_get(ip);
        f->inode = ip;
    }
    mutex_unlock(&fs_lock);
    int fd = err ? err : fd_install(0, f);
    if (fd < 0)
        file_put(f);
    return fd;
}

int64_t sys_close(int fd)
{
    struct file *f = fd >= 0 && fd < NFILES ? fd_replace(fd, NULL) : NULL;
    if (!f || f == FD_RESERVED)
        return -EBADF;
    file_put(f);
    return 0;
}

/* cowl has no owners and no chmod: these bits are fixed by the type. */
static uint32_t inode_mode(struct inode *ip)
{
    return ip->type == INODE_DIR ? S_IFDIR | 0755 : S_IFREG | 0644;
}

static void fill_stat(struct inode *ip, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = ip->ino;
    st->st_mode = inode_mode(ip);
    st->st_nlink = fs_nlink(ip);
    st->st_size = ip->type == INODE_FILE ? ip->size : 0;
}

int64_t sys_stat(const char *upath, struct stat *ust)
{
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    struct stat st;
    struct inode *ip;
    mutex_lock(&fs_lock);
    err = fs_lookup(cwd(), path, &ip);
    if (!err)
        fill_stat(ip, &st);
    mutex_unlock(&fs_lock);
    return err ? err : copy_to_user(ust, &st, sizeof(st));
}

/* access(path, mode): does path exist (F_OK), and may we read, write or
 * execute (search, for a directory) it?  cowl has no users, so everyone is
 * the owner and the owner bits stat reports decide: directories 0755 pass
 * everything, files 0644 pass R_OK and W_OK but not X_OK (EACCES), as on
 * Linux for a file of that mode, even for root.  Bits other than R_OK,
 * W_OK, X_OK are EINVAL, checked first as Linux does. */
int64_t sys_access(const char *upath, int mode)
{
    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    struct inode *ip;
    mutex_lock(&fs_lock);
    err = fs_lookup(cwd(), path, &ip);
    uint32_t bits = err ? 0 : inode_mode(ip);
    mutex_unlock(&fs_lock);
    /* R_OK, W_OK, X_OK are 4, 2, 1: the owner's bits are 0400, 0200, 0100 */
    if (!err && (((unsigned)mode << 6) & ~bits))
        err = -EACCES;
    return err;
}

int64_t sys_fstat(int fd, struct stat *ust)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    struct stat st;
    if (f->kind == FILE_INODE) {
        mutex_lock(&fs_lock);
        fill_stat(f->inode, &st);
        mutex_unlock(&fs_lock);
    } else {
        memset(&st, 0, sizeof(st));
        st.st_mode = f->kind == FILE_PIPE ? S_IFIFO | 0600 : S_IFCHR | 0620;
    }
    file_put(f);
    return copy_to_user(ust, &st, sizeof(st));
}

static int64_t lseek_file(struct file *f, int64_t off, int whence)
{
    if (f->kind != FILE_INODE)
        return -ESPIPE;
    mutex_lock(&fs_lock);
    int64_t base = whence == SEEK_SET   ? 0
                   : whence == SEEK_CUR ? (int64_t)f->offset
                   : whence == SEEK_END ? (int64_t)f->inode->size
                                        : -1;
    int64_t to;
    /* An offset past INT64_MAX is as invalid as a negative one (Linux says
     * EINVAL too); the sum itself must not overflow: undefined behaviour. */
    bool ok = base >= 0 && !__builtin_add_overflow(base, off, &to) && to >= 0;
    if (ok)
        f->offset = to;
    mutex_unlock(&fs_lock);
    return ok ? to : -EINVAL;
}

int64_t sys_lseek(int fd, int64_t off, int whence)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    int64_t r = lseek_file(f, off, whence);
    file_put(f);
    return r;
}

/* pipe2(fds, flags): flags may hold O_NONBLOCK, which both ends share. */
int64_t sys_pipe2(int *ufds, int flags)
{
    if (flags & ~O_NONBLOCK)
        return -EINVAL;
    if (!user_range_ok((uint64_t)ufds, 2 * sizeof(int)))
        return -EFAULT;
    struct pipe *p = pipe_alloc();
    struct file *r = file_alloc(FILE_PIPE, O_RDONLY | flags);
    struct file *w = file_alloc(FILE_PIPE, O_WRONLY | flags);
    if (!p || !r || !w) {
        int err = -ENOMEM;
        if (p) { /* closing both ends frees it */
            pipe_close(p, false);
            pipe_close(p, true);
        }
        if (r) /* no pipe attached yet: file_put just frees it */
            file_put(r);
        if (w)
            file_put(w);
        return err;
    }
    r->pipe = w->pipe = p;
    w->pipe_writer = true;
    /* Reserve both numbers, tell the caller, and only then open them: until
     * then no other thread (a fork, a dup) can get hold of the pipe. */
    int fds[2] = {fd_install(0, FD_RESERVED), -1};
    if (fds[0] >= 0)
        fds[1] = fd_install(fds[0] + 1, FD_RESERVED);
    int err = fds[1] < 0 ? -EMFILE : copy_to_user(ufds, fds, sizeof(fds)) ? -EFAULT : 0;
    fd_settle(fds[0], err ? NULL : r);
    fd_settle(fds[1], err ? NULL : w);
    if (err) { /* closing both ends frees the pipe */
        file_put(r);
        file_put(w);
    }
    return err;
}

int64_t sys_pipe(int *ufds) { return sys_pipe2(ufds, 0); }

int64_t sys_dup(int fd)
{
    struct file *f = fd_get(fd); /* this reference goes into the table */
    if (!f)
        return -EBADF;
    int to = fd_install(0, f);
    if (to < 0)
        file_put(f);
    return to;
}

int64_t sys_dup2(int fd, int to)
{
    if (to < 0 || to >= NFILES)
        return -EBADF;
    struct file *f = fd_get(fd); /* this reference goes into the table */
    if (!f)
        return -EBADF;
    struct file *old = fd_replace(to, f);
    if (old == FD_RESERVED) { /* another thread's pipe() is filling it in */
        file_put(f);
        return -EBUSY;
    }
    if (old)
        file_put(old); /* fd == to: the one we put back holds it */
    return to;
}

int64_t sys_getcwd(char *ubuf, size_t size)
{
    char path[PATH_MAX];
    mutex_lock(&fs_lock);
    int err = fs_path(cwd(), path, sizeof(path));
    mutex_unlock(&fs_lock);
    if (err)
        return err;
    size_t len = strlen(path) + 1;
    if (len > size)
        return -ERANGE;
    return copy_to_user(ubuf, path, len) ? -EFAULT : (int64_t)len;
}

int64_t sys_chdir(const char *upath)
{
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    struct inode *ip;
    mutex_lock(&fs_lock);
    err = fs_lookup(cwd(), path, &ip);
    if (!err && ip->type != INODE_DIR)
        err = -ENOTDIR;
    if (!err) {
        inode_get(ip);
        inode_put(current_process()->cwd);
        current_process()->cwd = ip;
    }
    mutex_unlock(&fs_lock);
    return err;
}

int64_t sys_mkdir(const char *upath, int mode)
{
    (void)mode;
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    mutex_lock(&fs_lock);
    err = fs_create(cwd(), path, INODE_DIR, NULL);
    mutex_unlock(&fs_lock);
    return err;
}

/* unlink(path) removes the name of a file, rmdir(path) an empty
 * directory; neither takes the other kind (EISDIR, ENOTDIR). */
static int64_t remove_path(const char *upath, enum inode_type want)
{
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    mutex_lock(&fs_lock);
    err = fs_remove(cwd(), path, want);
    mutex_unlock(&fs_lock);
    return err;
}

int64_t sys_unlink(const char *upath) { return remove_path(upath, INODE_FILE); }

int64_t sys_rmdir(const char *upath) { return remove_path(upath, INODE_DIR); }

int64_t sys_link(const char *uold, const char *unew)
{
    char oldpath[PATH_MAX], newpath[PATH_MAX];
    int err = copy_path(uold, oldpath);
    if (!err)
        err = copy_path(unew, newpath);
    if (err)
        return err;
    mutex_lock(&fs_lock);
    err = fs_link(cwd(), oldpath, newpath);
    mutex_unlock(&fs_lock);
    return err;
}

/* Directory entries from f->offset (an entry index) into buf. */
static int64_t getdents_file(struct file *f, void *ubuf, size_t size)
{
    if (f->kind != FILE_INODE || f->inode->type != INODE_DIR)
        return -ENOTDIR;
    if (!user_range_ok((uint64_t)ubuf, size))
        return -EFAULT;
    /* Aligned for the struct written into it: a plain char array may sit
     * at any address (it did), and a misaligned struct dirent64 is
     * undefined behaviour (make SANITIZE=1 found it). */
    _Alignas(struct dirent64) char rec[sizeof(struct dirent64) + NAME_MAX + 8];
    size_t used = 0;
    int err = 0;
    mutex_lock(&fs_lock);
    for (struct inode *e; (e = fs_dir_entry(f->inode, f->offset)) != NULL; f->offset++) {
        struct dirent64 *d = (struct dirent64 *)rec;
        size_t len = ALIGN_UP(sizeof(*d) + strlen(e->name) + 1, 8);
        if (used + len > size) {
            err = used ? 0 : -EINVAL;
            break;
        }
        d->d_ino = e->ino;
        d->d_off = f->offset + 1;
        d->d_reclen = len;
        d->d_type = e->type == INODE_DIR ? DT_DIR : DT_REG;
        strlcpy(d->d_name, e->name, NAME_MAX + 1);
        if (copy_to_user((char *)ubuf + used, rec, len)) {
            err = -EFAULT;
            break;
        }
        used += len;
    }
    mutex_unlock(&fs_lock);
    return err ? err : (int64_t)used;
}

int64_t sys_getdents64(int fd, void *ubuf, size_t size)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    int64_t r = getdents_file(f, ubuf, size);
    file_put(f);
    return r;
}
