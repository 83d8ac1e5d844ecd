#ifndef _SYS_TIME_H
#define _SYS_TIME_H
#include "uapi/time.h" /* struct timeval, struct itimerval, ITIMER_REAL */
int setitimer(int which, const struct itimerval *new_value, struct itimerval *old_value);
int getitimer(int which, struct itimerval *value);
#endif
