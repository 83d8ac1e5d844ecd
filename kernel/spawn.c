/* spawn.c - starting programs: exec (a process's new program) and spawn
 * (the kernel starts a first user process: init, the tests). */
#include "fs/file.h"
#include "fs/ramfs.h"
#include "kernel/exec.h"
#include "kernel/pgrp.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/tlb.h"
#include "mm/vm.h"
#include "trap.h"

static const char *basename(const char *path)
{
    const char *slash = strchr(path, '/');
    while (slash) {
        path = slash + 1;
        slash = strchr(path, '/');
    }
    return path;
}

/* Fresh user registers: start at entry with stack sp, interrupts on. */
static void reset_user_registers(struct trapframe *tf, uint64_t entry, uint64_t sp)
{
    memset(tf, 0, sizeof(*tf));
    tf->vector = TF_SYSCALL_MARK;
    tf->rip = entry;
    tf->rsp = sp;
    tf->cs = USER_CS;
    tf->ss = USER_SS;
    tf->rflags = USER_RFLAGS;
}

/* Replace the current process's program.  argv/envp are kernel strings.
 * On failure the process is unchanged. */
int process_exec(const char *path, char *const argv[], char *const envp[])
{
    struct thread *cur = current_thread();
    struct process *p = cur->proc;
    struct mm *mm = NULL;
    uint64_t entry, sp;
    mutex_lock(&fs_lock);
    struct inode *ip;
    int err = fs_lookup(p->cwd ? p->cwd : fs_root(), path, &ip);
    if (!err && ip->type != INODE_FILE)
        err = -EACCES;
    if (!err)
        err = exec_load((const uint8_t *)ip->data, ip->size, argv, envp, &mm, &entry, &sp);
    mutex_unlock(&fs_lock);
    if (!err && p->live > 1)
        err = process_end_other_threads(); /* the new program starts single-threaded */
    if (err) {
        if (mm)
            mm_put(mm);
        return err;
    }
    struct mm *old = process_swap_mm(p, mm);
    tlb_switch_to(mm->pml4);
    if (old)
        mm_put(old);
    strlcpy(p->name, basename(path), sizeof(p->name));
    cur->clear_tid = 0; /* that address meant something to the old program only */
    signal_exec(p);     /* the old program's handlers are gone with it */
    spin_lock(&proc_table_lock);
    p->execed = true; /* its parent may no longer move it to another group */
    spin_unlock(&proc_table_lock);
    arch_fpu_reset(cur->fpu);
    cur->fs_base = 0; /* no thread pointer until the new program's libc sets one */
    arch_user_fs_set(0);
    reset_user_registers(cur->tf, entry, sp);
    return 0;
}

struct spawn_args {
    char path[PATH_MAX];
    char *argv[SPAWN_MAX_ARGS + 1];
    char strings[SPAWN_MAX_ARGBYTES];
    unsigned flags; /* SPAWN_* */
};

/* Give a new process the console as descriptors 0, 1 and 2. */
static int open_console_stdio(struct process *p)
{
    struct file *con = file_alloc(FILE_CONSOLE, O_RDWR);
    if (!con)
        return -ENOMEM;
    for (int fd = 0; fd < 3; fd++) {
        if (fd)
            file_get(con);
        p->files[fd] = con;
    }
    return 0;
}

/* Becomes the user process: runs in the new kernel thread. */
static int spawn_thread(void *arg)
{
    struct spawn_args *a = arg;
    struct thread *cur = current_thread();
    struct process *p = cur->proc;
    cur->tf = (struct trapframe *)((char *)cur->kstack + KSTACK_SIZE) - 1;
    process_set_failalloc(p, a->flags & SPAWN_FAILALLOC); /* from its very first allocation */
    cur->fpu = kmalloc(FPU_AREA_SIZE);
    mutex_lock(&fs_lock);
    p->cwd = fs_root();
    inode_get(p->cwd);
    mutex_unlock(&fs_lock);
    static char *const envp[] = {"PATH=/bin", "HOME=/", NULL};
    p->fork_mode = fork_default_mode;
    int err = cur->fpu ? open_console_stdio(p) : -ENOMEM;
    if (!err)
        pgrp_console_claim(p); /* its session's terminal, as a login's is */
    if (!err)
        err = process_exec(a->path, a->argv, envp);
    if (err) {
        kprintf("cowl: cannot start %s: error %d\n", a->path, err);
        kfree(a);
        thread_exit(W_EXITCODE(127));
    }
    kfree(a);
    arch_enter_user(cur->tf);
}

int process_spawn(const char *path, char *const argv[], unsigned flags)
{
    struct spawn_args *a = kzalloc(sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->flags = flags;
    strlcpy(a->path, path, sizeof(a->path));
    char *s = a->strings;
    for (int i = 0; argv && argv[i]; i++) {
        size_t len = strlen(argv[i]) + 1;
        if (i == SPAWN_MAX_ARGS || s + len > a->strings + sizeof(a->strings)) {
            kfree(a); /* cut short, the arguments would mean something else */
            return -E2BIG;
        }
        memcpy(s, argv[i], len);
        a->argv[i] = s;
        s += len;
    }
    struct thread *t = kthread_create(path, spawn_thread, a);
    if (!t) {
        kfree(a);
        return -ENOMEM;
    }
    int pid = t->proc->pid;
    sched_start(t);
    return pid;
}
