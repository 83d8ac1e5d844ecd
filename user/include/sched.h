#ifndef _SCHED_H
#define _SCHED_H
int sched_yield(void);
/* The CPU the caller is running on (0-based), or -1. */
int sched_getcpu(void);
#endif
