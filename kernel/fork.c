/* fork.c - fork(): a new process with a copy-on-write view of the caller's
 * memory (mm_fork: page tables shared, DESIGN.md section 4), the same open
 * files, working directory and registers; it returns 0 in the child.  Only
 * the calling thread is copied, as POSIX says.
 *
 * clone(): a new thread in the caller's process. */
#include "exercises/exercises.h"
#include "kernel/cmdline.h"
#include "fs/file.h"
#include "kernel/proc.h"
#include "fs/ramfs.h"
#include "lib/string.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/vm.h"
#include "uapi/sched.h"
#include "trap.h"

/* The caller's fork mode.  With the boot option fork_policy (exercise 3,
 * docs/exercises.md), a process in share mode asks the exercise's policy,
 * once it is solved.  mm->lock held. */
static enum fork_mode fork_mode_for(struct proc *cur)
{
    static int policy_on = -1; /* the command line does not change: look once */
    if (policy_on < 0)
        policy_on = cmdline_get("fork_policy") != NULL;
    int mode = policy_on && cur->fork_mode == FORK_SHARE ? ex_fork_policy(cur->mm) : -ENOSYS;
    if (mode < 0 || mode > (int)FORK_EAGER)
        return cur->fork_mode;
    return (enum fork_mode)mode;
}

int64_t sys_fork(void)
{
    struct proc *cur = current_proc();
    int err;
    struct proc *child = proc_alloc(cur->name, &err);
    if (!child)
        return err;
    child->fpu = kmalloc(FPU_AREA_SIZE);
    if (child->fpu) {
        down_write(&cur->mm->lock);
        child->mm = mm_fork(cur->mm, fork_mode_for(cur));
        child->fork_mode = cur->fork_mode;
        child->failalloc = cur->failalloc;
        cur->last_fork_tables = child->mm ? child->mm->fork_tables : 0;
        up_write(&cur->mm->lock);
    }
    if (!child->fpu || !child->mm) {
        proc_free_unstarted(child); /* frees fpu; mm is NULL */
        return -ENOMEM;
    }
    arch_fpu_save(child->fpu);   /* the caller's live registers */
    struct proc *g = cur->group; /* files and cwd are the process's */
    spin_lock(&g->fd_lock);
    for (int fd = 0; fd < NFILES; fd++) {
        child->files[fd] = g->files[fd] == FD_RESERVED ? NULL : g->files[fd];
        if (child->files[fd])
            file_get(child->files[fd]);
    }
    spin_unlock(&g->fd_lock);
    mutex_lock(&fs_lock);
    child->cwd = g->cwd;
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

/* The flags a thread needs (what pthread_create passes on Linux); cowl
 * makes threads only, processes come from fork. */

/* clone(flags, stack, parent_tid, child_tid, tls): the new thread starts
 * where the caller returns, on `stack`, with 0 in rax.  With
 * CLONE_CHILD_CLEARTID, its exit writes 0 to *child_tid and wakes a futex
 * waiter there (pthread_join); with CLONE_PARENT_SETTID its tid goes to
 * *parent_tid.  Returns the new thread's id. */
int64_t sys_clone(uint64_t flags, uint64_t stack, int *parent_tid, int *child_tid, uint64_t tls)
{
    uint64_t known =
        CLONE_THREAD_FLAGS | CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS || (flags & ~known) || tls ||
        stack % 16 || !user_range_ok(stack - 16, 16))
        return -EINVAL;
    if ((flags & CLONE_PARENT_SETTID) && !user_range_ok((uint64_t)parent_tid, sizeof(int)))
        return -EFAULT;
    if ((flags & CLONE_CHILD_CLEARTID) &&
        (!user_range_ok((uint64_t)child_tid, sizeof(int)) || (uint64_t)child_tid % sizeof(int)))
        return -EFAULT;
    reap_dead_threads(); /* threads that exited since: their stacks go back now */
    struct proc *cur = current_proc();
    int err;
    struct proc *t = thread_alloc(&err);
    if (!t)
        return err;
    arch_fpu_save(t->fpu); /* the caller's live registers */
    t->tf = (struct trapframe *)((char *)t->kstack + KSTACK_SIZE) - 1;
    *t->tf = *cur->tf;
    t->tf->rax = 0;
    t->tf->rsp = stack;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_tid = (uint64_t)child_tid;
    t->ctx_rsp = arch_fork_stack((uint64_t)t->kstack + KSTACK_SIZE, t->tf);
    int tid = t->pid;
    if (flags & CLONE_PARENT_SETTID) /* checked above; lost to a racing munmap, as on Linux */
        (void)copy_to_user(parent_tid, &tid, sizeof(tid));
    proc_start(t);
    return tid;
}

int64_t sys_gettid(void) { return current_proc()->pid; }
