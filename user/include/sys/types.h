/* sys/types.h - the POSIX type names, for programs that include this
 * header for them (zlib's zconf.h does, for off_t).  The same typedefs
 * as unistd.h and time.h: C11 allows a typedef to be repeated. */
#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <stddef.h>
typedef long ssize_t;
typedef int pid_t;
typedef long off_t;
typedef long time_t;
typedef unsigned mode_t;
#endif
