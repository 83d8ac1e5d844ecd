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

/* Has the function containing rip pushed its frame yet?  GCC starts every
 * function that keeps a frame with "push rbp; mov rbp, rsp" (55 48 89 e5),
 * but leaf functions get no frame at all, even with -fno-omit-frame-pointer. */
static bool frame_is_set_up(uint64_t rip)
{
    uint64_t off;
    if (!ksym_lookup(rip, &off))
        return true;
    const uint8_t *fn = (const uint8_t *)(rip - off);
    bool has_prologue = fn[0] == 0x55 && fn[1] == 0x48 && fn[2] == 0x89 && fn[3] == 0xe5;
    return has_prologue && off >= 4;
}

void arch_backtrace(uint64_t rip, uint64_t rbp, uint64_t rsp)
{
    kprintf("  backtrace:\n");
    int depth = 0;
    if (rip)
        print_frame(depth++, rip, false);
    if (rip && rsp >= KERNEL_VMA && !frame_is_set_up(rip)) /* return address on top */
        print_frame(depth++, *(const uint64_t *)rsp, true);
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
