/* memory.h - what a cowl test checks comes back after it: free pages, and
 * kernel heap objects (a leaked object in a slab that stays in use for
 * others shows only there).  cowl-only: it reads cowl_vmstat. */
#ifndef MEMORY_H
#define MEMORY_H

#include "check.h"
#include <cowl.h>

struct memory {
    uint64_t free_pages, heap_objects;
};

static inline struct memory memory_now(void)
{
    struct vm_stats st;
    CHECK_EQ(cowl_vmstat(&st), 0);
    return (struct memory){st.free_pages, st.heap_objects};
}

#endif
