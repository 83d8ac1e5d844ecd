/* bench.h - the clock and the median that the benchmarks and the
 * self-timing tests share.  Static inline and plain POSIX, so a program
 * that includes it still builds unchanged for the host Linux (gcc with no
 * -I, as tools/bench.py and tests/test_linux.py build it): include it as
 * "../include/bench.h", relative to user/bin/ or user/tests/. */
#ifndef COWL_BENCH_H
#define COWL_BENCH_H

#include <stdlib.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds (on cowl, microsecond steps of the
 * calibrated TSC). */
static inline long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static inline long now_ms(void)
{
    return now_ns() / 1000000;
}

static inline int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n-1]; sorts v in place. */
static inline long median(long *v, int n)
{
    qsort(v, n, sizeof(long), cmp_long);
    return v[n / 2];
}

#endif
