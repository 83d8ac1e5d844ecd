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

/* Frames are read with a fault-safe load: the stack being unwound may be
 * the one that just overflowed, or rbp may be garbage. */
static bool read_word(uint64_t addr, uint64_t *out)
{
    return addr >= DIRECT_MAP_BASE && (addr & 7) == 0 &&
           arch_probe_read64((const void *)addr, out) == 0;
}

/* Has the function containing rip pushed its frame yet?  GCC starts every
 * function that keeps a frame with "push rbp; mov rbp, rsp" (55 48 89 e5),
 * but leaf functions get no frame at all, even with -fno-omit-frame-pointer. */
static bool frame_is_set_up(uint64_t rip)
{
    uint64_t off;
    if (!ksym_lookup(rip, &off))
        return true;
    uint64_t first;
    if (arch_probe_read64((const void *)(rip - off), &first))
        return true;
    bool has_prologue = (first & 0xffffffff) == 0xe5894855; /* 55 48 89 e5 */
    return has_prologue && off >= 4;
}

void arch_backtrace(uint64_t rip, uint64_t rbp, uint64_t rsp)
{
    kprintf("  backtrace:\n");
    int depth = 0;
    if (rip)
        print_frame(depth++, rip, false);
    uint64_t ret, saved_rbp;
    if (rip && rsp && !frame_is_set_up(rip) && read_word(rsp, &ret)) /* return address on top */
        print_frame(depth++, ret, true);
    uint64_t last = 0, repeats = 0;
    for (int steps = 0; steps < 4096 && depth < 32; steps++) {
        if (!read_word(rbp, &saved_rbp) || !read_word(rbp + 8, &ret) || !ret)
            break;
        if (ret == last) {
            repeats++; /* deep recursion: one line, not thousands */
        } else {
            if (repeats)
                kprintf("  ... the frame above %lu more times\n", repeats);
            repeats = 0;
            print_frame(depth++, ret, true);
            last = ret;
        }
        if (saved_rbp <= rbp) /* the stack grows down: callers live above */
            break;
        rbp = saved_rbp;
    }
    if (repeats)
        kprintf("  ... the frame above %lu more times\n", repeats);
}
