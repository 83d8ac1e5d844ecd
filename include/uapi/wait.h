/* uapi/wait.h - wait4()'s options and the status word it reports, as on
 * Linux: exit code in bits 8-15, or the killing signal in bits 0-6. */
#ifndef COWL_UAPI_WAIT_H
#define COWL_UAPI_WAIT_H

#define WNOHANG 1

/* Making a status word (the kernel) ... */
#define W_EXITCODE(code) (((code)&0xff) << 8)
#define W_SIGNALED(sig)  ((sig)&0x7f)

/* ... and reading one (user programs). */
#define WIFEXITED(s)   (((s)&0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s)&0x7f) != 0)
#define WTERMSIG(s)    ((s)&0x7f)

#endif
