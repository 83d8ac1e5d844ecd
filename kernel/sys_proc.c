/* sys_proc.c - system calls on processes and time. */
#include "kernel/cpu.h"
#include "kernel/exec.h"
#include "kernel/pgrp.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "fs/ramfs.h"
#include "uapi/prctl.h"
#include "uapi/reboot.h"
#include "uapi/time.h"
#include "uapi/wait.h"
#include "lib/string.h"
#include "kernel/sys.h"
#include "kernel/time.h"
#include "kernel/usercopy.h"
#include "mm/failalloc.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "mm/vmstat.h"


int64_t sys_getpid(void) { return current_process()->pid; }
int64_t sys_getppid(void)
{
    struct process *p = current_process();
    spin_lock(&proc_table_lock); /* the parent may change: an orphan gets a new one */
    int ppid = p->parent ? p->parent->pid : 0;
    spin_unlock(&proc_table_lock);
    return ppid;
}

int64_t sys_sched_yield(void)
{
    sched_yield();
    return 0;
}

/* exit ends the calling thread (the process, if it was the last one);
 * exit_group ends every thread of the process. */
int64_t sys_exit(int code) { thread_exit(W_EXITCODE(code)); }
int64_t sys_exit_group(int code) { process_exit(W_EXITCODE(code)); }

int64_t sys_wait4(int pid, int *ustatus, int options, void *rusage)
{
    (void)rusage;
    if (pid < -1 || pid == 0 || (options & ~WNOHANG))
        return -EINVAL;
    if (ustatus && !user_range_ok((uint64_t)ustatus, sizeof(int)))
        return -EFAULT;
    int status = 0;
    int r = process_wait(pid, &status, options & WNOHANG);
    if (r > 0 && ustatus && copy_to_user(ustatus, &status, sizeof(status)))
        return -EFAULT; /* the child is collected anyway, as on Linux */
    return r;
}

/* Signal 0 sends nothing: it only asks whether pid exists (POSIX).  pid
 * 0 is the caller's process group, -pgid group pgid; -1 (every process
 * the caller may signal) is refused: cowl has no permissions that would
 * keep it from ending init, the shell and the test runner's children. */
int64_t sys_kill(int pid, int sig)
{
    if (sig < 0 || sig >= NSIG || pid == -1)
        return -EINVAL;
    if (pid > 0)
        return process_kill(pid, sig);
    if (pid == -__INT_MAX__ - 1) /* no group has that number, and -pid would overflow */
        return -ESRCH;
    return pgrp_signal(pid ? -pid : (int)sys_getpgrp(), sig);
}

/* Copy a user array of user strings into one kernel block. */
static int copy_string_array(char *const *uv, char **out, char *space, size_t space_size)
{
    size_t used = 0;
    int n = 0;
    for (; uv; n++) {
        if (n == EXEC_MAX_ARGS)
            return -E2BIG;
        char *us;
        if (copy_from_user(&us, uv + n, sizeof(us)))
            return -EFAULT;
        if (!us)
            break;
        ssize_t len = strncpy_from_user(space + used, us, space_size - used);
        if (len < 0)
            return len == -ENAMETOOLONG ? -E2BIG : (int)len;
        out[n] = space + used;
        used += len + 1;
    }
    out[n] = NULL;
    return 0;
}

struct exec_args {
    char path[PATH_MAX];
    char *argv[EXEC_MAX_ARGS + 1], *envp[EXEC_MAX_ARGS + 1];
    char space[2 * EXEC_MAX_ARGBYTES];
};

int64_t sys_execve(const char *upath, char *const *uargv, char *const *uenvp)
{
    struct exec_args *a = kmalloc(sizeof(*a));
    if (!a)
        return -ENOMEM;
    ssize_t n = strncpy_from_user(a->path, upath, sizeof(a->path));
    int err = n < 0 ? (int)n : n == 0 ? -ENOENT : 0;
    if (!err)
        err = copy_string_array(uargv, a->argv, a->space, EXEC_MAX_ARGBYTES);
    if (!err)
        err = copy_string_array(uenvp, a->envp, a->space + EXEC_MAX_ARGBYTES, EXEC_MAX_ARGBYTES);
    if (!err)
        err = process_exec(a->path, a->argv, a->envp);
    kfree(a);
    return err; /* on success the frame now starts the new program (rax = 0) */
}

int64_t sys_nanosleep(const struct timespec *ureq, struct timespec *urem)
{
    struct timespec req;
    if (copy_from_user(&req, ureq, sizeof(req)))
        return -EFAULT;
    if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= 1000000000)
        return -EINVAL;
    uint64_t end = time_now_us() + req.tv_sec * 1000000ul + (req.tv_nsec + 999) / 1000;
    sched_sleep_us(end - time_now_us());
    if (!current_thread()->killed)
        return 0;
    /* A signal ended the sleep early: how much was left. */
    uint64_t now = time_now_us(), left = end > now ? end - now : 0;
    struct timespec rem = {left / 1000000, (left % 1000000) * 1000};
    if (urem && copy_to_user(urem, &rem, sizeof(rem)))
        return -EFAULT;
    return -EINTR;
}

