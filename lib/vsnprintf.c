/* vsnprintf.c - printf-style formatting into a buffer, for the kernel and
 * the user libc.  C99's integer, character and string conversions:
 *   %[flags][width][.precision][length]conv
 *   flags  - + space # 0;  width and precision as digits or *;
 *   length hh h l ll j z t;  conv d i u o x X c s p n %.
 * No floating point (f e g a and their capitals) and no wide characters
 * (%lc prints a char, %ls is not supported).  A conversion this file does
 * not know is printed as written, from '%' to its letter, and takes no
 * argument, so the conversions after it still get theirs.  Output is
 * always NUL-terminated when size > 0; the return value is the length the
 * full output would have had.  %p: the kernel prints 0x and 16 digits so
 * addresses line up; the user libc prints as glibc does (0x1000, (nil)). */
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

static void put_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        put_repeat(o, ' ', fill);
    while (n--)
        put(o, *s++);
    if (left)
        put_repeat(o, ' ', fill);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG };

/* One conversion: %[-+ #0][width][.precision][hh|h|l|ll|j|z|t]conv */
struct spec {
    bool left;          /* '-': pad on the right */
    bool plus, space;   /* '+', ' ': a sign (or a space) before positive numbers */
    bool alt;           /* '#': 0 before octal, 0x before hex */
    bool zero;          /* '0': pad numbers with zeros after the sign */
    bool width_star;    /* '*': the width is the next int argument */
    bool precision_star;
    int width;          /* at least this many characters */
    int precision;      /* numbers: at least this many digits; %s: at most
                           this many characters; -1: not given */
    enum length length; /* l ll j z t are all 64 bits on x86-64 */
    char conv;          /* the conversion letter, or 0 at a truncated "%" */
};

static const char *parse_number(const char *fmt, int *n)
{
    *n = 0;
    while (*fmt >= '0' && *fmt <= '9')
        *n = *n * 10 + (*fmt++ - '0');
    return fmt;
}

static const char *parse_length(const char *fmt, enum length *len)
{
    switch (*fmt) {
    case 'h':
        if (fmt[1] == 'h') {
            *len = LEN_CHAR;
            return fmt + 2;
        }
        *len = LEN_SHORT;
        return fmt + 1;
    case 'l':
        *len = LEN_LONG;
        return fmt[1] == 'l' ? fmt + 2 : fmt + 1;
    case 'j':
    case 'z':
    case 't':
        *len = LEN_LONG;
        return fmt + 1;
    }
    *len = LEN_INT;
    return fmt;
}

/* Read the flags, width, precision and length of the conversion at fmt
 * (just after its '%'); returns where its conversion character is.  Takes
 * no argument: a '*' is only noted (take_stars). */
static const char *parse_spec(const char *fmt, struct spec *sp)
{
    *sp = (struct spec){.precision = -1};
    for (;; fmt++) {
        if (*fmt == '-')
            sp->left = true;
        else if (*fmt == '+')
            sp->plus = true;
        else if (*fmt == ' ')
            sp->space = true;
        else if (*fmt == '#')
            sp->alt = true;
        else if (*fmt == '0')
            sp->zero = true;
        else
            break;
    }
    if (*fmt == '*') {
        sp->width_star = true;
        fmt++;
    } else {
        fmt = parse_number(fmt, &sp->width);
    }
    if (*fmt == '.') {
        fmt++;
        if (*fmt == '*') {
            sp->precision_star = true;
            fmt++;
        } else {
            fmt = parse_number(fmt, &sp->precision);
        }
    }
    fmt = parse_length(fmt, &sp->length);
    sp->conv = *fmt;
    return fmt;
}

/* The '*' arguments, once the conversion is known to be one we format. */
static void take_stars(struct spec *sp, va_list *ap)
{
    if (sp->width_star) {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) { /* a negative width is '-' and its size */
            sp->left = true;
            sp->width = -sp->width;
        }
    }
    if (sp->precision_star) {
        sp->precision = va_arg(*ap, int);
        if (sp->precision < 0) /* as if none was given */
            sp->precision = -1;
    }
}

/* Digits of v in `base`, written backwards ending at end. */
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

/* [spaces][sign][prefix][zeros]digits[spaces]: a number as C99 says.
 * sign is '-', '+', ' ' or 0; prefix "0x", "0X" or "". */
