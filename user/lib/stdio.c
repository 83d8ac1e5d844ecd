/* stdio.c - printf and friends, unbuffered: every call is one write(),
 * so output from different processes interleaves by whole calls. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct FILE {
    int fd;
};
static FILE files[3] = {{0}, {1}, {2}};
FILE *stdin = &files[0], *stdout = &files[1], *stderr = &files[2];

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    char buf[1024];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    return write(f->fd, buf, len) < 0 ? -1 : n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

int dprintf(int fd, const char *fmt, ...)
{
    FILE f = {fd};
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(&f, fmt, ap);
    va_end(ap);
    return n;
}

int fputs(const char *s, FILE *f) { return write(f->fd, s, strlen(s)) < 0 ? EOF : 0; }
int puts(const char *s) { return printf("%s\n", s) < 0 ? EOF : 0; }
int putchar(int c)
{
    char ch = (char)c;
    return write(1, &ch, 1) == 1 ? c : EOF;
}
int fflush(FILE *f)
{
    (void)f;
    return 0;
}

/* One byte at a time: slow, but never reads past the line (the shell's
 * children must see the rest of a piped script). */
char *fgets(char *buf, int n, FILE *f)
{
    int i = 0;
    while (i < n - 1) {
        char c;
        ssize_t r = read(f->fd, &c, 1);
        if (r <= 0)
            break;
        buf[i++] = c;
        if (c == '\n')
            break;
    }
    if (i == 0)
        return NULL;
    buf[i] = 0;
    return buf;
}

void perror(const char *what)
{
    if (what && *what)
        fprintf(stderr, "%s: %s\n", what, strerror(errno));
    else
        fprintf(stderr, "%s\n", strerror(errno));
}
