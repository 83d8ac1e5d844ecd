/* cowl.h - calls only cowl has (not POSIX). */
#ifndef _COWL_H
#define _COWL_H
#include <stddef.h>
#include <stdint.h>
/* "pid ppid state name" lines into buf; bytes written or -1. */
long cowl_procs(char *buf, size_t size);
/* free and total physical pages */
int cowl_memstat(uint64_t *free_pages, uint64_t *total_pages);
/* Page-table pages allocated by the caller's last fork(). */
long cowl_fork_tables(void);
/* Turn the machine off. */
int poweroff(void);
#endif
