/* uapi/signal.h - signal numbers, Linux's.  cowl's signals only kill: a
 * killed process's wait status carries the number. */
#ifndef COWL_UAPI_SIGNAL_H
#define COWL_UAPI_SIGNAL_H

#define SIGINT  2 /* Ctrl-C on the console */
#define SIGQUIT 3 /* Ctrl-\ (0x1c) on the console */
#define SIGILL  4
#define SIGFPE  8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGTERM 15

#endif
