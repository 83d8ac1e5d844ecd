/* stdio.c - printf and FILE streams, with buffers as C and glibc have
 * them: stdout is line-buffered when it is a terminal (cowl's console, a
 * character device) and fully buffered otherwise; stderr is unbuffered;
 * setvbuf changes a stream's mode.  exit() flushes every stream
 * (fflush(NULL)); _exit and a killed process do not.  Reading a stream
 * first flushes the line-buffered ones, so a prompt shows before input. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODE_UNSET (-1) /* stdout: decided at its first write (isatty) */

struct FILE {
    int fd;
    int eof, error;
    int mode;      /* [s] _IONBF, _IOLBF, _IOFBF, or MODE_UNSET */
    char *buf;     /* [s] pending output; NULL until needed */
    size_t size;   /* [s] its capacity */
    size_t len;    /* [s] bytes waiting in it */
    int own_buf;   /* [s] buf came from malloc (setvbuf's is the caller's) */
    FILE *next;    /* [s] every open stream, for fflush(NULL) */
};

/* Lock legend: [s] stdio_lock, one for all streams (threads print too). */
static pthread_mutex_t stdio_lock = PTHREAD_MUTEX_INITIALIZER;
/* stdout's buffer is static: printing never grows the heap (tests such
 * as oom count the pages a process holds). */
static char stdout_buf[BUFSIZ];
static FILE files[3] = {
    {.fd = 0, .mode = _IONBF, .next = &files[1]},
    {.fd = 1, .mode = MODE_UNSET, .buf = stdout_buf, .size = BUFSIZ, .next = &files[2]},
    {.fd = 2, .mode = _IONBF},
};
FILE *stdin = &files[0], *stdout = &files[1], *stderr = &files[2];
static FILE *streams = &files[0]; /* [s] */

int isatty(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return 0;
    return S_ISCHR(st.st_mode); /* cowl's console is its only character device */
}

static int write_all(FILE *f, const char *p, size_t n)
{
    while (n) {
        ssize_t r = write(f->fd, p, n);
        if (r <= 0) {
            f->error = 1;
            return -1;
        }
        p += r;
        n -= r;
    }
    return 0;
}

/* stdio_lock held. */
static int flush_locked(FILE *f)
{
    if (!f->len)
        return 0;
    int r = write_all(f, f->buf, f->len);
    f->len = 0;
    return r;
}

/* Append n bytes to f's buffer, writing out as its mode says; stdio_lock held. */
static int put_locked(FILE *f, const char *p, size_t n)
{
    if (f->mode == MODE_UNSET)
        f->mode = isatty(f->fd) ? _IOLBF : _IOFBF;
    if (f->mode != _IONBF && !f->buf) {
        f->buf = malloc(BUFSIZ);
        if (f->buf) {
            f->size = BUFSIZ;
            f->own_buf = 1;
        } else {
            f->mode = _IONBF;
        }
    }
    if (f->mode == _IONBF)
        return write_all(f, p, n);
    if (f->len + n > f->size && flush_locked(f) < 0)
        return -1;
    if (n > f->size) /* bigger than the buffer: straight out */
        return write_all(f, p, n);
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    if (f->mode == _IOLBF && memchr(p, '\n', n))
        return flush_locked(f);
    return 0;
}

static int stream_put(FILE *f, const char *p, size_t n)
{
    pthread_mutex_lock(&stdio_lock);
    int r = put_locked(f, p, n);
    pthread_mutex_unlock(&stdio_lock);
    return r;
}

int setvbuf(FILE *f, char *buf, int mode, size_t size)
{
    if (mode != _IONBF && mode != _IOLBF && mode != _IOFBF)
        return -1;
    pthread_mutex_lock(&stdio_lock);
    flush_locked(f);
    if (f->own_buf)
        free(f->buf);
    f->buf = NULL;
    f->own_buf = 0;
    f->size = 0;
    if (mode != _IONBF && buf && size) {
        f->buf = buf;
        f->size = size;
    }
    f->mode = mode;
    pthread_mutex_unlock(&stdio_lock);
    return 0;
}

void setbuf(FILE *f, char *buf)
{
    setvbuf(f, buf, buf ? _IOFBF : _IONBF, BUFSIZ);
}

/* fflush(NULL): every stream. */
int fflush(FILE *f)
{
    int r = 0;
    pthread_mutex_lock(&stdio_lock);
    if (f)
        r = flush_locked(f);
    else
        for (FILE *s = streams; s; s = s->next)
            if (flush_locked(s) < 0)
                r = EOF;
    pthread_mutex_unlock(&stdio_lock);
    return r < 0 ? EOF : 0;
}

/* Before reading: line-buffered output (a prompt) goes out first. */
static void flush_line_buffered(void)
{
    pthread_mutex_lock(&stdio_lock);
    for (FILE *s = streams; s; s = s->next)
        if (s->mode == _IOLBF)
            flush_locked(s);
    pthread_mutex_unlock(&stdio_lock);
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    char buf[1024];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    return stream_put(f, buf, len) < 0 ? -1 : n;
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

/* dprintf writes to a descriptor, not a stream: one write(), no buffer. */
int dprintf(int fd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    return write(fd, buf, len) < 0 ? -1 : n;
}

int fputs(const char *s, FILE *f) { return stream_put(f, s, strlen(s)) < 0 ? EOF : 0; }
int puts(const char *s) { return printf("%s\n", s) < 0 ? EOF : 0; }
int putchar(int c) { return fputc(c, stdout); }

/* One byte at a time: slow, but never reads past the line (the shell's
 * children must see the rest of a piped script). */
char *fgets(char *buf, int n, FILE *f)
{
    flush_line_buffered();
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

/* FILE streams: reads are unbuffered, one read() per call. */
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
    if (!f)
        return NULL;
    f->fd = fd;
    f->mode = MODE_UNSET; /* a terminal: line-buffered; else fully */
    pthread_mutex_lock(&stdio_lock);
    f->next = streams;
    streams = f;
    pthread_mutex_unlock(&stdio_lock);
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
    pthread_mutex_lock(&stdio_lock);
    int flushed = flush_locked(f);
    if (f->own_buf)
        free(f->buf);
    f->buf = NULL;
    f->own_buf = 0;
    f->len = f->size = 0;
    if (f != stdin && f != stdout && f != stderr)
        for (FILE **p = &streams; *p; p = &(*p)->next)
            if (*p == f) {
                *p = f->next;
                break;
            }
    pthread_mutex_unlock(&stdio_lock);
    int r = close(f->fd);
    if (f != stdin && f != stdout && f != stderr)
        free(f);
    return flushed < 0 ? EOF : r;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
    flush_line_buffered();
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
    if (!size || !n)
        return 0;
    return stream_put(f, buf, size * n) < 0 ? 0 : n;
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
