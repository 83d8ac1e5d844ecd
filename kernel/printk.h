/* printk.h - kernel logging to the serial console, with log levels. */
#ifndef PRINTK_H
#define PRINTK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/format.h"

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Messages above this level are dropped; set by `loglevel=` (0-3). */
extern int log_threshold;

/* The kernel log's last LOG_BUF_SIZE bytes (a ring; see printk.c). */
#define LOG_BUF_SIZE (64 * 1024)
extern char log_buf[LOG_BUF_SIZE];
extern uint64_t log_head;

/* Raw bytes to the console (under the same lock as kprintf). */
void console_write_kernel(const char *s, size_t n);
/* Does this CPU hold the console lock (is it inside kprintf)? */
int console_held_here(void);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

/* A broken invariant: print "function: what broke", a backtrace, stop. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define assert(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            panic("%s: assertion '%s' failed at %s:%d", __func__, #cond, __FILE__, __LINE__);      \
    } while (0)

#endif
