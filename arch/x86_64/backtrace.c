/* backtrace.c - walking the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer: each frame starts with [saved rbp, return rip]). */
#include "arch.h"
#include "kernel/ksyms.h"
#include "kernel/printk.h"

/* `is_return` addresses point after a call; look up rip - 1 so that a call
 * at the very end of a function (to a noreturn one) names the caller. */
static void print_frame(int depth, uint64_t rip, bool is_return)
{
    uint64_t off;
    const char *name = ksym_lookup(rip - is_return, &off);
    off += is_return;
    if (name)
        kprintf("  #%d [<%016lx>] %s+0x%lx\n", depth, rip, name, off);
    else
        kprintf("  #%d [<%016lx>] ?\n", depth, rip);
}

static bool plausible_frame(uint64_t rbp)
{
    return rbp >= KERNEL_VMA && (rbp & 7) == 0 && rbp < ~0ul - 16;
}

void arch_backtrace(uint64_t rip, uint64_t rbp)
{
    kprintf("  backtrace:\n");
    int depth = 0;
    if (rip)
        print_frame(depth++, rip, false);
    for (; depth < 32 && plausible_frame(rbp); depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;
        if (!frame[1])
            break;
        print_frame(depth, frame[1], true);
        if (frame[0] <= rbp) /* the stack grows down: callers live above */
            break;
        rbp = frame[0];
    }
}
