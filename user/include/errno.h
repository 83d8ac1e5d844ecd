#ifndef _ERRNO_H
#define _ERRNO_H
extern int errno;
#include "uapi/errno.h" /* the numbers, shared with the kernel */
#endif
