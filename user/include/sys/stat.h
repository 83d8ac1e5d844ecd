#ifndef _SYS_STAT_H
#define _SYS_STAT_H
#include <stdint.h>
#define S_IFMT     0170000
#define S_IFDIR    0040000
#define S_IFREG    0100000
#define S_IFCHR    0020000
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
struct stat { /* kernel/stat.h */
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint64_t st_size;
};
int stat(const char *path, struct stat *st);
int fstat(int fd, struct stat *st);
int mkdir(const char *path, int mode);
#endif
