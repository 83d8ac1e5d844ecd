#ifndef _ERRNO_H
#define _ERRNO_H
/* errno is per thread: each thread's lives in its thread control block
 * (user/lib/tls.h), as glibc and musl do it. */
int *__errno_location(void);
#define errno (*__errno_location())
#include "uapi/errno.h" /* the numbers, shared with the kernel */
#endif
