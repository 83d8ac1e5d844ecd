#ifndef _SYS_STAT_H
#define _SYS_STAT_H
#include "uapi/stat.h" /* struct stat and the S_IF* bits, shared with the kernel */
int stat(const char *path, struct stat *st);
int fstat(int fd, struct stat *st);
int mkdir(const char *path, int mode);
#endif
