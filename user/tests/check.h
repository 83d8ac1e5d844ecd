/* check.h - tiny assertion helpers for cowl's user-space tests.  A test
 * program passes by exiting 0; CHECK prints what failed and exits 1. */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno);               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long a_ = (long)(a), b_ = (long)(b);                                                       \
        if (a_ != b_) {                                                                            \
            printf("FAIL %s:%d: %s == %s (%ld != %ld, errno %d)\n", __FILE__, __LINE__, #a, #b,    \
                   a_, b_, errno);                                                                 \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#endif
