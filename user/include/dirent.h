#ifndef _DIRENT_H
#define _DIRENT_H
#include <stdint.h>
struct dirent {
    uint64_t d_ino;
    unsigned char d_type;
    char d_name[64];
};
typedef struct DIR DIR;
#include "uapi/dirent.h" /* DT_* (and the kernel's records) */
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);
#endif
