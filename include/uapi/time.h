/* uapi/time.h - clock_gettime(), nanosleep() and setitimer(): struct
 * timespec, struct itimerval and the clocks cowl has. */
#ifndef COWL_UAPI_TIME_H
#define COWL_UAPI_TIME_H

#include <stdint.h>

struct timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

/* setitimer/getitimer: only ITIMER_REAL, which sends SIGALRM. */
struct timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};
struct itimerval {
    struct timeval it_interval; /* re-armed with this after it fires; 0: once */
    struct timeval it_value;    /* time left until it fires; 0: disarmed */
};
#define ITIMER_REAL 0

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1

#endif
