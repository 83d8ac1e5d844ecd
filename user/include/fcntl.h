#ifndef _FCNTL_H
#define _FCNTL_H
#include "uapi/fcntl.h" /* the O_* flags, shared with the kernel */
int open(const char *path, int flags, ...);
#endif
