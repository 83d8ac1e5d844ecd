/* initrd.c - unpacking the boot module (a cpio "newc" archive) into ramfs.
 *
 *   +--------------------------------+------------+---------+------+-----
 *   | "070701" + 13 x 8 hex digits   | name, NUL  | pad to 4| data | pad to 4 | next...
 *   +--------------------------------+------------+---------+------+-----
 * Fields used: mode (file type), filesize, namesize.  "TRAILER!!!" ends it. */
#include "kernel/printk.h"
#include "fs/ramfs.h"
#include "lib/string.h"

#define CPIO_HEADER 110
#define S_IFMT      0170000
#define S_IFDIR     0040000
#define S_IFREG     0100000

static bool hex_field(const char *h, int index, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        char c = h[6 + index * 8 + i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v * 16 + d;
    }
    *out = v;
    return true;
}

static int add_entry(const char *name, uint64_t mode, const char *data, uint64_t size)
{
    while (*name == '.' && name[1] == '/')
        name += 2;
    if (!*name || !strcmp(name, "."))
        return 0;
    struct inode *ip;
    if ((mode & S_IFMT) == S_IFDIR) {
        int err = fs_create(fs_root(), name, INODE_DIR, NULL);
        return err == -EEXIST ? 0 : err;
    }
    if ((mode & S_IFMT) != S_IFREG)
        return 0; /* devices, links: not supported, skipped */
    int err = fs_create(fs_root(), name, INODE_FILE, &ip);
    if (err)
        return err;
    ssize_t n = fs_write(ip, 0, data, size, false);
    return n < 0 ? (int)n : 1;
}

int initrd_unpack(const void *archive, size_t size)
{
    const char *p = archive, *end = p + size;
    int files = 0;
    mutex_lock(&fs_lock);
    while (p + CPIO_HEADER <= end) {
        uint64_t mode, filesize, namesize;
        if (memcmp(p, "070701", 6) || !hex_field(p, 1, &mode) || !hex_field(p, 6, &filesize) ||
            !hex_field(p, 11, &namesize) || namesize == 0)
            break;
        const char *name = p + CPIO_HEADER;
        const char *data = name + ALIGN_UP(CPIO_HEADER + namesize, 4) - CPIO_HEADER;
        if (data + filesize > end || name[namesize - 1] != 0)
            break;
        if (!strcmp(name, "TRAILER!!!")) {
            mutex_unlock(&fs_lock);
            return files;
        }
        int r = add_entry(name, mode, data, filesize);
        if (r < 0)
            pr_warn("initrd: %s: error %d\n", name, r);
        files += r > 0;
        p = data + ALIGN_UP(filesize, 4);
    }
    mutex_unlock(&fs_lock);
    return -EINVAL;
}
