/* uapi/prctl.h - the prctl() options cowl knows: a subreaper adopts its
 * descendants' orphans instead of init. */
#ifndef COWL_UAPI_PRCTL_H
#define COWL_UAPI_PRCTL_H

#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37

/* arch_prctl() codes (x86-64): a thread's FS base, its thread pointer. */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

#endif
