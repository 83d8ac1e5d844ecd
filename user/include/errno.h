#ifndef _ERRNO_H
#define _ERRNO_H
extern int errno;
#include "kernel/errno.h" /* the numbers, shared with the kernel */
#endif
