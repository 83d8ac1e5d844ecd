/* proc.h - threads and processes.
 *
 * Lock legend:  [s] sched_lock   [p] proc_table_lock   [-] immutable after creation
 *               [c] only the thread itself (or its creator before it runs)
 */
#ifndef PROC_H
#define PROC_H

#include "kernel/list.h"
#include "kernel/types.h"
#include "kernel/waitq.h"

#define PROC_NAME_MAX 16
#define KSTACK_ORDER  2 /* 16 KiB kernel stacks */
#define KSTACK_SIZE   (PAGE_SIZE << KSTACK_ORDER)

enum proc_state {
    P_NEW,      /* being set up, not yet runnable */
    P_RUNNABLE, /* on the run queue */
    P_RUNNING,  /* on a CPU */
    P_SLEEPING, /* on a wait queue */
    P_ZOMBIE,   /* exited; waiting for its parent to collect it */
};

struct proc {
    int pid;                   /* [-] */
    char name[PROC_NAME_MAX];  /* [c] */
    enum proc_state state;     /* [s] */
    struct list_head run_link; /* [s] run queue or wait queue */
    struct list_head all_link; /* [p] every proc */
    uint64_t ctx_rsp;          /* [s] saved kernel rsp while switched out */
    void *kstack;              /* [-] base of the kernel stack */
    struct proc *parent;       /* [p] */
    int exit_status;           /* [p] valid once P_ZOMBIE */
    struct waitq child_exit;   /* [s] parent sleeps here for children */
    bool is_idle;              /* [-] */
};

void sched_init(void);

/* A kernel thread running fn(arg), child of the caller; NULL if out of memory. */
struct proc *kthread_create(const char *name, int (*fn)(void *), void *arg);
/* Make a created thread runnable. */
void proc_start(struct proc *p);
/* End the calling kernel thread. */
__attribute__((noreturn)) void kthread_exit(int status);
/* Wait for child p to exit, free it, return its exit status. */
int kthread_join(struct proc *p);

/* Give the CPU to another runnable thread, if any. */
void sched_yield(void);
/* Called from the timer interrupt: account a tick, maybe ask to switch. */
void sched_tick(void);
/* Called on the way out of an interrupt: switch if the tick asked to. */
void sched_preempt_point(void);
/* Sleep for at least `ticks` timer ticks. */
void sched_sleep_ticks(uint64_t ticks);
uint64_t sched_ticks(void);

struct proc *current_proc(void);
int proc_count(void);

#endif
