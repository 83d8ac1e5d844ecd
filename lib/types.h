/* types.h - small helpers every kernel file may use. */
#ifndef TYPES_H
#define TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t ssize_t;

#define ARRAY_SIZE(a)                 (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)                (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a)              ((x) & ~((__typeof__(x))(a)-1))
#define MIN(a, b)                     ((a) < (b) ? (a) : (b))
#define MAX(a, b)                     ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) ((type *)((char *)(p)-offsetof(type, member)))

#define KiB 1024ul
#define MiB (1024ul * KiB)
#define GiB (1024ul * MiB)

#include "uapi/errno.h" /* every kernel file returns -Exxx */

#endif
