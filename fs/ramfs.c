/* ramfs.c - directories, files and path lookup, all in memory. */
#include "fs/ramfs.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "kernel/usercopy.h"
#include "mm/heap.h"

struct mutex fs_lock = MUTEX_INIT(fs_lock, "fs");

static struct inode root = {
    .ino = 1,
    .type = INODE_DIR,
    .name = "",
    .children = LIST_HEAD_INIT(root.children),
    .refs = 1,
    .nlink = 1,
};
static uint32_t next_ino = 2;

struct inode *fs_root(void) { return &root; }

void inode_get(struct inode *ip) { ip->refs++; }

static void inode_free(struct inode *ip)
{
    kfree(ip->data);
    kfree(ip);
}

void inode_put(struct inode *ip)
{
    if (--ip->refs == 0 && ip->nlink == 0 && ip != &root)
        inode_free(ip);
}

static struct inode *child_named(struct inode *dir, const char *name, size_t len)
{
    for (struct list_head *l = dir->children.next; l != &dir->children; l = l->next) {
        struct inode *c = container_of(l, struct inode, sibling);
        if (strlen(c->name) == len && !strncmp(c->name, name, len))
            return c;
    }
    return NULL;
}

/* A path split for a call that works on its last component: the directory
 * that holds it, the component itself, and whether a "/" followed it. */
struct last_name {
    struct inode *dir;
    const char *name; /* not NUL-terminated: len bytes */
    size_t len;
    bool slash; /* "name/": the path insists that name is a directory */
};

enum name_kind { NAME_PLAIN, NAME_DOT, NAME_DOTDOT, NAME_ROOT };

/* "." and ".." are not names in a directory but ways to move; NAME_ROOT is
 * the empty last component of "/" (or "//"). */
static enum name_kind kind_of(const struct last_name *nm)
{
    if (nm->len == 0)
        return NAME_ROOT;
    if (nm->len == 1 && nm->name[0] == '.')
        return NAME_DOT;
    if (nm->len == 2 && !strncmp(nm->name, "..", 2))
        return NAME_DOTDOT;
    return NAME_PLAIN;
}

/* Walk path up to (not including) its last component, into *nm.  Every
 * directory on the way must exist and be one (-ENOENT, -ENOTDIR), and no
 * component may be longer than NAME_MAX (-ENAMETOOLONG); "" is -ENOENT. */
static int walk_parent(struct inode *cwd, const char *path, struct last_name *nm)
{
    if (strnlen(path, PATH_MAX) == PATH_MAX)
        return -ENAMETOOLONG;
    if (!*path)
        return -ENOENT; /* POSIX: the empty path names nothing */
    struct inode *at = *path == '/' ? &root : cwd;
    const char *p = path;
    for (;;) {
        while (*p == '/')
            p++;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        if (end - p > NAME_MAX)
            return -ENAMETOOLONG;
        const char *next = end;
        while (*next == '/')
            next++;
        if (!*next) { /* p..end is the last component (empty for "/") */
            *nm = (struct last_name){at, p, end - p, *end == '/'};
            return 0;
        }
        if (at->type != INODE_DIR)
            return -ENOTDIR;
        if (end - p == 2 && !strncmp(p, "..", 2))
            at = at->parent ? at->parent : at;
        else if (!(end - p == 1 && *p == '.')) {
            at = child_named(at, p, end - p);
            if (!at)
                return -ENOENT;
        }
        p = next;
    }
}

/* What nm names, or -ENOENT / -ENOTDIR (its directory is a file, or a "/"
 * follows the name of a file). */
static int lookup_last(const struct last_name *nm, struct inode **out)
{
    if (nm->dir->type != INODE_DIR)
        return -ENOTDIR;
    struct inode *ip;
    switch (kind_of(nm)) {
    case NAME_ROOT:
    case NAME_DOT:
        ip = nm->dir;
        break;
    case NAME_DOTDOT:
        ip = nm->dir->parent ? nm->dir->parent : nm->dir;
        break;
    default:
        ip = child_named(nm->dir, nm->name, nm->len);
        if (!ip)
            return -ENOENT;
        if (ip->body)
            ip = ip->body; /* a hard link: the file it names */
    }
    if (nm->slash && ip->type != INODE_DIR)
        return -ENOTDIR;
    *out = ip;
    return 0;
}

