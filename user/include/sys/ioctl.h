#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H
#include "uapi/ioctl.h" /* TIOCGPGRP, TIOCSPGRP: the console's foreground group */
int ioctl(int fd, unsigned long request, ...);
#endif
