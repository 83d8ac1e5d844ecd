#ifndef _SYS_WAIT_H
#define _SYS_WAIT_H
#include <unistd.h>
#include "uapi/wait.h" /* WNOHANG and the status macros, shared with the kernel */
pid_t wait(int *status);
pid_t waitpid(pid_t pid, int *status, int options);
#endif
