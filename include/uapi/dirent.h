/* uapi/dirent.h - the records getdents64() writes (Linux's struct
 * linux_dirent64); libc's readdir() unpacks them into struct dirent. */
#ifndef COWL_UAPI_DIRENT_H
#define COWL_UAPI_DIRENT_H

#include <stdint.h>

struct dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen; /* this record's size, name and padding included */
    uint8_t d_type;    /* DT_* */
    char d_name[];     /* NUL-terminated */
};

#define DT_DIR 4
#define DT_REG 8

#endif