int64_t sys_clock_gettime(int clock, struct timespec *uts)
{
    if (clock < 0 || clock > 1) /* CLOCK_REALTIME, CLOCK_MONOTONIC: both time since boot */
        return -EINVAL;
    uint64_t us = time_now_us();
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    return copy_to_user(uts, &ts, sizeof(ts));
}


int64_t sys_reboot(int magic1, int magic2, int cmd, void *arg)
{
    (void)arg;
    if ((uint32_t)magic1 != REBOOT_MAGIC1 || magic2 != REBOOT_MAGIC2 || cmd != REBOOT_CMD_POWER_OFF)
        return -EINVAL;
    kprintf("cowl: power off\n");
    arch_power_off();
}

/* One line per process for ps: "pid ppid state name\n". */
struct procs_buf {
    char *buf;
    size_t size, used;
};

static void describe(struct thread *t, void *arg)
{
    static const char states[] = "NRRSZ"; /* new, runnable, running, sleeping, zombie */
    struct procs_buf *b = arg;
    struct process *p = t->proc;
    int n = snprintf(b->buf + b->used, b->size - b->used, "%d %d %c %s\n", t->tid,
                     p->parent ? p->parent->pid : 0, states[t->state], p->name);
    if (n > 0 && b->used + n < b->size)
        b->used += n;
}

int64_t sys_cowl_procs(void *ubuf, size_t size)
{
    char *k = kmalloc(4096);
    if (!k)
        return -ENOMEM;
    struct procs_buf b = {k, 4096, 0};
    thread_for_each(describe, &b); /* one line per thread */
    size_t n = MIN(b.used, size);
    int err = copy_to_user(ubuf, k, n);
    kfree(k);
    return err ? err : (int64_t)n;
}

/* [free pages, total pages, table pages the caller's last fork allocated] */
int64_t sys_cowl_memstat(uint64_t *uout, size_t n)
{
    uint64_t v[3] = {pmm_free_pages(), pmm_total_pages(), current_process()->last_fork_tables};
    n = MIN(n, 3);
    return copy_to_user(uout, v, n * sizeof(uint64_t)) ? -EFAULT : (int64_t)n;
}

/* Set how this process (and the children it forks from now on) forks: 0
 * share, 1 copy, 2 eager; -1 only asks.  Returns the previous mode. */
int64_t sys_cowl_fork_mode(int mode)
{
    if (mode < -1 || mode > 2)
        return -EINVAL;
    int old = current_process()->fork_mode;
    if (mode >= 0)
        current_process()->fork_mode = mode;
    return old;
}

/* prctl: only PR_SET_CHILD_SUBREAPER / PR_GET_CHILD_SUBREAPER, which let
 * a process (a test, a service manager) collect the orphans of its
 * descendants itself instead of the kernel's boot thread. */
int64_t sys_prctl(int option, uint64_t arg2)
{
    struct process *g = current_process();
    switch (option) {
    case PR_SET_CHILD_SUBREAPER:
        __atomic_store_n(&g->child_subreaper, arg2 != 0, __ATOMIC_RELAXED);
        return 0;
    case PR_GET_CHILD_SUBREAPER: {
        int v = g->child_subreaper;
        return copy_to_user((void *)arg2, &v, sizeof(v));
    }
    }
    return -EINVAL;
}

/* Fault injection (mm/failalloc.h): arm the caller, disarm, or ask. */
int64_t sys_cowl_failalloc(int op, int64_t arg)
{
    int64_t r = failalloc_control(op, arg);
    if (r >= 0 && op != COWL_FAIL_STATUS)
        process_set_failalloc(current_process(), op != COWL_FAIL_OFF);
    return r;
}

/* Virtual-memory counters and census (uapi/vmstat.h), as much of the
 * struct as fits in size bytes; the number of bytes filled in. */
int64_t sys_cowl_vmstat(void *ubuf, size_t size)
{
    struct vm_stats st;
    vm_stats_collect(&st);
    size = MIN(size, sizeof(st));
    return copy_to_user(ubuf, &st, size) ? -EFAULT : (int64_t)size;
}

/* One struct cpu_stats per CPU (uapi/cpustat.h), as many as fit; the
 * number of CPUs filled in. */
int64_t sys_cowl_cpustat(void *ubuf, size_t size)
{
    int n = 0;
    for (struct cpu *c; (c = arch_cpu(n)) != NULL && (n + 1) * sizeof(struct cpu_stats) <= size;
         n++) {
        struct cpu_stats st = c->stats; /* a racy snapshot of counters: fine */
        st.ticks = c->ticks;
        if (copy_to_user((struct cpu_stats *)ubuf + n, &st, sizeof(st)))
            return -EFAULT;
    }
    return n;
}

/* The CPU the caller runs on (it may have moved by the time it looks). */
int64_t sys_getcpu(unsigned *ucpu, unsigned *unode, void *unused)
{
    (void)unused;
    unsigned cpu = this_cpu()->id, node = 0;
    if (ucpu && copy_to_user(ucpu, &cpu, sizeof(cpu)))
        return -EFAULT;
    if (unode && copy_to_user(unode, &node, sizeof(node)))
        return -EFAULT;
    return 0;
}
