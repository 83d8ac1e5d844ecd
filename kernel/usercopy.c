/* usercopy.c - checked copies to and from user memory. */
#include "kernel/usercopy.h"
#include "kernel/process.h"
#include "mm/vm.h"

/* The regions of the current address space must allow the access: a
 * PROT_NONE page is mapped for the kernel only, so touching it would not
 * fault, and the check has to be made here. */
static bool regions_allow(const void *uaddr, size_t n, bool write)
{
    struct mm *mm = current_process()->mm;
    return !mm || n == 0 || vm_access_ok(mm, (uint64_t)uaddr, n, write);
}

int copy_to_user(void *udst, const void *ksrc, size_t n)
{
    if (!user_range_ok((uint64_t)udst, n) || !regions_allow(udst, n, true))
        return -EFAULT;
    return arch_copy_user(udst, ksrc, n) ? -EFAULT : 0;
}

int copy_from_user(void *kdst, const void *usrc, size_t n)
{
    if (!user_range_ok((uint64_t)usrc, n) || !regions_allow(usrc, n, false))
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

bool usercopy_page_fault(uint64_t addr, unsigned access)
{
    struct mm *mm = current_process()->mm;
    return mm && vm_fault(mm, addr, access) == 0;
}
