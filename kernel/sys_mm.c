/* sys_mm.c - the memory system calls: brk, mmap, munmap, mprotect
 * (anonymous private memory only), and cowl_ptdump. */
#include "uapi/mman.h"
#include "kernel/process.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"
#include "mm/heap.h"
#include "uapi/ptdump.h"
#include "mm/vm.h"

static uint32_t prot_to_vm(int prot)
{
    return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
           (prot & PROT_EXEC ? VM_EXEC : 0);
}

static bool range_ok(uint64_t addr, uint64_t len)
{
    return addr % PAGE_SIZE == 0 && len > 0 && addr + len > addr && addr >= USER_MIN &&
           addr + len <= USER_STACK_TOP;
}

int64_t sys_brk(uint64_t addr)
{
    struct mm *mm = current_process()->mm;
    down_write(&mm->lock);
    uint64_t old_end = ALIGN_UP(mm->brk, PAGE_SIZE), new_end = ALIGN_UP(addr, PAGE_SIZE);
    int err = 0;
    if (addr >= mm->brk_start && addr < USER_MMAP_BASE) {
        if (new_end > old_end)
            err = mm_extend_vma(mm, mm->brk_start, old_end, new_end, VM_READ | VM_WRITE);
        else if (new_end < old_end)
            err = mm_unmap_range(mm, new_end, old_end);
        if (!err)
            mm->brk = addr;
    }
    uint64_t result = mm->brk;
    up_write(&mm->lock);
    return result; /* unchanged on failure, as Linux's brk does */
}

int64_t sys_mmap(uint64_t addr, size_t len, int prot, int flags, int fd, int64_t off)
{
    if (!(flags & MAP_ANONYMOUS) || !(flags & MAP_PRIVATE) || fd != -1 || off != 0)
        return -EINVAL; /* no file mappings, no shared mappings (docs/memory.md) */
    if (flags & ~(MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS) || prot & ~7 || len == 0)
        return -EINVAL;
    len = ALIGN_UP(len, PAGE_SIZE);
    struct mm *mm = current_process()->mm;
    down_write(&mm->lock);
    int64_t result;
    if (flags & MAP_FIXED) {
        result = range_ok(addr, len) ? mm_map_fixed(mm, addr, len, prot_to_vm(prot)) : -EINVAL;
    } else {
        result = mm_map_anywhere(mm, len, prot_to_vm(prot));
    }
    up_write(&mm->lock);
    return result;
}

int64_t sys_munmap(uint64_t addr, size_t len)
{
    len = ALIGN_UP(len, PAGE_SIZE);
    if (!range_ok(addr, len))
        return -EINVAL;
    struct mm *mm = current_process()->mm;
    down_write(&mm->lock);
    int err = mm_unmap_range(mm, addr, addr + len);
    up_write(&mm->lock);
    return err;
}

int64_t sys_mprotect(uint64_t addr, size_t len, int prot)
{
    len = ALIGN_UP(len, PAGE_SIZE);
    if (!range_ok(addr, len) || prot & ~7)
        return -EINVAL;
    struct mm *mm = current_process()->mm;
    down_write(&mm->lock);
    int err = mm_protect_range(mm, addr, addr + len, prot_to_vm(prot));
    up_write(&mm->lock);
    return err;
}

#define PTDUMP_MAX 4096 /* records one call returns at most */

/* Up to max records of an mm's tree into ubuf; returns how many tables the
 * tree has (more than max if it did not fit).  The records go to a kernel
 * buffer first: copying to user memory can fault, and a fault in our own
 * address space would need the lock the walk holds.  cowl_ptdump: process
 * pid's tree (pid 0: the caller's), -ESRCH if it has no address space. */
int64_t ptdump_to_user(struct mm *mm, struct pt_node *ubuf, size_t max)
{
    max = MIN(max, PTDUMP_MAX);
    struct pt_node *nodes = kmalloc(MAX(max, 1) * sizeof(struct pt_node));
    if (!nodes)
        return -ENOMEM;
    size_t n = ptdump_mm(mm, nodes, max);
    int err = copy_to_user(ubuf, nodes, MIN(n, max) * sizeof(struct pt_node));
    kfree(nodes);
    return err ? err : (int64_t)n;
}

int64_t sys_cowl_ptdump(int pid, struct pt_node *ubuf, size_t max)
{
    struct mm *mm = process_mm_get(pid ? pid : current_process()->pid);
    if (!mm)
        return -ESRCH;
    int64_t r = ptdump_to_user(mm, ubuf, max);
    mm_put(mm);
    return r;
}
