/* stdio.c - printf and friends, unbuffered: every call is one write(),
 * so output from different processes interleaves by whole calls. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct FILE {
    int fd;
    int eof, error;
};
static FILE files[3] = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
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
    FILE f = {fd, 0, 0};
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

/* FILE streams: unbuffered, one read() or write() per call. */
static int mode_flags(const char *mode)
{
    int plus = strchr(mode, '+') != NULL;
    switch (mode[0]) {
    case 'r':
        return plus ? O_RDWR : O_RDONLY;
    case 'w':
        return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
    case 'a':
        return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
    }
    return -1;
}

FILE *fdopen(int fd, const char *mode)
{
    (void)mode;
    FILE *f = calloc(1, sizeof(*f));
    if (f)
        f->fd = fd;
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    int flags = mode_flags(mode);
    if (flags < 0) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, flags, 0644);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, mode);
    if (!f)
        close(fd);
    return f;
}

int fclose(FILE *f)
{
    int r = close(f->fd);
    if (f != stdin && f != stdout && f != stderr)
        free(f);
    return r;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
    size_t want = size * n, got = 0;
    while (got < want) {
        ssize_t r = read(f->fd, (char *)buf + got, want - got);
        if (r <= 0) {
            if (r == 0)
                f->eof = 1;
            else
                f->error = 1;
            break;
        }
        got += r;
    }
    return size ? got / size : 0;
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
    size_t want = size * n, done = 0;
    while (done < want) {
        ssize_t r = write(f->fd, (const char *)buf + done, want - done);
        if (r <= 0) {
            f->error = 1;
            break;
        }
        done += r;
    }
    return size ? done / size : 0;
}

int fgetc(FILE *f)
{
    unsigned char c;
    return fread(&c, 1, 1, f) == 1 ? c : EOF;
}

int fputc(int c, FILE *f)
{
    unsigned char ch = (unsigned char)c;
    return fwrite(&ch, 1, 1, f) == 1 ? ch : EOF;
}

int getchar(void) { return fgetc(stdin); }
int feof(FILE *f) { return f->eof; }
int ferror(FILE *f) { return f->error; }
int fileno(FILE *f) { return f->fd; }
