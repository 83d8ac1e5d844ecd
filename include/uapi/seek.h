/* uapi/seek.h - lseek()'s origins. */
#ifndef COWL_UAPI_SEEK_H
#define COWL_UAPI_SEEK_H

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#endif