int fs_lookup(struct inode *cwd, const char *path, struct inode **out)
{
    struct last_name nm;
    int err = walk_parent(cwd, path, &nm);
    return err ? err : lookup_last(&nm, out);
}

/* Put ip into nm's directory under nm's name. */
static void add_name(struct inode *ip, const struct last_name *nm)
{
    memcpy(ip->name, nm->name, nm->len);
    list_init(&ip->children);
    ip->parent = nm->dir;
    list_add_tail(&ip->sibling, &nm->dir->children);
    (ip->body ? ip->body : ip)->nlink++;
}

/* Take the name ip out of its directory.  A hard link's own inode goes at
 * once (lookups never return it, so nothing refers to it); the file goes
 * with its last name, unless it is still open or someone's cwd. */
static void remove_name(struct inode *ip)
{
    struct inode *body = ip->body ? ip->body : ip;
    list_del(&ip->sibling);
    ip->parent = NULL;
    body->nlink--;
    if (ip != body)
        inode_free(ip);
    if (body->nlink == 0 && body->refs == 0)
        inode_free(body);
}

int fs_create(struct inode *cwd, const char *path, enum inode_type type, struct inode **out)
{
    struct last_name nm;
    int err = walk_parent(cwd, path, &nm);
    if (err)
        return err;
    if (nm.dir->type != INODE_DIR)
        return -ENOTDIR;
    /* A removed directory (someone's working directory still) takes no new
     * entries: it is freed when the last user leaves, and would leave its
     * children pointing at freed memory (found by sysfuzz: getcwd then
     * walked through it). */
    if (nm.dir->nlink == 0)
        return -ENOENT;
    /* "name/" can only be a directory: open(O_CREAT) says EISDIR (Linux,
     * before it looks whether name exists), mkdir takes it. */
    if (nm.slash && type != INODE_DIR)
        return -EISDIR;
    if (kind_of(&nm) != NAME_PLAIN || child_named(nm.dir, nm.name, nm.len))
        return -EEXIST; /* "/", "." and ".." always exist */
    struct inode *ip = kzalloc(sizeof(*ip));
    if (!ip)
        return -ENOMEM;
    ip->ino = next_ino++;
    ip->type = type;
    add_name(ip, &nm);
    if (out)
        *out = ip;
    return 0;
}

/* Why the last component cannot be removed as `want` (INODE_FILE: unlink,
 * INODE_DIR: rmdir, 0: either) when it is ".", ".." or the "/" of the
 * root; Linux's answers. */
static int remove_dots_error(enum name_kind kind, enum inode_type want)
{
    if (want == INODE_FILE)
        return -EISDIR; /* unlink: these are all directories */
    return kind == NAME_DOT ? -EINVAL : kind == NAME_DOTDOT ? -ENOTEMPTY : -EBUSY;
}

int fs_remove(struct inode *cwd, const char *path, enum inode_type want)
{
    struct last_name nm;
    int err = walk_parent(cwd, path, &nm);
    if (err)
        return err;
    if (nm.dir->type != INODE_DIR)
        return -ENOTDIR;
    enum name_kind kind = kind_of(&nm);
    if (kind != NAME_PLAIN) /* never a directory by "." or "..": cwd would go */
        return remove_dots_error(kind, want);
    struct inode *ip = child_named(nm.dir, nm.name, nm.len);
    if (!ip)
        return -ENOENT;
    if (ip->type == INODE_DIR && want == INODE_FILE)
        return -EISDIR;
    if (ip->type != INODE_DIR && (want == INODE_DIR || nm.slash))
        return -ENOTDIR;
    if (ip->type == INODE_DIR && !list_empty(&ip->children))
        return -ENOTEMPTY;
    remove_name(ip);
    return 0;
}

int fs_unlink(struct inode *cwd, const char *path) { return fs_remove(cwd, path, 0); }

/* Linux's order: the old name is looked up first, then the new one must
 * not exist (EEXIST even for a directory as old), may not be "name/" (a
 * file cannot be one: ENOENT), and only then is a directory EPERM. */
