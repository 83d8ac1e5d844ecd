/* stdlib.c - exit, numbers, environment, and strings not in lib/string.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void exit(int code)
{
    fflush(NULL); /* buffered output goes out; _exit does not flush */
    _exit(code);
}
void abort(void) { _exit(134); }
int abs(int x) { return x < 0 ? -x : x; }

long strtol(const char *s, char **end, int base)
{
    while (*s == ' ' || *s == '\t')
        s++;
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2, base = 16;
    else if (base == 0)
        base = s[0] == '0' ? 8 : 10;
    long v = 0;
    for (;; s++) {
        int d = *s >= '0' && *s <= '9'   ? *s - '0'
                : *s >= 'a' && *s <= 'z' ? *s - 'a' + 10
                : *s >= 'A' && *s <= 'Z' ? *s - 'A' + 10
                                         : 99;
        if (d >= base)
            break;
        v = v * base + d;
    }
    if (end)
        *end = (char *)s;
    return neg ? -v : v;
}

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
unsigned long strtoul(const char *s, char **end, int base)
{
    return (unsigned long)strtol(s, end, base);
}

static unsigned long rand_state = 1;
void srand(unsigned seed) { rand_state = seed; }
int rand(void)
{
    rand_state = rand_state * 6364136223846793005ul + 1442695040888963407ul;
    return (int)(rand_state >> 33);
}
long atol(const char *s) { return strtol(s, NULL, 10); }

char *getenv(const char *name)
{
    size_t n = strlen(name);
    for (char **e = environ; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (; *s; s++)
        if (*s == (char)c)
            last = s;
    return (char *)(c ? last : s);
}

char *strcpy(char *d, const char *s) { return memcpy(d, s, strlen(s) + 1); }
char *strcat(char *d, const char *s)
{
    strcpy(d + strlen(d), s);
    return d;
}

char *strdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    return d ? strcpy(d, s) : NULL;
}

char *strerror(int err)
{
    static const char *const msg[] = {
        [0] = "success",
        [EPERM] = "operation not permitted",
        [ENOENT] = "no such file or directory",
        [ESRCH] = "no such process",
        [EINTR] = "interrupted",
        [EIO] = "I/O error",
        [E2BIG] = "argument list too long",
        [ENOEXEC] = "exec format error",
        [EBADF] = "bad file descriptor",
        [ECHILD] = "no child processes",
        [EAGAIN] = "try again",
        [ENOMEM] = "out of memory",
        [EACCES] = "permission denied",
        [EFAULT] = "bad address",
        [EBUSY] = "busy",
        [EEXIST] = "file exists",
        [ENOTDIR] = "not a directory",
        [EISDIR] = "is a directory",
        [EINVAL] = "invalid argument",
        [EMFILE] = "too many open files",
        [ENOTTY] = "not a terminal",
        [EFBIG] = "file too large",
        [ESPIPE] = "illegal seek",
        [EPIPE] = "broken pipe",
        [ERANGE] = "result out of range",
        [ENAMETOOLONG] = "name too long",
        [ENOSYS] = "function not implemented",
        [ENOTEMPTY] = "directory not empty",
    };
    if (err >= 0 && err < (int)(sizeof(msg) / sizeof(msg[0])) && msg[err])
        return (char *)msg[err];
    return "unknown error";
}

/* qsort: insertion sort for short runs, else quicksort on the middle pivot. */
static void swap_bytes(char *a, char *b, size_t n)
{
    while (n--) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *b = base;
    while (n > 8) {
        swap_bytes(b, b + n / 2 * size, size); /* pivot to the front */
        size_t last = 0;
        for (size_t i = 1; i < n; i++)
            if (cmp(b + i * size, b) < 0)
                swap_bytes(b + ++last * size, b + i * size, size);
        swap_bytes(b, b + last * size, size);
        qsort(b, last, size, cmp); /* recurse on one side, loop on the other */
        b += (last + 1) * size;
        n -= last + 1;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp(b + (j - 1) * size, b + j * size) > 0; j--)
            swap_bytes(b + (j - 1) * size, b + j * size, size);
}
