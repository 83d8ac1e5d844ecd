#ifndef _SYS_PRCTL_H
#define _SYS_PRCTL_H
#include "uapi/prctl.h" /* PR_* options, shared with the kernel */
int prctl(int option, unsigned long arg2);
#endif
