/* fork.c - fork(): a new process with a copy-on-write view of the caller's
 * memory (mm_fork: page tables shared, docs/fork.md), the same open
 * files, working directory and registers; it returns 0 in the child.  Only
 * the calling thread is copied, as POSIX says.
 *
 * clone(): a new thread in the caller's process. */
#include "exercises/exercises.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "kernel/cmdline.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/vm.h"
#include "mm/vmstat.h"
#include "trap.h"
#include "uapi/sched.h"

/* The caller's fork mode.  With the boot option fork_policy (exercise 3,
 * docs/exercises.md), a process in share mode asks the exercise's policy,
 * once it is solved.  mm->lock held. */
static enum fork_mode fork_mode_for(struct process *p)
{
    static int policy_on = -1; /* the command line does not change: look once */
    if (policy_on < 0)
        policy_on = cmdline_get("fork_policy") != NULL;
    int mode = policy_on && p->fork_mode == FORK_SHARE ? ex_fork_policy(p->mm) : -ENOSYS;
    if (mode < 0 || mode > (int)FORK_EAGER)
        return p->fork_mode;
    return (enum fork_mode)mode;
}

/* The child's memory: a fork of the parent's address space (sp: the
 * caller's stack pointer, whose pages the parent writes next).  Also what
 * the child inherits with it (fork mode, fault injection).  0 or -ENOMEM. */
static int fork_memory(struct process *child, struct process *parent, uint64_t sp)
{
    down_write(&parent->mm->lock);
    child->mm = mm_fork(parent->mm, fork_mode_for(parent), sp);
    child->fork_mode = parent->fork_mode;
    child->failalloc = parent->failalloc;
    parent->last_fork_tables = child->mm ? child->mm->fork_tables : 0;
    up_write(&parent->mm->lock);
    return child->mm ? 0 : -ENOMEM;
}

/* The parent's open files (not the numbers a pipe() is still setting up)
 * and working directory, each with a reference of the child's own. */
static void fork_files(struct process *child, struct process *parent)
{
    spin_lock(&parent->fd_lock);
    for (int fd = 0; fd < NFILES; fd++) {
        child->files[fd] = parent->files[fd] == FD_RESERVED ? NULL : parent->files[fd];
        if (child->files[fd])
            file_get(child->files[fd]);
    }
    spin_unlock(&parent->fd_lock);
    mutex_lock(&fs_lock);
    child->cwd = parent->cwd;
    inode_get(child->cwd);
    mutex_unlock(&fs_lock);
}

/* The new thread continues where `from` entered the kernel, with from's
 * registers (the FPU's as they are now) and 0 as the system call's result. */
static void fork_registers(struct thread *t, struct thread *from)
{
    arch_fpu_save(t->fpu);           /* the caller's live registers */
    t->fs_base = arch_user_fs_get(); /* and its thread pointer (from is the caller) */
    t->tf = (struct trapframe *)((char *)t->kstack + KSTACK_SIZE) - 1;
    *t->tf = *from->tf;
    t->tf->rax = 0;
    t->ctx_rsp = arch_fork_stack((uint64_t)t->kstack + KSTACK_SIZE, t->tf);
}

/* Each step is timed (fork_step, vm_events.fork_step_ns): forkcost -s
 * shows where a fork's time goes (docs/bench.md). */
int64_t sys_fork(void)
{
    uint64_t start = fork_clock(), clock = start;
    struct thread *cur = current_thread();
    struct process *parent = cur->proc;
    int err;
    struct thread *t = process_create(parent->name, &err);
    if (!t)
        return err;
    fork_step(FORK_STEP_PROCESS, &clock);
    t->fpu = kmalloc(FPU_AREA_SIZE);
    fork_step(FORK_STEP_FPU, &clock);
    err = t->fpu ? fork_memory(t->proc, parent, cur->tf->rsp) : -ENOMEM;
    if (err) {
        process_free_unstarted(t->proc); /* frees fpu; mm is NULL */
        return err;
    }
    fork_step(FORK_STEP_MEMORY, &clock);
    fork_files(t->proc, parent);
    fork_step(FORK_STEP_FILES, &clock);
    signal_fork(t, cur);
    fork_registers(t, cur);
    fork_step(FORK_STEP_REGISTERS, &clock);
    int pid = t->proc->pid;
    sched_start(t);
    fork_step(FORK_STEP_START, &clock);
    fork_step(FORK_STEP_TOTAL, &start);
    return pid;
}

/* clone(flags, stack, parent_tid, child_tid, tls): the new thread starts
 * where the caller returns, on `stack`, with 0 in rax.  cowl makes threads
 * only (the flags pthread_create passes on Linux); processes come from
 * fork.  With CLONE_CHILD_CLEARTID, its exit writes 0 to *child_tid and
 * wakes a futex waiter there (pthread_join); with CLONE_PARENT_SETTID its
 * tid goes to *parent_tid; with CLONE_SETTLS its FS base (thread pointer)
 * is tls, else the caller's.  A tls without CLONE_SETTLS is refused
 * (Linux ignores it).  Returns the new thread's id. */
static int clone_check(uint64_t flags, uint64_t stack, int *parent_tid, int *child_tid,
                       uint64_t tls)
{
    uint64_t known = CLONE_THREAD_FLAGS | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
                     CLONE_CHILD_CLEARTID | CLONE_SETTLS;
    if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS || (flags & ~known) ||
        (tls && !(flags & CLONE_SETTLS)) || stack % 16 || !user_range_ok(stack - 16, 16))
        return -EINVAL;
    if ((flags & CLONE_SETTLS) && !tls_base_ok(tls))
        return -EPERM; /* what arch_prctl(ARCH_SET_FS) says, as on Linux */
    if ((flags & CLONE_PARENT_SETTID) && !user_range_ok((uint64_t)parent_tid, sizeof(int)))
        return -EFAULT;
    if ((flags & CLONE_CHILD_CLEARTID) &&
        (!user_range_ok((uint64_t)child_tid, sizeof(int)) || (uint64_t)child_tid % sizeof(int)))
        return -EFAULT;
    return 0;
}

int64_t sys_clone(uint64_t flags, uint64_t stack, int *parent_tid, int *child_tid, uint64_t tls)
{
    int err = clone_check(flags, stack, parent_tid, child_tid, tls);
    if (err)
        return err;
    thread_reap_zombies(); /* threads that exited since: their stacks go back now */
    struct thread *t = thread_create(&err);
    if (!t)
        return err;
    fork_registers(t, current_thread());
    signal_clone(t, current_thread());
    t->tf->rsp = stack;
    if (flags & CLONE_SETTLS)
        t->fs_base = tls;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_tid = (uint64_t)child_tid;
    int tid = t->tid;
    if (flags & CLONE_PARENT_SETTID) /* checked above; lost to a racing munmap, as on Linux */
        (void)copy_to_user(parent_tid, &tid, sizeof(tid));
    sched_start(t);
    return tid;
}

int64_t sys_gettid(void) { return current_thread()->tid; }
