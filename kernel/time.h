/* time.h - kernel time: timer ticks for scheduling, TSC for clocks. */
#ifndef TIME_H
#define TIME_H

#include <stdint.h>

#define HZ              100 /* timer interrupts per second (10 ms slices) */

/* Microseconds since boot, from the calibrated TSC. */
uint64_t time_now_us(void);
uint64_t time_now_ns(void);
extern uint64_t tsc_per_us;

#endif
