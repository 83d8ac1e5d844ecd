/* ramfs.h - the in-memory file system: a tree of directories and files whose
 * contents live in kernel memory.  The initrd is unpacked into it at boot.
 * Every function here must be called with fs_lock held (a mutex: file data
 * is copied to and from user memory under it, which may fault). */
#ifndef RAMFS_H
#define RAMFS_H

#include "lib/list.h"
#include "kernel/mutex.h"
#include "lib/types.h"

#define NAME_MAX      59
#define PATH_MAX      256
#define FILE_MAX_SIZE (4ul << 20) /* one heap block; EFBIG past that */

enum inode_type { INODE_FILE = 1, INODE_DIR = 2 };

/* All fields: [fs_lock]. */
struct inode {
    uint32_t ino;
    enum inode_type type;
    char name[NAME_MAX + 1];
    struct inode *parent;      /* NULL for the root and for unlinked inodes */
    struct list_head children; /* directories: entries, in creation order */
    struct list_head sibling;  /* link in the parent's children */
    char *data;                /* files: contents (kmalloc), size bytes used */
    uint64_t size, cap;
    int refs;       /* open files and working directories */
    uint32_t nlink; /* names in the tree; freed when it and refs are 0 */
    /* A hard link's name (link()): the file it names, whose contents, ino
     * and nlink are the ones that count; lookups return that inode, never
     * this one.  NULL for an inode that is its own (first) name. */
    struct inode *body;
};

extern struct mutex fs_lock;

struct inode *fs_root(void);
/* Paths follow POSIX, with Linux's error numbers (docs/processes.md, "Path
 * resolution"): "." and ".." move, a trailing "/" says "a directory", ""
 * names nothing (-ENOENT), a component longer than NAME_MAX is
 * -ENAMETOOLONG, a file on the way is -ENOTDIR. */
/* Resolve path (absolute, or relative to cwd).  0 or -ENOENT/-ENOTDIR/-ENAMETOOLONG. */
int fs_lookup(struct inode *cwd, const char *path, struct inode **out);
/* Create a file or directory; -EEXIST if it exists (".", ".." and "/"
 * always do), -ENOENT if the parent does not, -EISDIR for a file named
 * "name/", -ENOMEM. */
int fs_create(struct inode *cwd, const char *path, enum inode_type type, struct inode **out);
/* Remove a name: want INODE_FILE as unlink() (a directory is -EISDIR),
 * INODE_DIR as rmdir() (a file is -ENOTDIR, "." -EINVAL, ".." -ENOTEMPTY,
 * "/" -EBUSY), 0 either.  Directories must be empty (-ENOTEMPTY).  The
 * inode lives on while references remain. */
int fs_remove(struct inode *cwd, const char *path, enum inode_type want);
/* fs_remove(cwd, path, 0): a file or an empty directory (kernel callers). */
int fs_unlink(struct inode *cwd, const char *path);
/* A second name, newpath, for the file at oldpath: -EPERM for a
 * directory, -EEXIST if newpath exists, -ENOENT/-ENOTDIR as for lookups,
 * -ENOMEM. */
int fs_link(struct inode *cwd, const char *oldpath, const char *newpath);
/* st_nlink: a file's names; a directory's 2 + its subdirectories (its
 * name, its ".", their ".."), as on Linux; 0 once removed. */
uint32_t fs_nlink(struct inode *ip);
/* Read/write file bytes at off.  to_user/from_user: buf is a user pointer. */
ssize_t fs_read(struct inode *ip, uint64_t off, void *buf, size_t n, bool to_user);
ssize_t fs_write(struct inode *ip, uint64_t off, const void *buf, size_t n, bool from_user);
int fs_truncate(struct inode *ip, uint64_t size);
/* The index-th entry of dir, or NULL. */
struct inode *fs_dir_entry(struct inode *dir, uint64_t index);
/* Absolute path of ip into buf; -ERANGE if it does not fit, -ENOENT if ip
 * (or a directory above it) has been removed. */
int fs_path(struct inode *ip, char *buf, size_t size);
void inode_get(struct inode *ip);
void inode_put(struct inode *ip);

/* Unpack a cpio newc archive into the tree; number of files, or -EINVAL. */
int initrd_unpack(const void *archive, size_t size);

#endif
