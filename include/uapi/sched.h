/* uapi/sched.h - clone() flags, Linux's.  cowl's clone makes threads: it
 * accepts exactly CLONE_THREAD_FLAGS, optionally with the two tid flags
 * and CLONE_SETTLS. */
#ifndef COWL_UAPI_SCHED_H
#define COWL_UAPI_SCHED_H

#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_THREAD         0x00010000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000 /* tls is the new thread's FS base (thread pointer) */
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_THREAD_FLAGS   (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)

#endif
