#ifndef _STDIO_H
#define _STDIO_H
#include <stdarg.h>
#include <stddef.h>
#define EOF (-1)
#define BUFSIZ 1024
#define _IOFBF 0 /* fully buffered: written when the buffer is full */
#define _IOLBF 1 /* line buffered: written at each newline */
#define _IONBF 2 /* unbuffered: every call is a write() */
/* printf and friends (lib/vsnprintf.c): C99's flags (- + space # 0), width
 * and precision (digits or *), length modifiers hh h l ll j z t, and the
 * conversions d i u o x X c s p n %.  No floating point: %f %e %g %a (and
 * capitals) are not formatted; like any conversion printf does not know,
 * they are printed as written ("%8.3f") and take no argument.  No wide
 * characters (%lc prints a char; %ls is not supported). */
typedef struct FILE FILE;
extern FILE *stdin, *stdout, *stderr;
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int vfprintf(FILE *f, const char *fmt, va_list ap);
int puts(const char *s);
int fputs(const char *s, FILE *f);
int putchar(int c);
int fflush(FILE *f); /* NULL: every stream */
int setvbuf(FILE *f, char *buf, int mode, size_t size);
void setbuf(FILE *f, char *buf);
char *fgets(char *buf, int n, FILE *f);
void perror(const char *what);
FILE *fopen(const char *path, const char *mode);
FILE *fdopen(int fd, const char *mode);
int fclose(FILE *f);
size_t fread(void *buf, size_t size, size_t n, FILE *f);
size_t fwrite(const void *buf, size_t size, size_t n, FILE *f);
int fgetc(FILE *f);
int fputc(int c, FILE *f);
#define getc(f)    fgetc(f)
#define putc(c, f) fputc(c, f)
int getchar(void);
int feof(FILE *f);
int ferror(FILE *f);
int fileno(FILE *f);
#endif
