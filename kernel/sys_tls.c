/* sys_tls.c - arch_prctl: a thread's thread pointer, the FS base that
 * thread-local storage (libc's per-thread errno) is found through
 * (docs/smp.md, "Thread-local storage").  The register itself is switched
 * with the thread by the scheduler (kernel/sched.c). */
#include "kernel/sys.h"
#include "kernel/thread.h"
#include "kernel/usercopy.h"
#include "uapi/prctl.h"

/* Linux's limit (TASK_SIZE_MAX): a user address below the last page.  A
 * non-canonical base would make the kernel's own wrmsr fault. */
bool tls_base_ok(uint64_t base) { return base < USER_TOP - PAGE_SIZE; }

int64_t sys_arch_prctl(int code, uint64_t addr)
{
    switch (code) {
    case ARCH_SET_FS:
        if (!tls_base_ok(addr))
            return -EPERM;
        /* The MSR is the truth while we run: a switch away saves it into
         * current_thread()->fs_base, whenever it comes. */
        arch_user_fs_set(addr);
        return 0;
    case ARCH_GET_FS: {
        uint64_t base = arch_user_fs_get();
        return copy_to_user((void *)addr, &base, sizeof(base));
    }
    }
    return -EINVAL; /* ARCH_SET_GS/ARCH_GET_GS too: the kernel's per-CPU GS is not lent out */
}
