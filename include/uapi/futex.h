/* uapi/futex.h - futex() operations, Linux's values. */
#ifndef COWL_UAPI_FUTEX_H
#define COWL_UAPI_FUTEX_H

#define FUTEX_WAIT         0
#define FUTEX_WAKE         1
#define FUTEX_PRIVATE_FLAG 128 /* accepted and ignored: every futex here is private */

#endif
