/* vsnprintf.c - printf-style formatting into a buffer.
 * Supports %d %i %u %x %X %p %s %c %%, flags '-' '0', a width, and the
 * length modifiers l, ll, z.  Output is always NUL-terminated when size > 0;
 * the return value is the length the full output would have had. */
#include "lib/format.h"
#include "lib/types.h"

struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        while (fill-- > 0)
            put(o, pad);
    while (n--)
        put(o, *s++);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

/* Digits of v in `base`, written backwards into the end of tmp. */
static char *format_number(char *end, uint64_t v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return p;
}

static void put_number(struct out *o, uint64_t v, bool negative, unsigned base, bool upper,
                       int width, bool left, char pad)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = format_number(end, v, base, upper);
    if (negative) {
        if (pad == '0') {
            put(o, '-');
            width--;
        } else {
            *--p = '-';
        }
    }
    put_padded(o, p, end - p, width, left, pad);
}

/* One conversion: %[-0][width][.precision][l|ll|z]conv */
struct spec {
    bool left;     /* '-': pad on the right */
    char pad;      /* '0' or ' ' */
    int width;     /* at least this many characters */
    int precision; /* %s: at most this many characters; -1: no limit */
    int lng;       /* l, ll or z seen: a 64-bit argument */
    char conv;     /* d i u x X p s c %, or 0 at a truncated "%" */
};

/* Read the flags, width, precision and length of the conversion at fmt
 * (just after its '%'); returns where its conversion character is. */
static const char *parse_spec(const char *fmt, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){.pad = ' ', .precision = -1};
    for (;; fmt++) {
        if (*fmt == '-')
            sp->left = true;
        else if (*fmt == '0')
            sp->pad = '0';
        else
            break;
    }
    while (*fmt >= '0' && *fmt <= '9')
        sp->width = sp->width * 10 + (*fmt++ - '0');
    if (*fmt == '.') {
        fmt++;
        sp->precision = 0;
        if (*fmt == '*') {
            sp->precision = va_arg(*ap, int);
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            sp->precision = sp->precision * 10 + (*fmt++ - '0');
    }
    while (*fmt == 'l' || *fmt == 'z') {
        sp->lng++;
        fmt++;
    }
    sp->conv = *fmt;
    return fmt;
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t n = 0;
    while (s[n] && (sp->precision < 0 || n < (size_t)sp->precision))
        n++;
    put_padded(o, s, n, sp->width, sp->left, ' ');
}

/* Format one conversion, taking its argument from ap. */
static void put_conversion(struct out *o, const struct spec *sp, va_list *ap)
{
    switch (sp->conv) {
    case 'd':
    case 'i': {
        int64_t v = sp->lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
        put_number(o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, sp->width, sp->left,
                   sp->pad);
        break;
    }
    case 'u':
    case 'x':
    case 'X': {
        uint64_t v = sp->lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
        put_number(o, v, false, sp->conv == 'u' ? 10 : 16, sp->conv == 'X', sp->width, sp->left,
                   sp->pad);
        break;
    }
    case 'p':
        put(o, '0');
        put(o, 'x');
        put_number(o, (uint64_t)va_arg(*ap, void *), false, 16, false, 16, false, '0');
        break;
    case 's':
        put_string(o, sp, va_arg(*ap, const char *));
        break;
    case 'c': {
        char c = (char)va_arg(*ap, int);
        put_padded(o, &c, 1, sp->width, sp->left, ' ');
        break;
    }
    case '%':
        put(o, '%');
        break;
    default: /* not a conversion this printf knows: print it as it is */
        put(o, '%');
        put(o, sp->conv);
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    va_list args; /* a copy, so that helpers can take its address (va_list may be an array) */
    va_copy(args, ap);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        struct spec sp;
        fmt = parse_spec(fmt + 1, &sp, &args);
        if (!sp.conv) { /* the format ends in the middle of a conversion */
            fmt--;
            continue;
        }
        put_conversion(&o, &sp, &args);
    }
    va_end(args);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
