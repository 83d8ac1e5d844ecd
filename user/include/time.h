#ifndef _TIME_H
#define _TIME_H
#include <stdint.h>
#include "uapi/time.h" /* struct timespec and CLOCK_*, shared with the kernel */
typedef long time_t;
int clock_gettime(int clock, struct timespec *ts);
int nanosleep(const struct timespec *req, struct timespec *rem);
#endif
