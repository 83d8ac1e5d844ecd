/* tls.c - the main thread's thread control block and errno, which lives in
 * each thread's block (user/lib/tls.h; pthread.c makes the others). */
#include <errno.h>

#include "tls.h"
#include "uapi/prctl.h"
#include "uapi/syscall.h"

long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

static struct tcb main_tcb = {.self = &main_tcb};

/* Before main (crt0.asm).  Without a thread pointer the first errno
 * would fault: no kernel that runs this program lacks arch_prctl. */
void tls_init_main(void) { __syscall(SYS_arch_prctl, ARCH_SET_FS, (long)&main_tcb, 0, 0, 0, 0); }

int *__errno_location(void) { return &tcb_self()->errno_value; }
