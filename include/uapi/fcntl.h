/* uapi/fcntl.h - open() flags, Linux's values. */
#ifndef COWL_UAPI_FCNTL_H
#define COWL_UAPI_FCNTL_H

#define O_RDONLY    0
#define O_WRONLY    1
#define O_RDWR      2
#define O_ACCMODE   3
#define O_CREAT     0100
#define O_EXCL      0200
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000 /* pipes: EAGAIN instead of waiting */
#define O_DIRECTORY 0200000

#endif
