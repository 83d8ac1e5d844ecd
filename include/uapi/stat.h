/* uapi/stat.h - what stat() and fstat() report: struct stat and the file
 * type bits of st_mode.  cowl's struct stat is shorter than Linux's (the
 * fields cowl has); the type bits have Linux's values. */
#ifndef COWL_UAPI_STAT_H
#define COWL_UAPI_STAT_H

#include <stdint.h>

#define S_IFMT  0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

#define S_ISDIR(m)  (((m)&S_IFMT) == S_IFDIR)
#define S_ISREG(m)  (((m)&S_IFMT) == S_IFREG)
#define S_ISCHR(m)  (((m)&S_IFMT) == S_IFCHR)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)

struct stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint64_t st_size;
};

#endif
