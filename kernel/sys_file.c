/* sys_file.c - system calls on files, descriptors and directories.
 * Every path and buffer comes from user space: copied in with checks, and a
 * call that fails changes nothing. */
#include "kernel/file.h"
#include "kernel/pipe.h"
#include "kernel/proc.h"
#include "kernel/ramfs.h"
#include "kernel/stat.h"
#include "kernel/string.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

static struct file *fd_file(int fd)
{
    if (fd < 0 || fd >= NFILES)
        return NULL;
    return current_proc()->files[fd];
}

/* The lowest free descriptor >= from, or -EMFILE. */
static int fd_free(int from)
{
    for (int fd = from; fd < NFILES; fd++)
        if (!current_proc()->files[fd])
            return fd;
    return -EMFILE;
}

static int copy_path(const char *upath, char *path)
{
    ssize_t n = strncpy_from_user(path, upath, PATH_MAX);
    return n < 0 ? (int)n : n == 0 ? -ENOENT : 0;
}

static struct inode *cwd(void) { return current_proc()->cwd; }

int64_t sys_read(int fd, void *buf, size_t n)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (!user_range_ok((uint64_t)buf, n))
        return -EFAULT;
    return file_read(f, buf, n);
}

int64_t sys_write(int fd, const void *buf, size_t n)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (!user_range_ok((uint64_t)buf, n))
        return -EFAULT;
    return file_write(f, buf, n);
}

/* Find or create the inode for open(); fs_lock held. */
static int open_inode(const char *path, int flags, struct inode **ip)
{
    int err = fs_lookup(cwd(), path, ip);
    if (err == -ENOENT && (flags & O_CREAT))
        return fs_create(cwd(), path, INODE_FILE, ip);
    if (!err && (flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    if (!err && (*ip)->type == INODE_DIR && (flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    if (!err && (flags & O_DIRECTORY) && (*ip)->type != INODE_DIR)
        return -ENOTDIR;
    return err;
}

int64_t sys_open(const char *upath, int flags, int mode)
{
    (void)mode; /* no permissions in cowl */
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    int fd = fd_free(0);
    if (fd < 0)
        return fd;
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
    if (err) {
        file_put(f);
        return err;
    }
    current_proc()->files[fd] = f;
    return fd;
}

int64_t sys_close(int fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    current_proc()->files[fd] = NULL;
    file_put(f);
    return 0;
}

static void fill_stat(struct inode *ip, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = ip->ino;
    st->st_mode = ip->type == INODE_DIR ? S_IFDIR | 0755 : S_IFREG | 0644;
    st->st_nlink = 1;
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

int64_t sys_fstat(int fd, struct stat *ust)
{
    struct file *f = fd_file(fd);
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
    return copy_to_user(ust, &st, sizeof(st));
}

int64_t sys_lseek(int fd, int64_t off, int whence)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (f->kind != FILE_INODE)
        return -ESPIPE;
    mutex_lock(&fs_lock);
    int64_t base = whence == SEEK_SET   ? 0
                   : whence == SEEK_CUR ? (int64_t)f->offset
                   : whence == SEEK_END ? (int64_t)f->inode->size
                                        : -1;
    int64_t to = base + off;
    bool ok = base >= 0 && to >= 0;
    if (ok)
        f->offset = to;
    mutex_unlock(&fs_lock);
    return ok ? to : -EINVAL;
}

int64_t sys_pipe(int *ufds)
{
    if (!user_range_ok((uint64_t)ufds, 2 * sizeof(int)))
        return -EFAULT;
    int rfd = fd_free(0), wfd = rfd < 0 ? rfd : fd_free(rfd + 1);
    if (rfd < 0 || wfd < 0)
        return -EMFILE;
    struct pipe *p = pipe_alloc();
    struct file *r = file_alloc(FILE_PIPE, O_RDONLY), *w = file_alloc(FILE_PIPE, O_WRONLY);
    int fds[2] = {rfd, wfd};
    if (!p || !r || !w || copy_to_user(ufds, fds, sizeof(fds))) {
        int err = !p || !r || !w ? -ENOMEM : -EFAULT;
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
    current_proc()->files[rfd] = r;
    current_proc()->files[wfd] = w;
    return 0;
}

int64_t sys_dup(int fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    int to = fd_free(0);
    if (to < 0)
        return to;
    file_get(f);
    current_proc()->files[to] = f;
    return to;
}

int64_t sys_dup2(int fd, int to)
{
    struct file *f = fd_file(fd);
    if (!f || to < 0 || to >= NFILES)
        return -EBADF;
    if (fd == to)
        return to;
    struct file *old = current_proc()->files[to];
    file_get(f);
    current_proc()->files[to] = f;
    if (old)
        file_put(old);
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
        inode_put(current_proc()->cwd);
        current_proc()->cwd = ip;
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

int64_t sys_unlink(const char *upath)
{
    char path[PATH_MAX];
    int err = copy_path(upath, path);
    if (err)
        return err;
    mutex_lock(&fs_lock);
    err = fs_unlink(cwd(), path);
    mutex_unlock(&fs_lock);
    return err;
}

/* Directory entries from f->offset (an entry index) into buf. */
int64_t sys_getdents64(int fd, void *ubuf, size_t size)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (f->kind != FILE_INODE || f->inode->type != INODE_DIR)
        return -ENOTDIR;
    if (!user_range_ok((uint64_t)ubuf, size))
        return -EFAULT;
    char rec[sizeof(struct dirent64) + NAME_MAX + 8];
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
