/* proc.h - threads and processes.
 *
 * Every thread of control is a struct proc with its own kernel stack.  A
 * kernel thread has no mm; a user process has an address space, open files
 * and a working directory.
 *
 * Lock legend:  [s] sched_lock   [p] proc_table_lock   [-] immutable after creation
 *               [c] only the thread itself (or its creator before it first runs)
 *               [a] atomic
 */
#ifndef PROC_H
#define PROC_H

#include "lib/list.h"
#include "lib/types.h"
#include "kernel/waitq.h"
#include "uapi/wait.h"

#define PROC_NAME_MAX 16
#define NFILES        16 /* open files per process */
/* Threads (of all processes, kernel threads included, idle threads not)
 * the process table holds at once; a fork or clone past it fails with
 * EAGAIN, as on Linux at its threads-max.  Without a limit a fork bomb only
 * stops when memory is gone, and then every process that needs a page is
 * killed.  1024 kernel stacks are 16 MiB, and the table is a list walked
 * by wait and exit.  user/include/limits.h says it as CHILD_MAX. */
#define MAX_PROCS 1024

enum proc_state {
    P_NEW,      /* being set up, not yet runnable */
    P_RUNNABLE, /* on the run queue */
    P_RUNNING,  /* on a CPU */
    P_SLEEPING, /* on a wait queue */
    P_ZOMBIE,   /* exited; waiting for its parent to collect it */
};

struct cpu;
struct mm;
struct inode;
struct file;
struct trapframe;

struct proc {
    int pid;                   /* [-] */
    char name[PROC_NAME_MAX];  /* [c] */
    enum proc_state state;     /* [s] */
    struct list_head run_link; /* [s] run queue or wait queue */
    struct list_head all_link; /* [p] every proc */
    uint64_t ctx_rsp;          /* [s] saved kernel rsp while switched out */
    void *kstack;              /* [-] base of the kernel stack */
    struct proc *parent;       /* [p] */
    int exit_status;           /* [p] waitpid status, valid once P_ZOMBIE */
    struct waitq child_exit;   /* [s] this proc sleeps here for its children */
    bool is_idle;              /* [-] */
    struct cpu *cpu;           /* [s] the CPU it runs on, is queued on, or ran on last */

    /* User processes only (NULL/0 for kernel threads): */
    struct mm *mm;              /* [c] address space; changed under [p] too */
    void *fpu;                  /* [c] saved x87/SSE registers (512 bytes) */
    struct trapframe *tf;       /* [-] user registers, at the top of kstack */
    struct inode *cwd;          /* [fs_lock] leader: working directory */
    struct file *files[NFILES]; /* [fd_lock] leader: open files by descriptor */
    volatile int killed;        /* [a] signal that must end it, or 0 */
    uint64_t last_fork_tables;  /* [c] page-table pages its last fork allocated */
    int fork_mode;              /* [c] enum fork_mode its forks use (inherited) */
    bool failalloc;             /* [c] its allocations may be made to fail (mm/failalloc.h) */
    bool child_subreaper;       /* [a] leader: adopts its descendants' orphans (prctl) */

    /* Threads.  A process is a group of threads that share one mm and one
     * descriptor table.  The leader's struct proc stands for the process
     * (pid, parent, files, cwd, exit status, children) for as long as any
     * of its threads lives, even after the leader's own thread has exited;
     * its fields above marked "leader" are only meaningful there. */
    struct proc *group;       /* [-] the leader (itself for a leader) */
    int live;                 /* [p] leader: threads that have not started to exit */
    int nthreads;             /* [p] leader: threads that are not zombies yet */
    bool group_exit;          /* [p] leader: exit_group or a signal ends every thread */
    struct waitq thread_exit; /* [s] leader: exec waits here for the others to go */
    struct spinlock fd_lock;  /* leader: protects files[] */
    uint64_t clear_tid;       /* [c] user address zeroed and futex-woken at exit */
    uint64_t futex_addr;      /* [futex bucket] the futex it sleeps on */
    struct mm *futex_mm;      /* [futex bucket] in this address space */
};


