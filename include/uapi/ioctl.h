/* uapi/ioctl.h - the ioctl() requests cowl knows, Linux's numbers: the
 * console's foreground process group (tcgetpgrp, tcsetpgrp).  Any other
 * request, or these on a file that is not the console, fails with ENOTTY. */
#ifndef COWL_UAPI_IOCTL_H
#define COWL_UAPI_IOCTL_H

#define TIOCGPGRP 0x540F /* (int *pgid): the foreground group, 0 if none */
#define TIOCSPGRP 0x5410 /* (const int *pgid): make it the foreground group */

#endif