static void put_integer(struct out *o, const struct spec *sp, uint64_t v, char sign,
                        unsigned base, bool upper, const char *prefix)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp), *p = end;
    if (v != 0 || sp->precision != 0) /* "%.0d" of 0 prints no digit */
        p = format_number(end, v, base, upper);
    int ndigits = end - p;
    int zeros = sp->precision > ndigits ? sp->precision - ndigits : 0;
    if (base == 8 && sp->alt && zeros == 0 && (ndigits == 0 || *p != '0'))
        zeros = 1; /* '#' with octal: the first digit is a 0 */
    int prefix_len = 0;
    while (prefix[prefix_len])
        prefix_len++;
    int body = (sign != 0) + prefix_len + zeros + ndigits;
    int fill = sp->width > body ? sp->width - body : 0;
    if (sp->zero && !sp->left && sp->precision < 0) {
        zeros += fill; /* '0' pads after the sign and prefix */
        fill = 0;
    }
    if (!sp->left)
        put_repeat(o, ' ', fill);
    if (sign)
        put(o, sign);
    for (int i = 0; i < prefix_len; i++)
        put(o, prefix[i]);
    put_repeat(o, '0', zeros);
    while (p < end)
        put(o, *p++);
    if (sp->left)
        put_repeat(o, ' ', fill);
}

static char sign_of(const struct spec *sp, bool negative)
{
    return negative ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
}

static void put_signed(struct out *o, const struct spec *sp, va_list *ap)
{
    int64_t v;
    switch (sp->length) {
    case LEN_CHAR:
        v = (signed char)va_arg(*ap, int);
        break;
    case LEN_SHORT:
        v = (short)va_arg(*ap, int);
        break;
    case LEN_LONG:
        v = va_arg(*ap, int64_t);
        break;
    default:
        v = va_arg(*ap, int);
    }
    put_integer(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, sign_of(sp, v < 0), 10, false, "");
}

static void put_unsigned(struct out *o, const struct spec *sp, va_list *ap)
{
    uint64_t v;
    switch (sp->length) {
    case LEN_CHAR:
        v = (unsigned char)va_arg(*ap, unsigned);
        break;
    case LEN_SHORT:
        v = (unsigned short)va_arg(*ap, unsigned);
        break;
    case LEN_LONG:
        v = va_arg(*ap, uint64_t);
        break;
    default:
        v = va_arg(*ap, unsigned);
    }
    bool hex = sp->conv == 'x' || sp->conv == 'X';
    const char *prefix = !(hex && sp->alt && v) ? "" : sp->conv == 'X' ? "0X" : "0x";
    put_integer(o, sp, v, 0, sp->conv == 'u' ? 10 : hex ? 16 : 8, sp->conv == 'X', prefix);
}

static void put_pointer(struct out *o, const struct spec *sp, va_list *ap)
{
    uint64_t v = (uint64_t)va_arg(*ap, void *);
#ifdef __cowl__ /* the user libc: as glibc, like %#lx, and (nil) for NULL */
    if (!v) {
        put_padded(o, "(nil)", 5, sp->width, sp->left);
        return;
    }
    put_integer(o, sp, v, sign_of(sp, false), 16, false, "0x");
#else /* the kernel: always 16 digits, so that addresses line up */
    (void)sp;
    struct spec fixed = {.zero = true, .width = 16, .precision = -1};
    put(o, '0');
    put(o, 'x');
    put_integer(o, &fixed, v, 0, 16, false, "");
#endif
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t n = 0;
    while (s[n] && (sp->precision < 0 || n < (size_t)sp->precision))
        n++;
    put_padded(o, s, n, sp->width, sp->left);
}

/* %n: store how many characters were produced so far. */
static void store_count(const struct spec *sp, size_t len, va_list *ap)
{
    switch (sp->length) {
    case LEN_CHAR:
        *va_arg(*ap, signed char *) = (signed char)len;
        break;
    case LEN_SHORT:
        *va_arg(*ap, short *) = (short)len;
        break;
    case LEN_LONG:
        *va_arg(*ap, int64_t *) = (int64_t)len;
        break;
    default:
        *va_arg(*ap, int *) = (int)len;
    }
}

/* Whether conv is a conversion put_conversion formats. */
static bool known_conversion(char conv)
{
    for (const char *c = "diuoxXcspn%"; *c; c++)
        if (*c == conv)
            return true;
    return false;
}

/* Format one known conversion, taking its argument from ap. */
static void put_conversion(struct out *o, const struct spec *sp, va_list *ap)
{
    switch (sp->conv) {
    case 'd':
    case 'i':
        put_signed(o, sp, ap);
        break;
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        put_unsigned(o, sp, ap);
        break;
    case 'p':
        put_pointer(o, sp, ap);
        break;
    case 's':
        put_string(o, sp, va_arg(*ap, const char *));
        break;
    case 'c': {
        char c = (char)va_arg(*ap, int);
        put_padded(o, &c, 1, sp->width, sp->left);
        break;
    }
    case 'n':
        store_count(sp, o->len, ap);
        break;
    case '%': /* as glibc: flags and width are ignored */
        put(o, '%');
        break;
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
        const char *start = fmt;
        fmt = parse_spec(fmt + 1, &sp);
        if (!known_conversion(sp.conv)) { /* print it as written; take nothing */
            while (start < fmt)
                put(&o, *start++);
            if (!sp.conv) /* the format ended inside the conversion */
                break;
            put(&o, sp.conv);
            continue;
        }
        take_stars(&sp, &args);
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
