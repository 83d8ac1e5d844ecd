#ifndef _SIGNAL_H
#define _SIGNAL_H
#include "uapi/signal.h" /* signal numbers, shared with the kernel */
int kill(int pid, int sig);
#endif
