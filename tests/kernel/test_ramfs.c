/* test_ramfs.c - the in-memory file system and the unpacked initrd. */
#include "kernel/ktest.h"
#include "fs/ramfs.h"
#include "lib/string.h"

KTEST(ramfs, initrd_unpacked)
{
    mutex_lock(&fs_lock);
    struct inode *ip = NULL;
    int err = fs_lookup(fs_root(), "/etc/initrd-stamp", &ip);
    char buf[32] = {0};
    ssize_t n = ip ? fs_read(ip, 0, buf, sizeof(buf) - 1, false) : -1;
    mutex_unlock(&fs_lock);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(n, 12);
    EXPECT(!strcmp(buf, "cowl initrd\n")); /* user/etc/initrd-stamp */
}

KTEST(ramfs, create_write_read_unlink)
{
    mutex_lock(&fs_lock);
    struct inode *d, *f, *found;
    EXPECT_EQ(fs_create(fs_root(), "/t_dir", INODE_DIR, &d), 0);
    EXPECT_EQ(fs_create(fs_root(), "/t_dir", INODE_DIR, NULL), -EEXIST);
    EXPECT_EQ(fs_create(d, "file", INODE_FILE, &f), 0);
    EXPECT_EQ(fs_create(fs_root(), "/nope/file", INODE_FILE, NULL), -ENOENT);
    EXPECT_EQ(fs_create(fs_root(), "/t_dir/file/x", INODE_FILE, NULL), -ENOTDIR);
    EXPECT_EQ(fs_write(f, 0, "hello", 5, false), 5);
    EXPECT_EQ(fs_write(f, 10, "world", 5, false), 5); /* leaves a hole */
    char buf[16];
    EXPECT_EQ(fs_read(f, 0, buf, sizeof(buf), false), 15);
    EXPECT(!memcmp(buf, "hello\0\0\0\0\0world", 15));
    EXPECT_EQ(fs_read(f, 15, buf, 4, false), 0);
    EXPECT_EQ(fs_lookup(fs_root(), "/t_dir/./../t_dir//file", &found), 0);
    EXPECT(found == f);
    char path[64];
    EXPECT_EQ(fs_path(f, path, sizeof(path)), 0);
    EXPECT(!strcmp(path, "/t_dir/file"));
    EXPECT_EQ(fs_unlink(fs_root(), "/t_dir"), -ENOTEMPTY);
    EXPECT_EQ(fs_unlink(d, "file"), 0);
    EXPECT_EQ(fs_lookup(fs_root(), "/t_dir/file", &found), -ENOENT);
    EXPECT_EQ(fs_unlink(fs_root(), "/t_dir"), 0);
    mutex_unlock(&fs_lock);
}

KTEST(ramfs, open_file_outlives_unlink)
{
    mutex_lock(&fs_lock);
    struct inode *f;
    ASSERT_EQ(fs_create(fs_root(), "/t_open", INODE_FILE, &f), 0);
    inode_get(f); /* as an open file would */
    EXPECT_EQ(fs_write(f, 0, "data", 4, false), 4);
    EXPECT_EQ(fs_unlink(fs_root(), "/t_open"), 0);
    char buf[4];
    EXPECT_EQ(fs_read(f, 0, buf, 4, false), 4); /* still readable */
    inode_put(f);                               /* now freed (leak check proves it) */
    mutex_unlock(&fs_lock);
}

KTEST(ramfs, growth_and_limits)
{
    mutex_lock(&fs_lock);
    struct inode *f;
    ASSERT_EQ(fs_create(fs_root(), "/t_big", INODE_FILE, &f), 0);
    static char chunk[1000];
    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 100; i++)
        EXPECT_EQ(fs_write(f, f->size, chunk, sizeof(chunk), false), 1000);
    EXPECT_EQ(f->size, 100000);
    EXPECT_EQ(fs_write(f, FILE_MAX_SIZE, "x", 1, false), -EFBIG);
    EXPECT_EQ(fs_truncate(f, 10), 0);
    EXPECT_EQ(f->size, 10);
    EXPECT_EQ(fs_unlink(fs_root(), "/t_big"), 0);
    char name[NAME_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    EXPECT_EQ(fs_create(fs_root(), name, INODE_FILE, NULL), -ENAMETOOLONG);
    mutex_unlock(&fs_lock);
}

KTEST(ramfs, directory_listing)
{
    mutex_lock(&fs_lock);
    struct inode *etc;
    ASSERT_EQ(fs_lookup(fs_root(), "/etc", &etc), 0);
    int files = 0;
    bool stamp = false;
    for (struct inode *e; (e = fs_dir_entry(etc, files)) != NULL; files++)
        stamp |= !strcmp(e->name, "initrd-stamp");
    mutex_unlock(&fs_lock);
    EXPECT(files >= 2);
    EXPECT(stamp);
}
