/* stat.h - what stat() reports, shared with user/include/sys/stat.h. */
#ifndef KSTAT_H
#define KSTAT_H

#include <stdint.h>

#define S_IFMT  0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

struct stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint64_t st_size;
};

struct timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

/* getdents64 records (Linux's struct linux_dirent64) */
struct dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};
#define DT_DIR 4
#define DT_REG 8

#endif
