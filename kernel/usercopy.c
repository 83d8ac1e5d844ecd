/* usercopy.c - checked copies to and from user memory. */
#include "kernel/usercopy.h"

int copy_to_user(void *udst, const void *ksrc, size_t n)
{
    if (!user_range_ok((uint64_t)udst, n))
        return -EFAULT;
    return arch_copy_user(udst, ksrc, n) ? -EFAULT : 0;
}

int copy_from_user(void *kdst, const void *usrc, size_t n)
{
    if (!user_range_ok((uint64_t)usrc, n))
        return -EFAULT;
    return arch_copy_user(kdst, usrc, n) ? -EFAULT : 0;
}

ssize_t strncpy_from_user(char *kdst, const char *usrc, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if (copy_from_user(kdst + i, usrc + i, 1))
            return -EFAULT;
        if (kdst[i] == 0)
            return i;
    }
    return -ENAMETOOLONG;
}
