/* thread.h - a thread: one flow of control with its own kernel stack,
 * registers and FPU state, scheduled on its own.  Every thread belongs to a
 * process (kernel/process.h), which owns what its threads share: the
 * address space, the open files, the working directory.  Kernel threads
 * belong to a process without an address space; the idle threads and the
 * boot thread belong to the kernel's own process (pid 0).
 *
 *   struct process (pid 7) ----- mm, files, cwd, parent, children, exit status
 *        | threads
 *        +-- struct thread (tid 7)  kernel stack, trap frame, FPU, CPU, state
 *        +-- struct thread (tid 9)  ...
 *
 * Lock legend:  [s] sched_lock   [p] proc_table_lock   [-] immutable after creation
 *               [c] only the thread itself (or its creator before it first runs)
 *               [a] atomic   [f] the futex bucket's lock */
#ifndef THREAD_H
#define THREAD_H

#include "arch.h"
#include "kernel/signal.h"
#include "lib/list.h"
#include "lib/types.h"

enum thread_state {
    T_NEW,      /* being set up, not yet runnable */
    T_RUNNABLE, /* on a run queue */
    T_RUNNING,  /* on a CPU */
    T_SLEEPING, /* on a wait queue */
    T_ZOMBIE,   /* exited; its stack is freed by whoever collects it */
};

struct cpu;
struct mm;
struct process;
struct trapframe;

struct thread {
    int tid;                    /* [-] the first thread's tid is its process's pid */
    enum thread_state state;    /* [s] */
    struct list_head run_link;  /* [s] on a run queue or a wait queue */
    struct list_head proc_link; /* [p] in its process's list of threads */
    struct process *proc;       /* [-] the process it belongs to */
    struct cpu *cpu;            /* [s] the CPU it runs on, is queued on, or ran on last */
    uint64_t ctx_rsp;           /* [s] saved kernel rsp while switched out */
    void *kstack;               /* [-] base of the kernel stack (KSTACK_SIZE bytes) */
    bool is_idle;               /* [-] a CPU's idle thread */
    bool mm_dropped;            /* [c] exiting: runs on the kernel's tables from now on */

    /* Threads that run user code only (NULL/0 for kernel threads): */
    struct trapframe *tf; /* [-] user registers, at the top of kstack */
    void *fpu;            /* [c] saved x87/SSE registers (FPU_AREA_SIZE bytes) */
    uint64_t fs_base;     /* [c] FS base while switched out: its thread pointer (TLS) */
    uint64_t clear_tid;   /* [c] user address zeroed and futex-woken at exit */
    volatile int killed;  /* [a] the signal that must end it, or SIGNAL_WAITING: leave any
                             sleep and look at the signals (kernel/signal.h), or 0 */
    struct sig_thread sig; /* [p] its mask and its own pending signals */
    uint64_t futex_addr;  /* [f] the futex it sleeps on ... */
    struct mm *futex_mm;  /* [f] ... in this address space */
};

/* The thread running on this CPU, and its process. */
struct thread *current_thread(void);
struct process *current_process(void);

/* A kernel thread running fn(arg), in a new process of its own (a child of
 * the caller's process, collected with kthread_join); NULL if out of
 * memory or the process table is full. */
struct thread *kthread_create(const char *name, int (*fn)(void *), void *arg);
/* Wait for the kernel thread's process to end; its exit code. */
int kthread_join(struct thread *t);
__attribute__((noreturn)) void kthread_exit(int code);

/* A new thread in the caller's process (same mm, files); NULL with *err
 * -ENOMEM, -EAGAIN (table full) or -EINTR (the process is exiting).  The
 * caller sets its registers and starts it (sched_start). */
struct thread *thread_create(int *err);
/* A thread of p with a kernel stack, not yet in the table or in p's list
 * of threads (process_create, thread_create put it there); NULL on ENOMEM. */
struct thread *thread_alloc(struct process *p);
/* Free a thread that never ran, or a zombie that has left its CPU. */
void thread_free(struct thread *t);
/* End the calling thread; the process too if it was its last live one.
 * status is the process's exit status if this ends it. */
__attribute__((noreturn)) void thread_exit(int status);
/* Free the caller's process's threads that have exited (not the caller). */
void thread_reap_zombies(void);

#endif
