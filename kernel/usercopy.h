/* usercopy.h - moving bytes between the kernel and user memory.
 * Every user pointer is checked to lie entirely below USER_TOP first; a
 * fault while copying (unmapped page, no permission) gives -EFAULT, never a
 * kernel crash. */
#ifndef USERCOPY_H
#define USERCOPY_H

#include "arch.h"
#include "lib/types.h"

uint64_t arch_copy_user(void *dst, const void *src, uint64_t n);

/* Does [addr, addr + n) lie in the user half, without wrapping? */
static inline bool user_range_ok(uint64_t addr, uint64_t n)
{
    return addr + n >= addr && addr + n <= USER_TOP;
}

/* 0, or -EFAULT. */
int copy_to_user(void *udst, const void *ksrc, size_t n);
int copy_from_user(void *kdst, const void *usrc, size_t n);
/* Copy a NUL-terminated string of at most max - 1 bytes; its length, or
 * -EFAULT, or -ENAMETOOLONG when no NUL comes within max bytes. */
ssize_t strncpy_from_user(char *kdst, const char *usrc, size_t max);
/* A page fault on user address addr inside one of the copies above (the
 * trap handler asks): resolve it as the user's own access would be
 * (FAULT_* in mm/vm.h), so that the kernel's writes break copy-on-write
 * exactly like the program's.  False: the copy gives -EFAULT. */
bool usercopy_page_fault(uint64_t addr, unsigned access);

#endif
