#ifndef _SYS_PRCTL_H
#define _SYS_PRCTL_H
/* prctl: cowl knows only these two (orphans go to the nearest ancestor
 * that set it, instead of to the kernel). */
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
int prctl(int option, unsigned long arg2);
#endif
