/* process.h - a process: what its threads share (address space, open
 * files, working directory) and what its parent sees (pid, exit status).
 * A process lives from fork (or spawn, or kthread_create) until its parent
 * collects it with wait, after its last thread has exited.
 *
 * The process table (kernel/process.c) lists every process; each process
 * lists its threads.  Both lists, the parent links and the counts below are
 * protected by proc_table_lock.
 *
 * Lock legend:  [s] sched_lock   [p] proc_table_lock   [-] immutable after creation
 *               [c] only its own threads (or its creator before it first runs)
 *               [a] atomic   [fs_lock], [fd_lock] those locks */
#ifndef PROCESS_H
#define PROCESS_H

#include "kernel/signal.h"
#include "kernel/spinlock.h"
#include "kernel/thread.h"
#include "kernel/waitq.h"
#include "lib/list.h"
#include "lib/types.h"
#include "uapi/wait.h"

#define PROC_NAME_MAX 16
#define NFILES        16 /* open files per process */
/* Threads (of all processes, kernel threads included, idle threads not)
 * the table holds at once; a fork or clone past it fails with EAGAIN, as
 * on Linux at its threads-max.  Without a limit a fork bomb only stops
 * when memory is gone, and then every process that needs a page is
 * killed.  1024 kernel stacks are 16 MiB.  user/include/limits.h says it
 * as CHILD_MAX. */
#define MAX_THREADS 1024

struct inode;
struct file;
struct mm;

struct process {
    int pid;                   /* [-] */
    char name[PROC_NAME_MAX];  /* [c] the program it runs (exec changes it) */
    struct process *parent;    /* [p] */
    struct list_head all_link; /* [p] in the process table */
    struct list_head threads;  /* [p] its threads, zombies included */
    int live;                  /* [p] threads that have not started to exit */
    int nthreads;              /* [p] threads that are not zombies yet */
    bool group_exit;           /* [p] exit_group or a signal ends every thread */
    int exit_status;           /* [p] wait status, once live reaches 0 */
    struct waitq child_exit;   /* [s] its threads sleep here in wait() */
    struct waitq thread_exit;  /* [s] exec waits here for the other threads to go */
    struct sig_process sig;    /* [p] dispositions, pending signals (kernel/signal.h) */
    int pgid;                  /* [p] its process group (kernel/pgrp.c) ... */
    int sid;                   /* [p] ... and session: a fork's are its parent's */
    bool execed;               /* [p] has run exec since its fork (setpgid's EACCES) */

    struct mm *mm;              /* [c] address space; changed under [p] too; NULL:
                                   a kernel process, or ended */
    struct inode *cwd;          /* [fs_lock] working directory */
    struct file *files[NFILES]; /* [fd_lock] open files by descriptor */
    struct spinlock fd_lock;    /* protects files[] */

    bool child_subreaper;      /* [a] adopts its descendants' orphans (prctl) */
    int fork_mode;             /* [c] enum fork_mode of its forks (inherited) */
    bool failalloc;            /* [c] its allocations may be made to fail (mm/failalloc.h) */
    uint64_t last_fork_tables; /* [c] page-table pages its last fork allocated */
};

/* The kernel's own process (pid 0): the boot thread (kmain) and the idle
 * threads belong to it.  It adopts orphans and never exits. */
extern struct process kernel_process;

/* A new process, child of the caller's, with one thread that has not run
 * yet and shares nothing; returns that thread (t->proc is the process), or
 * NULL with *err -ENOMEM, or -EAGAIN if the table is full.  The caller
 * fills in mm, files, cwd and registers, then starts the thread
 * (sched_start). */
struct thread *process_create(const char *name, int *err);
/* Undo process_create for a process whose thread never ran. */
void process_free_unstarted(struct process *p);
/* The process's part of exiting, done by its last live thread: files,
 * cwd, address space, orphans, exit status (unless exit_group set one). */
void process_release(struct process *p, int status);
/* Arm or disarm fault injection (mm/failalloc.h) for p, the caller's
 * process: its allocations, and its future children's, may fail. */
void process_set_failalloc(struct process *p, bool armed);
/* wait: child `pid`, or any child when pid == -1.  Its pid, with *status
 * set; -ECHILD if there is no such child; 0 with nohang if none exited yet;
 * -EINTR if the caller was killed while waiting. */
int process_wait(int pid, int *status, bool nohang);
/* exit_group: end the whole process with this status, from any thread. */
__attribute__((noreturn)) void process_exit(int status);
/* End every other thread of the caller's process and wait until they have
 * exited (exec).  -EINTR if the caller itself was killed meanwhile. */
int process_end_other_threads(void);
/* kill(pid, sig): send sig to process pid (kernel/signal.c decides what
 * it does; sig 0: only look).  -ESRCH if there is no such process. */
int process_kill(int pid, int sig);
/* End p with sig: its exit status says so (unless it is ending already)
 * and every thread is killed and woken. [p] */
void process_kill_locked(struct process *p, int sig);
/* Send sig to p as kill() does (signal_send_process), proc_table_lock held
 * (a process group's members, kernel/pgrp.c); -ESRCH if p is a kernel
 * process.  Takes no lock but spinlocks: it may run in an interrupt
 * handler (Ctrl-C). */
struct siginfo_k;
int process_signal_locked(struct process *p, int sig, const struct siginfo_k *info);
/* The live user process pid (kernel threads are no target), or NULL. [p] */
struct process *process_find_user(int pid);
/* Process pid, zombies included, or NULL. [p] */
struct process *process_find(int pid);
/* Set p->mm (under proc_table_lock, so that process_mm_get never sees an
 * mm after its owner let go of it); returns the old one, still referenced. */
struct mm *process_swap_mm(struct process *p, struct mm *mm);
/* The address space of process `pid`, with a reference (mm_put it); NULL
 * if there is no such process or it has none (ended, kernel process). */
struct mm *process_mm_get(int pid);

/* Visit every process / every thread (idle threads not) under
 * proc_table_lock (ps, the audits, the gdb-free tests). */
void process_for_each(void (*fn)(struct process *p, void *arg), void *arg);
void process_for_each_locked(void (*fn)(struct process *p, void *arg), void *arg); /* [p] held */
void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg);
/* Threads in the table (kernel ones included, idle ones not). */
int thread_count(void);
/* for (each thread t of process p), proc_table_lock held. */
#define for_each_thread_of(p, t) list_for_each_entry(t, &(p)->threads, proc_link)

/* ---- For kernel/thread.c: the process table's lock and its count of
 * threads.  proc_table_lock comes before sched_lock in the lock order. */
extern struct spinlock proc_table_lock;
/* Count t against MAX_THREADS and give it a tid; -EAGAIN when full. [p] */
int ptable_add_thread(struct thread *t);
/* Give t's slot back. [p] */
void ptable_del_thread(struct thread *t);

#endif
