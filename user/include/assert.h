#ifndef _ASSERT_H
#define _ASSERT_H
#include <stdio.h>
#include <stdlib.h>
#ifdef NDEBUG
#define assert(x) ((void)0)
#else
#define assert(x)                                                                                  \
    ((x) ? (void)0                                                                                 \
         : (fprintf(stderr, "%s:%d: %s: assertion '%s' failed\n", __FILE__, __LINE__, __func__,    \
                    #x),                                                                           \
            abort()))
#endif
#endif
