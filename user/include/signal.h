#ifndef _SIGNAL_H
#define _SIGNAL_H
#define SIGILL  4
#define SIGFPE  8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGTERM 15
int kill(int pid, int sig);
#endif
