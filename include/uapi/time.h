/* uapi/time.h - clock_gettime() and nanosleep(): struct timespec and the
 * clocks cowl has. */
#ifndef COWL_UAPI_TIME_H
#define COWL_UAPI_TIME_H

#include <stdint.h>

struct timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1

#endif