/* ---- kernel/sched.c: running, sleeping, waking */
void sched_init(void);
/* An AP joins the scheduler; its current stack becomes its idle thread's. */
__attribute__((noreturn)) void sched_cpu_enter(struct cpu *c);
void sched_resched_ipi(void);
void proc_start(struct proc *p); /* make a new proc runnable */
void sched_yield(void);
void sched_tick(void);          /* timer interrupt */
void sched_preempt_point(void); /* on the way out of an interrupt */
void sched_sleep_ticks(uint64_t ticks);
/* Sleep at least `us` microseconds of wall time (or until killed). */
void sched_sleep_us(uint64_t us);
uint64_t sched_ticks(void);
struct proc *current_proc(void);
/* Wait until p (already a zombie) has left its CPU for good. */
void sched_wait_off_cpu(struct proc *p);
/* Wake p if it sleeps (kill uses it). */
void sched_wake(struct proc *p);
/* sched_lock protects run queues and wait queues; exit holds it across the
 * final switch. */
void sched_lock_acquire(void);
void sched_lock_release(void);
/* Wake everything on q; sched_lock already held. */
void wake_all_locked(struct waitq *q);
/* Switch away for good (exit); sched_lock held. */
__attribute__((noreturn)) void sched_exit_switch(void);

/* ---- kernel/proc.c: creation and lifetimes */
/* A kernel thread running fn(arg), child of the caller; NULL if out of memory. */
struct proc *kthread_create(const char *name, int (*fn)(void *), void *arg);
/* End the calling thread or process with a waitpid-style status. */
__attribute__((noreturn)) void proc_exit(int status);
__attribute__((noreturn)) void kthread_exit(int code);
/* Wait for child p to exit, free it, return its exit code. */
int kthread_join(struct proc *p);
/* waitpid: child `pid`, or any child when pid == -1.  Its pid, with *status
 * set; -ECHILD if there is no such child; 0 with nohang if none exited yet;
 * -EINTR if the caller was killed while waiting. */
int proc_wait(int pid, int *status, bool nohang);
/* A new process sharing nothing yet, child of the caller; NULL with *err
 * -ENOMEM, or -EAGAIN if the table is full (MAX_PROCS).  The caller fills
 * in mm, files, cwd and registers, then proc_start()s it. */
struct proc *proc_alloc(const char *name, int *err);
/* A new thread in the caller's process (same mm, files); NULL with *err
 * -ENOMEM, -EAGAIN (table full) or -EINTR (the process is exiting).  The
 * caller sets registers and starts it. */
struct proc *thread_alloc(int *err);
/* sched_init: p is the boot CPU's idle thread.  It never exits and is not
 * counted against MAX_PROCS. */
void proc_make_idle(struct proc *p);
/* End every other thread of the caller's process and wait until they have
 * exited (exec).  -EINTR if the caller itself was killed meanwhile. */
int group_end_other_threads(void);
/* exit_group: end the whole process with this status, from any thread. */
__attribute__((noreturn)) void group_exit(int status);
/* Free the caller's process's threads that have exited (not the leader). */
void reap_dead_threads(void);
/* Undo proc_alloc for a child that never ran. */
void proc_free_unstarted(struct proc *p);
/* Set p->mm (under proc_table_lock, so that proc_mm_get never sees an mm
 * after its owner let go of it); returns the old one, still referenced. */
struct mm *proc_swap_mm(struct proc *p, struct mm *mm);
/* The address space of process `pid`, with a reference (mm_put it); NULL
 * if there is no such process or it has none (exiting, kernel thread). */
struct mm *proc_mm_get(int pid);
/* Visit every process under the proc table lock. */
void proc_for_each(void (*fn)(struct proc *p, void *arg), void *arg);
int proc_count(void);
/* Mark pid killed by signal sig and wake it (sig 0: only look); -ESRCH if
 * no such pid. */
int proc_kill(int pid, int sig);

#endif
