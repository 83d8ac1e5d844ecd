/* fork.c - fork(): a new process with a copy-on-write view of the caller's
 * memory (mm_fork: page tables shared, DESIGN.md section 4), the same open
 * files, working directory and registers; it returns 0 in the child. */
#include "kernel/file.h"
#include "kernel/proc.h"
#include "kernel/ramfs.h"
#include "kernel/string.h"
#include "kernel/sys.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/vm.h"
#include "trap.h"

int64_t sys_fork(void)
{
    struct proc *cur = current_proc();
    struct proc *child = proc_alloc(cur->name);
    if (!child)
        return -ENOMEM;
    child->fpu = kmalloc(512);
    if (child->fpu) {
        mutex_lock(&cur->mm->lock);
        uint64_t tables_before = pgtable_tables_allocated;
        child->mm = mm_fork(cur->mm, cur->fork_mode);
        child->fork_mode = cur->fork_mode;
        cur->last_fork_tables = pgtable_tables_allocated - tables_before;
        mutex_unlock(&cur->mm->lock);
    }
    if (!child->fpu || !child->mm) {
        proc_free_unstarted(child); /* frees fpu; mm is NULL */
        return -ENOMEM;
    }
    arch_fpu_save(child->fpu); /* the caller's live registers */
    for (int fd = 0; fd < NFILES; fd++) {
        child->files[fd] = cur->files[fd];
        if (child->files[fd])
            file_get(child->files[fd]);
    }
    mutex_lock(&fs_lock);
    child->cwd = cur->cwd;
    inode_get(child->cwd);
    mutex_unlock(&fs_lock);
    child->tf = (struct trapframe *)((char *)child->kstack + KSTACK_SIZE) - 1;
    *child->tf = *cur->tf;
    child->tf->rax = 0; /* fork returns 0 in the child */
    child->ctx_rsp = arch_fork_stack((uint64_t)child->kstack + KSTACK_SIZE, child->tf);
    int pid = child->pid;
    proc_start(child);
    return pid;
}
