/* sched.h - the scheduler: running, sleeping and waking threads on every
 * CPU (kernel/sched.c).  Wait queues are in kernel/waitq.h. */
#ifndef SCHED_H
#define SCHED_H

#include "kernel/thread.h"
#include "kernel/waitq.h"

void sched_init(void);
/* An AP joins the scheduler; its current stack becomes its idle thread's. */
__attribute__((noreturn)) void sched_cpu_enter(struct cpu *c);
void sched_resched_ipi(void);
/* Make a new thread runnable. */
void sched_start(struct thread *t);
void sched_yield(void);
void sched_tick(void);          /* timer interrupt */
void sched_preempt_point(void); /* on the way out of an interrupt */
void sched_sleep_ticks(uint64_t ticks);
/* Sleep at least `us` microseconds of wall time (or until killed). */
void sched_sleep_us(uint64_t us);
uint64_t sched_ticks(void);
/* Wait until t (already a zombie) has left its CPU for good. */
void sched_wait_off_cpu(struct thread *t);
/* Wake t if it sleeps (kill uses it). */
void sched_wake(struct thread *t);
/* sched_lock protects run queues and wait queues; exit holds it across the
 * final switch. */
void sched_lock_acquire(void);
void sched_lock_release(void);
/* Wake everything on q; sched_lock already held. */
void wake_all_locked(struct waitq *q);
/* Switch away for good (exit); sched_lock held. */
__attribute__((noreturn)) void sched_exit_switch(void);

#endif