int fs_link(struct inode *cwd, const char *oldpath, const char *newpath)
{
    struct inode *old;
    int err = fs_lookup(cwd, oldpath, &old);
    if (err)
        return err;
    struct last_name nm;
    err = walk_parent(cwd, newpath, &nm);
    if (err)
        return err;
    if (nm.dir->type != INODE_DIR)
        return -ENOTDIR;
    if (kind_of(&nm) != NAME_PLAIN || child_named(nm.dir, nm.name, nm.len))
        return -EEXIST;
    if (nm.slash)
        return -ENOENT;
    if (old->type == INODE_DIR)
        return -EPERM; /* a directory has one name: its ".." says where */
    if (nm.dir->nlink == 0)
        return -ENOENT; /* a removed directory: as in fs_create */
    struct inode *ip = kzalloc(sizeof(*ip));
    if (!ip)
        return -ENOMEM;
    ip->ino = old->ino;
    ip->type = old->type;
    ip->body = old;
    add_name(ip, &nm);
    return 0;
}

uint32_t fs_nlink(struct inode *ip)
{
    if (ip->type != INODE_DIR || ip->nlink == 0)
        return ip->nlink;
    uint32_t n = 2;
    for (struct list_head *l = ip->children.next; l != &ip->children; l = l->next)
        n += container_of(l, struct inode, sibling)->type == INODE_DIR;
    return n;
}

ssize_t fs_read(struct inode *ip, uint64_t off, void *buf, size_t n, bool to_user)
{
    if (ip->type != INODE_FILE)
        return -EISDIR;
    if (off >= ip->size)
        return 0;
    n = MIN(n, ip->size - off);
    if (!to_user) {
        memcpy(buf, ip->data + off, n);
        return n;
    }
    return copy_to_user(buf, ip->data + off, n) ? -EFAULT : (ssize_t)n;
}

/* Make room for `size` bytes, doubling the buffer; zero-fills the new part. */
static int reserve(struct inode *ip, uint64_t size)
{
    if (size > FILE_MAX_SIZE)
        return -EFBIG;
    if (size <= ip->cap)
        return 0;
    uint64_t cap = ip->cap ? ip->cap : 64;
    while (cap < size)
        cap *= 2;
    cap = MIN(cap, FILE_MAX_SIZE);
    char *data = kzalloc(cap);
    if (!data)
        return -ENOMEM;
    memcpy(data, ip->data, ip->size);
    kfree(ip->data);
    ip->data = data;
    ip->cap = cap;
    return 0;
}

ssize_t fs_write(struct inode *ip, uint64_t off, const void *buf, size_t n, bool from_user)
{
    if (ip->type != INODE_FILE)
        return -EISDIR;
    if (n == 0)
        return 0;
    if (off + n < off)
        return -EFBIG;
    int err = reserve(ip, off + n);
    if (err)
        return err;
    if (from_user) {
        if (copy_from_user(ip->data + off, buf, n))
            return -EFAULT;
    } else {
        memcpy(ip->data + off, buf, n);
    }
    if (off > ip->size) /* a hole: reads as zeros */
        memset(ip->data + ip->size, 0, off - ip->size);
    ip->size = MAX(ip->size, off + n);
    return n;
}

int fs_truncate(struct inode *ip, uint64_t size)
{
    if (ip->type != INODE_FILE)
        return -EISDIR;
    int err = reserve(ip, size);
    if (err)
        return err;
    if (size > ip->size)
        memset(ip->data + ip->size, 0, size - ip->size);
    ip->size = size;
    return 0;
}

struct inode *fs_dir_entry(struct inode *dir, uint64_t index)
{
    for (struct list_head *l = dir->children.next; l != &dir->children; l = l->next)
        if (index-- == 0)
            return container_of(l, struct inode, sibling);
    return NULL;
}

int fs_path(struct inode *ip, char *buf, size_t size)
{
    if (ip == &root)
        return strlcpy(buf, "/", size) < size ? 0 : -ERANGE;
    char tmp[PATH_MAX];
    size_t at = sizeof(tmp) - 1;
    tmp[at] = 0;
    for (; ip != &root; ip = ip->parent) {
        if (!ip)
            return -ENOENT; /* a removed directory has no path */
        size_t len = strlen(ip->name);
        if (at < len + 1)
            return -ERANGE;
        at -= len;
        memcpy(tmp + at, ip->name, len);
        tmp[--at] = '/';
    }
    return strlcpy(buf, tmp + at, size) < size ? 0 : -ERANGE;
}
