/* uapi/mman.h - mmap/mprotect flags, Linux's values, shared by kernel/sys_mm.c and
 * user/include/sys/mman.h. */
#ifndef COWL_UAPI_MMAN_H
#define COWL_UAPI_MMAN_H

#define PROT_NONE     0
#define PROT_READ     1
#define PROT_WRITE    2
#define PROT_EXEC     4
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20

#endif
