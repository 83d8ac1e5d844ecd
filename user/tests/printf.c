/* printf.c - the printf engine (lib/vsnprintf.c) against a table of about
 * 300 formats: C99's flags, width, precision (and *), length modifiers and
 * the conversions d i u o x X c s p n %.  The expected strings are exactly
 * what glibc prints (the table was made by running the same formats through
 * the host's snprintf), so `make test-linux` checks the table itself.  What
 * cowl does where glibc's answer is undefined or absent (%f) is checked on
 * cowl only.  Prints one TAP line per group (tap.h). */
#include "tap.h"
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h> /* ssize_t */

static int group_failures;
static char first_failure[200];

/* Not declared with the printf format attribute: the table holds
 * conversions gcc would warn about (%y), on purpose. */
static void check(int line, const char *want, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (strcmp(buf, want) == 0 && n == (int)strlen(want))
        return;
    printf("# printf.c:%d: \"%s\" gave \"%s\" (%d), want \"%s\" (%d)\n", line, fmt, buf, n,
           want, (int)strlen(want));
    if (!group_failures++)
        snprintf(first_failure, sizeof(first_failure), "printf.c:%d: \"%.60s\" gave \"%.60s\"",
                 line, fmt, buf);
}

#define T(want, ...) check(__LINE__, want, __VA_ARGS__)

/* snprintf without gcc's truncation warnings: truncating is the point. */
static int format_into(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
static void group_signed(void)
{
    T("[0|42|-42]", "[%d|%d|%d]", 0, 42, -42);
    T("[    0|   42|  -42]", "[%5d|%5d|%5d]", 0, 42, -42);
    T("[000|042|-042]", "[%.3d|%.3d|%.3d]", 0, 42, -42);
    T("[     000|     042|    -042]", "[%8.3d|%8.3d|%8.3d]", 0, 42, -42);
    T("[|42|-42]", "[%.0d|%.0d|%.0d]", 0, 42, -42);
    T("[0|42|-42]", "[%1d|%1d|%1d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%+d|%+d|%+d]", 0, 42, -42);
    T("[   +0|  +42|  -42]", "[%+5d|%+5d|%+5d]", 0, 42, -42);
    T("[+000|+042|-042]", "[%+.3d|%+.3d|%+.3d]", 0, 42, -42);
    T("[    +000|    +042|    -042]", "[%+8.3d|%+8.3d|%+8.3d]", 0, 42, -42);
    T("[+|+42|-42]", "[%+.0d|%+.0d|%+.0d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%+1d|%+1d|%+1d]", 0, 42, -42);
    T("[ 0| 42|-42]", "[% d|% d|% d]", 0, 42, -42);
    T("[    0|   42|  -42]", "[% 5d|% 5d|% 5d]", 0, 42, -42);
    T("[ 000| 042|-042]", "[% .3d|% .3d|% .3d]", 0, 42, -42);
    T("[     000|     042|    -042]", "[% 8.3d|% 8.3d|% 8.3d]", 0, 42, -42);
    T("[ | 42|-42]", "[% .0d|% .0d|% .0d]", 0, 42, -42);
    T("[ 0| 42|-42]", "[% 1d|% 1d|% 1d]", 0, 42, -42);
    T("[0|42|-42]", "[%-d|%-d|%-d]", 0, 42, -42);
    T("[0    |42   |-42  ]", "[%-5d|%-5d|%-5d]", 0, 42, -42);
    T("[000|042|-042]", "[%-.3d|%-.3d|%-.3d]", 0, 42, -42);
    T("[000     |042     |-042    ]", "[%-8.3d|%-8.3d|%-8.3d]", 0, 42, -42);
    T("[|42|-42]", "[%-.0d|%-.0d|%-.0d]", 0, 42, -42);
    T("[0|42|-42]", "[%-1d|%-1d|%-1d]", 0, 42, -42);
    T("[0|42|-42]", "[%0d|%0d|%0d]", 0, 42, -42);
    T("[00000|00042|-0042]", "[%05d|%05d|%05d]", 0, 42, -42);
    T("[000|042|-042]", "[%0.3d|%0.3d|%0.3d]", 0, 42, -42);
    T("[     000|     042|    -042]", "[%08.3d|%08.3d|%08.3d]", 0, 42, -42);
    T("[|42|-42]", "[%0.0d|%0.0d|%0.0d]", 0, 42, -42);
    T("[0|42|-42]", "[%01d|%01d|%01d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%+0d|%+0d|%+0d]", 0, 42, -42);
    T("[+0000|+0042|-0042]", "[%+05d|%+05d|%+05d]", 0, 42, -42);
    T("[+000|+042|-042]", "[%+0.3d|%+0.3d|%+0.3d]", 0, 42, -42);
    T("[    +000|    +042|    -042]", "[%+08.3d|%+08.3d|%+08.3d]", 0, 42, -42);
    T("[+|+42|-42]", "[%+0.0d|%+0.0d|%+0.0d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%+01d|%+01d|%+01d]", 0, 42, -42);
    T("[ 0| 42|-42]", "[% 0d|% 0d|% 0d]", 0, 42, -42);
    T("[ 0000| 0042|-0042]", "[% 05d|% 05d|% 05d]", 0, 42, -42);
    T("[ 000| 042|-042]", "[% 0.3d|% 0.3d|% 0.3d]", 0, 42, -42);
    T("[     000|     042|    -042]", "[% 08.3d|% 08.3d|% 08.3d]", 0, 42, -42);
    T("[ | 42|-42]", "[% 0.0d|% 0.0d|% 0.0d]", 0, 42, -42);
    T("[ 0| 42|-42]", "[% 01d|% 01d|% 01d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%-+d|%-+d|%-+d]", 0, 42, -42);
    T("[+0   |+42  |-42  ]", "[%-+5d|%-+5d|%-+5d]", 0, 42, -42);
    T("[+000|+042|-042]", "[%-+.3d|%-+.3d|%-+.3d]", 0, 42, -42);
    T("[+000    |+042    |-042    ]", "[%-+8.3d|%-+8.3d|%-+8.3d]", 0, 42, -42);
    T("[+|+42|-42]", "[%-+.0d|%-+.0d|%-+.0d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%-+1d|%-+1d|%-+1d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%+ d|%+ d|%+ d]", 0, 42, -42);
    T("[   +0|  +42|  -42]", "[%+ 5d|%+ 5d|%+ 5d]", 0, 42, -42);
    T("[+000|+042|-042]", "[%+ .3d|%+ .3d|%+ .3d]", 0, 42, -42);
    T("[    +000|    +042|    -042]", "[%+ 8.3d|%+ 8.3d|%+ 8.3d]", 0, 42, -42);
    T("[+|+42|-42]", "[%+ .0d|%+ .0d|%+ .0d]", 0, 42, -42);
    T("[+0|+42|-42]", "[%+ 1d|%+ 1d|%+ 1d]", 0, 42, -42);
    T("[0|42|-42]", "[%-0d|%-0d|%-0d]", 0, 42, -42);
    T("[0    |42   |-42  ]", "[%-05d|%-05d|%-05d]", 0, 42, -42);
    T("[000|042|-042]", "[%-0.3d|%-0.3d|%-0.3d]", 0, 42, -42);
    T("[000     |042     |-042    ]", "[%-08.3d|%-08.3d|%-08.3d]", 0, 42, -42);
    T("[|42|-42]", "[%-0.0d|%-0.0d|%-0.0d]", 0, 42, -42);
    T("[0|42|-42]", "[%-01d|%-01d|%-01d]", 0, 42, -42);
    T("[ 0| 42|-42]", "[%- d|%- d|%- d]", 0, 42, -42);
    T("[ 0   | 42  |-42  ]", "[%- 5d|%- 5d|%- 5d]", 0, 42, -42);
    T("[ 000| 042|-042]", "[%- .3d|%- .3d|%- .3d]", 0, 42, -42);
    T("[ 000    | 042    |-042    ]", "[%- 8.3d|%- 8.3d|%- 8.3d]", 0, 42, -42);
    T("[ | 42|-42]", "[%- .0d|%- .0d|%- .0d]", 0, 42, -42);
    T("[ 0| 42|-42]", "[%- 1d|%- 1d|%- 1d]", 0, 42, -42);
    T("[+5] [+3] [ 4] [7   ] [00ab]", "[%+ld] [%+d] [% d] [%-4d] [%04x]", 5L, 3, 4, 7, 0xab);
    T("2147483647 -2147483648 -1 2147483647", "%d %d %i %i", INT_MAX, INT_MIN, -1, 2147483647);
    T("-3|+3| 0003|+3    |", "%i|%+i|% 05i|%-+6i|", -3, 3, 3, 3);
}
static void group_unsigned(void)
{
    T("[0|1|2748]", "[%u|%u|%u]", 0u, 1u, 0xabcu);
    T("[     0|     1|  2748]", "[%6u|%6u|%6u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[%.4u|%.4u|%.4u]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    2748]", "[%8.4u|%8.4u|%8.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[%.0u|%.0u|%.0u]", 0u, 1u, 0xabcu);
    T("[0|1|2748]", "[%#u|%#u|%#u]", 0u, 1u, 0xabcu);
    T("[     0|     1|  2748]", "[%#6u|%#6u|%#6u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[%#.4u|%#.4u|%#.4u]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    2748]", "[%#8.4u|%#8.4u|%#8.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[%#.0u|%#.0u|%#.0u]", 0u, 1u, 0xabcu);
    T("[0|1|2748]", "[%-u|%-u|%-u]", 0u, 1u, 0xabcu);
    T("[0     |1     |2748  ]", "[%-6u|%-6u|%-6u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[%-.4u|%-.4u|%-.4u]", 0u, 1u, 0xabcu);
    T("[0000    |0001    |2748    ]", "[%-8.4u|%-8.4u|%-8.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[%-.0u|%-.0u|%-.0u]", 0u, 1u, 0xabcu);
    T("[0|1|2748]", "[%0u|%0u|%0u]", 0u, 1u, 0xabcu);
    T("[000000|000001|002748]", "[%06u|%06u|%06u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[%0.4u|%0.4u|%0.4u]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    2748]", "[%08.4u|%08.4u|%08.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[%0.0u|%0.0u|%0.0u]", 0u, 1u, 0xabcu);
    T("[0|1|2748]", "[%#0u|%#0u|%#0u]", 0u, 1u, 0xabcu);
    T("[000000|000001|002748]", "[%#06u|%#06u|%#06u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[%#0.4u|%#0.4u|%#0.4u]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    2748]", "[%#08.4u|%#08.4u|%#08.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[%#0.0u|%#0.0u|%#0.0u]", 0u, 1u, 0xabcu);
    T("[0|1|2748]", "[%-#u|%-#u|%-#u]", 0u, 1u, 0xabcu);
    T("[0     |1     |2748  ]", "[%-#6u|%-#6u|%-#6u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[%-#.4u|%-#.4u|%-#.4u]", 0u, 1u, 0xabcu);
    T("[0000    |0001    |2748    ]", "[%-#8.4u|%-#8.4u|%-#8.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[%-#.0u|%-#.0u|%-#.0u]", 0u, 1u, 0xabcu);
    T("[0|1|2748]", "[%+u|%+u|%+u]", 0u, 1u, 0xabcu);
    T("[     0|     1|  2748]", "[%+6u|%+6u|%+6u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[%+.4u|%+.4u|%+.4u]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    2748]", "[%+8.4u|%+8.4u|%+8.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[%+.0u|%+.0u|%+.0u]", 0u, 1u, 0xabcu);
    T("[0|1|2748]", "[% u|% u|% u]", 0u, 1u, 0xabcu);
    T("[     0|     1|  2748]", "[% 6u|% 6u|% 6u]", 0u, 1u, 0xabcu);
    T("[0000|0001|2748]", "[% .4u|% .4u|% .4u]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    2748]", "[% 8.4u|% 8.4u|% 8.4u]", 0u, 1u, 0xabcu);
    T("[|1|2748]", "[% .0u|% .0u|% .0u]", 0u, 1u, 0xabcu);
    T("[0|1|5274]", "[%o|%o|%o]", 0u, 1u, 0xabcu);
    T("[     0|     1|  5274]", "[%6o|%6o|%6o]", 0u, 1u, 0xabcu);
    T("[0000|0001|5274]", "[%.4o|%.4o|%.4o]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    5274]", "[%8.4o|%8.4o|%8.4o]", 0u, 1u, 0xabcu);
    T("[|1|5274]", "[%.0o|%.0o|%.0o]", 0u, 1u, 0xabcu);
    T("[0|01|05274]", "[%#o|%#o|%#o]", 0u, 1u, 0xabcu);
    T("[     0|    01| 05274]", "[%#6o|%#6o|%#6o]", 0u, 1u, 0xabcu);
    T("[0000|0001|05274]", "[%#.4o|%#.4o|%#.4o]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|   05274]", "[%#8.4o|%#8.4o|%#8.4o]", 0u, 1u, 0xabcu);
    T("[0|01|05274]", "[%#.0o|%#.0o|%#.0o]", 0u, 1u, 0xabcu);
    T("[0|1|5274]", "[%-o|%-o|%-o]", 0u, 1u, 0xabcu);
    T("[0     |1     |5274  ]", "[%-6o|%-6o|%-6o]", 0u, 1u, 0xabcu);
    T("[0000|0001|5274]", "[%-.4o|%-.4o|%-.4o]", 0u, 1u, 0xabcu);
    T("[0000    |0001    |5274    ]", "[%-8.4o|%-8.4o|%-8.4o]", 0u, 1u, 0xabcu);
    T("[|1|5274]", "[%-.0o|%-.0o|%-.0o]", 0u, 1u, 0xabcu);
    T("[0|1|5274]", "[%0o|%0o|%0o]", 0u, 1u, 0xabcu);
    T("[000000|000001|005274]", "[%06o|%06o|%06o]", 0u, 1u, 0xabcu);
    T("[0000|0001|5274]", "[%0.4o|%0.4o|%0.4o]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    5274]", "[%08.4o|%08.4o|%08.4o]", 0u, 1u, 0xabcu);
    T("[|1|5274]", "[%0.0o|%0.0o|%0.0o]", 0u, 1u, 0xabcu);
    T("[0|01|05274]", "[%#0o|%#0o|%#0o]", 0u, 1u, 0xabcu);
    T("[000000|000001|005274]", "[%#06o|%#06o|%#06o]", 0u, 1u, 0xabcu);
    T("[0000|0001|05274]", "[%#0.4o|%#0.4o|%#0.4o]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|   05274]", "[%#08.4o|%#08.4o|%#08.4o]", 0u, 1u, 0xabcu);
    T("[0|01|05274]", "[%#0.0o|%#0.0o|%#0.0o]", 0u, 1u, 0xabcu);
    T("[0|01|05274]", "[%-#o|%-#o|%-#o]", 0u, 1u, 0xabcu);
    T("[0     |01    |05274 ]", "[%-#6o|%-#6o|%-#6o]", 0u, 1u, 0xabcu);
    T("[0000|0001|05274]", "[%-#.4o|%-#.4o|%-#.4o]", 0u, 1u, 0xabcu);
    T("[0000    |0001    |05274   ]", "[%-#8.4o|%-#8.4o|%-#8.4o]", 0u, 1u, 0xabcu);
    T("[0|01|05274]", "[%-#.0o|%-#.0o|%-#.0o]", 0u, 1u, 0xabcu);
    T("[0|1|5274]", "[%+o|%+o|%+o]", 0u, 1u, 0xabcu);
    T("[     0|     1|  5274]", "[%+6o|%+6o|%+6o]", 0u, 1u, 0xabcu);
    T("[0000|0001|5274]", "[%+.4o|%+.4o|%+.4o]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    5274]", "[%+8.4o|%+8.4o|%+8.4o]", 0u, 1u, 0xabcu);
    T("[|1|5274]", "[%+.0o|%+.0o|%+.0o]", 0u, 1u, 0xabcu);
    T("[0|1|5274]", "[% o|% o|% o]", 0u, 1u, 0xabcu);
    T("[     0|     1|  5274]", "[% 6o|% 6o|% 6o]", 0u, 1u, 0xabcu);
    T("[0000|0001|5274]", "[% .4o|% .4o|% .4o]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    5274]", "[% 8.4o|% 8.4o|% 8.4o]", 0u, 1u, 0xabcu);
    T("[|1|5274]", "[% .0o|% .0o|% .0o]", 0u, 1u, 0xabcu);
    T("[0|1|abc]", "[%x|%x|%x]", 0u, 1u, 0xabcu);
    T("[     0|     1|   abc]", "[%6x|%6x|%6x]", 0u, 1u, 0xabcu);
    T("[0000|0001|0abc]", "[%.4x|%.4x|%.4x]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0abc]", "[%8.4x|%8.4x|%8.4x]", 0u, 1u, 0xabcu);
    T("[|1|abc]", "[%.0x|%.0x|%.0x]", 0u, 1u, 0xabcu);
    T("[0|0x1|0xabc]", "[%#x|%#x|%#x]", 0u, 1u, 0xabcu);
    T("[     0|   0x1| 0xabc]", "[%#6x|%#6x|%#6x]", 0u, 1u, 0xabcu);
    T("[0000|0x0001|0x0abc]", "[%#.4x|%#.4x|%#.4x]", 0u, 1u, 0xabcu);
    T("[    0000|  0x0001|  0x0abc]", "[%#8.4x|%#8.4x|%#8.4x]", 0u, 1u, 0xabcu);
    T("[|0x1|0xabc]", "[%#.0x|%#.0x|%#.0x]", 0u, 1u, 0xabcu);
    T("[0|1|abc]", "[%-x|%-x|%-x]", 0u, 1u, 0xabcu);
    T("[0     |1     |abc   ]", "[%-6x|%-6x|%-6x]", 0u, 1u, 0xabcu);
    T("[0000|0001|0abc]", "[%-.4x|%-.4x|%-.4x]", 0u, 1u, 0xabcu);
    T("[0000    |0001    |0abc    ]", "[%-8.4x|%-8.4x|%-8.4x]", 0u, 1u, 0xabcu);
    T("[|1|abc]", "[%-.0x|%-.0x|%-.0x]", 0u, 1u, 0xabcu);
    T("[0|1|abc]", "[%0x|%0x|%0x]", 0u, 1u, 0xabcu);
    T("[000000|000001|000abc]", "[%06x|%06x|%06x]", 0u, 1u, 0xabcu);
    T("[0000|0001|0abc]", "[%0.4x|%0.4x|%0.4x]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0abc]", "[%08.4x|%08.4x|%08.4x]", 0u, 1u, 0xabcu);
    T("[|1|abc]", "[%0.0x|%0.0x|%0.0x]", 0u, 1u, 0xabcu);
    T("[0|0x1|0xabc]", "[%#0x|%#0x|%#0x]", 0u, 1u, 0xabcu);
    T("[000000|0x0001|0x0abc]", "[%#06x|%#06x|%#06x]", 0u, 1u, 0xabcu);
    T("[0000|0x0001|0x0abc]", "[%#0.4x|%#0.4x|%#0.4x]", 0u, 1u, 0xabcu);
    T("[    0000|  0x0001|  0x0abc]", "[%#08.4x|%#08.4x|%#08.4x]", 0u, 1u, 0xabcu);
    T("[|0x1|0xabc]", "[%#0.0x|%#0.0x|%#0.0x]", 0u, 1u, 0xabcu);
    T("[0|0x1|0xabc]", "[%-#x|%-#x|%-#x]", 0u, 1u, 0xabcu);
    T("[0     |0x1   |0xabc ]", "[%-#6x|%-#6x|%-#6x]", 0u, 1u, 0xabcu);
    T("[0000|0x0001|0x0abc]", "[%-#.4x|%-#.4x|%-#.4x]", 0u, 1u, 0xabcu);
    T("[0000    |0x0001  |0x0abc  ]", "[%-#8.4x|%-#8.4x|%-#8.4x]", 0u, 1u, 0xabcu);
    T("[|0x1|0xabc]", "[%-#.0x|%-#.0x|%-#.0x]", 0u, 1u, 0xabcu);
    T("[0|1|abc]", "[%+x|%+x|%+x]", 0u, 1u, 0xabcu);
    T("[     0|     1|   abc]", "[%+6x|%+6x|%+6x]", 0u, 1u, 0xabcu);
    T("[0000|0001|0abc]", "[%+.4x|%+.4x|%+.4x]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0abc]", "[%+8.4x|%+8.4x|%+8.4x]", 0u, 1u, 0xabcu);
    T("[|1|abc]", "[%+.0x|%+.0x|%+.0x]", 0u, 1u, 0xabcu);
    T("[0|1|abc]", "[% x|% x|% x]", 0u, 1u, 0xabcu);
    T("[     0|     1|   abc]", "[% 6x|% 6x|% 6x]", 0u, 1u, 0xabcu);
    T("[0000|0001|0abc]", "[% .4x|% .4x|% .4x]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0abc]", "[% 8.4x|% 8.4x|% 8.4x]", 0u, 1u, 0xabcu);
    T("[|1|abc]", "[% .0x|% .0x|% .0x]", 0u, 1u, 0xabcu);
    T("[0|1|ABC]", "[%X|%X|%X]", 0u, 1u, 0xabcu);
    T("[     0|     1|   ABC]", "[%6X|%6X|%6X]", 0u, 1u, 0xabcu);
    T("[0000|0001|0ABC]", "[%.4X|%.4X|%.4X]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0ABC]", "[%8.4X|%8.4X|%8.4X]", 0u, 1u, 0xabcu);
    T("[|1|ABC]", "[%.0X|%.0X|%.0X]", 0u, 1u, 0xabcu);
    T("[0|0X1|0XABC]", "[%#X|%#X|%#X]", 0u, 1u, 0xabcu);
    T("[     0|   0X1| 0XABC]", "[%#6X|%#6X|%#6X]", 0u, 1u, 0xabcu);
    T("[0000|0X0001|0X0ABC]", "[%#.4X|%#.4X|%#.4X]", 0u, 1u, 0xabcu);
    T("[    0000|  0X0001|  0X0ABC]", "[%#8.4X|%#8.4X|%#8.4X]", 0u, 1u, 0xabcu);
    T("[|0X1|0XABC]", "[%#.0X|%#.0X|%#.0X]", 0u, 1u, 0xabcu);
    T("[0|1|ABC]", "[%-X|%-X|%-X]", 0u, 1u, 0xabcu);
    T("[0     |1     |ABC   ]", "[%-6X|%-6X|%-6X]", 0u, 1u, 0xabcu);
    T("[0000|0001|0ABC]", "[%-.4X|%-.4X|%-.4X]", 0u, 1u, 0xabcu);
    T("[0000    |0001    |0ABC    ]", "[%-8.4X|%-8.4X|%-8.4X]", 0u, 1u, 0xabcu);
    T("[|1|ABC]", "[%-.0X|%-.0X|%-.0X]", 0u, 1u, 0xabcu);
    T("[0|1|ABC]", "[%0X|%0X|%0X]", 0u, 1u, 0xabcu);
    T("[000000|000001|000ABC]", "[%06X|%06X|%06X]", 0u, 1u, 0xabcu);
    T("[0000|0001|0ABC]", "[%0.4X|%0.4X|%0.4X]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0ABC]", "[%08.4X|%08.4X|%08.4X]", 0u, 1u, 0xabcu);
    T("[|1|ABC]", "[%0.0X|%0.0X|%0.0X]", 0u, 1u, 0xabcu);
    T("[0|0X1|0XABC]", "[%#0X|%#0X|%#0X]", 0u, 1u, 0xabcu);
    T("[000000|0X0001|0X0ABC]", "[%#06X|%#06X|%#06X]", 0u, 1u, 0xabcu);
    T("[0000|0X0001|0X0ABC]", "[%#0.4X|%#0.4X|%#0.4X]", 0u, 1u, 0xabcu);
    T("[    0000|  0X0001|  0X0ABC]", "[%#08.4X|%#08.4X|%#08.4X]", 0u, 1u, 0xabcu);
    T("[|0X1|0XABC]", "[%#0.0X|%#0.0X|%#0.0X]", 0u, 1u, 0xabcu);
    T("[0|0X1|0XABC]", "[%-#X|%-#X|%-#X]", 0u, 1u, 0xabcu);
    T("[0     |0X1   |0XABC ]", "[%-#6X|%-#6X|%-#6X]", 0u, 1u, 0xabcu);
    T("[0000|0X0001|0X0ABC]", "[%-#.4X|%-#.4X|%-#.4X]", 0u, 1u, 0xabcu);
    T("[0000    |0X0001  |0X0ABC  ]", "[%-#8.4X|%-#8.4X|%-#8.4X]", 0u, 1u, 0xabcu);
    T("[|0X1|0XABC]", "[%-#.0X|%-#.0X|%-#.0X]", 0u, 1u, 0xabcu);
    T("[0|1|ABC]", "[%+X|%+X|%+X]", 0u, 1u, 0xabcu);
    T("[     0|     1|   ABC]", "[%+6X|%+6X|%+6X]", 0u, 1u, 0xabcu);
    T("[0000|0001|0ABC]", "[%+.4X|%+.4X|%+.4X]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0ABC]", "[%+8.4X|%+8.4X|%+8.4X]", 0u, 1u, 0xabcu);
    T("[|1|ABC]", "[%+.0X|%+.0X|%+.0X]", 0u, 1u, 0xabcu);
    T("[0|1|ABC]", "[% X|% X|% X]", 0u, 1u, 0xabcu);
    T("[     0|     1|   ABC]", "[% 6X|% 6X|% 6X]", 0u, 1u, 0xabcu);
    T("[0000|0001|0ABC]", "[% .4X|% .4X|% .4X]", 0u, 1u, 0xabcu);
    T("[    0000|    0001|    0ABC]", "[% 8.4X|% 8.4X|% 8.4X]", 0u, 1u, 0xabcu);
    T("[|1|ABC]", "[% .0X|% .0X|% .0X]", 0u, 1u, 0xabcu);
    T("4294967295 37777777777 ffffffff FFFFFFFF", "%u %o %x %X", UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX);
    T("010 0xff 0XFF 010   010", "%#o %#x %#X %#.3o %#5o", 8u, 255u, 255u, 8u, 8u);
}
static void group_length(void)
{
    T("44 127 127 1 ff", "%hhd %hhd %hhd %hhu %hhx", 300, -129, 127, 257, 511);
    T("4464 32767 65535 2345 177777", "%hd %hd %hu %hx %ho", 70000, -32769, -1, 0x12345, 65535);
    T("-9223372036854775808 9223372036854775807 18446744073709551615 ffffffffffffffff 1777777777777777777777", "%ld %ld %lu %lx %lo", LONG_MIN, LONG_MAX, ULONG_MAX, ULONG_MAX, ULONG_MAX);
    T("-9223372036854775808 18446744073709551615 123456789abcdef 0XFEDCBA9876543210 +5", "%lld %llu %llx %#llX %+lld", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL, 0xfedcba9876543210ULL, 5LL);
    T("-9223372036854775808 18446744073709551615 beef", "%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)48879);
    T("18446744073709551615 -1 1000 10", "%zu %zd %zx %zo", SIZE_MAX, (ssize_t)-1, (size_t)4096, (size_t)8);
    T("-5 5 ff", "%td %tu %tx", (ptrdiff_t)-5, (ptrdiff_t)5, (ptrdiff_t)255);
    T("-0000000000123456789|123456789           |+000000000000042| -9223372036854775808", "%020ld|%-20lu|%+.15ld|% 21ld", -123456789L, 123456789UL, 42L, LONG_MIN);
    T("01777777777777777777777|                 0x1|00000000000000000001", "%#22lo|%#20lx|%.20lx", ULONG_MAX, 1UL, 1UL);
    T("-1|-1|-1|-1|-1|-1|-1", "%hhi|%hi|%li|%lli|%ji|%zi|%ti", -1, -1, -1L, -1LL, (intmax_t)-1, (ssize_t)-1, (ptrdiff_t)-1);
    T("   56|-7   |00007|0xff|010", "%5hhd|%-5hd|%05hu|%#hhx|%#ho", -200, -7, 7, 255, 8);
}
static void group_star(void)
{
    T("[    1]", "[%*d]", 5, 1);
    T("[1    ]", "[%*d]", -5, 1);
    T("[2  ]", "[%-*d]", 3, 2);
    T("[2  ]", "[%-*d]", -3, 2);
    T("[007]", "[%.*d]", 3, 7);
    T("[7]", "[%.*d]", -1, 7);
    T("[]", "[%.*d]", 0, 0);
    T("[  -007]", "[%*.*d]", 6, 3, -7);
    T("[    ab]", "[%*.*s]", 6, 2, "abcdef");
    T("[ab    ]", "[%-*.*s]", 6, 2, "abcdef");
    T("[abc]", "[%.*s]", -1, "abc");
    T("[0000beef]", "[%0*x]", 8, 0xbeefu);
    T("[0xbeef  ]", "[%#*x]", -8, 0xbeefu);
    T("[  q]", "[%*c]", 3, 'q');
    T("[toolong|]", "[%*s|%*s]", 2, "toolong", 0, "");
    T("[5]", "[%*u]", 0, 5u);
    T("[     +0099]", "[%+*.*ld]", 10, 4, 99L);
    T("[%]", "[%*%]", 5);
}
static void group_chars_strings(void)
{
    T("[hello]", "[%s]", "hello");
    T("[]", "[%s]", "");
    T("[hello]", "[%5s]", "hello");
    T("[     ]", "[%5s]", "");
    T("[hello]", "[%-5s]", "hello");
    T("[     ]", "[%-5s]", "");
    T("[]", "[%.0s]", "hello");
    T("[]", "[%.0s]", "");
    T("[he]", "[%.2s]", "hello");
    T("[]", "[%.2s]", "");
    T("[hello]", "[%.10s]", "hello");
    T("[]", "[%.10s]", "");
    T("[     hel]", "[%8.3s]", "hello");
    T("[        ]", "[%8.3s]", "");
    T("[hel     ]", "[%-8.3s]", "hello");
    T("[        ]", "[%-8.3s]", "");
    T("[hello]", "[%1s]", "hello");
    T("[ ]", "[%1s]", "");
    T("[x]", "[%c]", 'x');
    T("[  x]", "[%3c]", 'x');
    T("[x  ]", "[%-3c]", 'x');
    T("[x]", "[%1c]", 'x');
    T("[abc]", "[%c%c%c]", 'a', 'b', 'c');
    T("[A]", "[%c]", 0x141);
    T("one and two", "%s and %s", "one", "two");
    T("[%] [%] [%] [%]", "[%%] [%5%] [%-5%] [%05%]");
    T("100% 50%", "100%% %d%%", 50);
    T("no conversion at all", "no conversion at all");
    T("[+12     ]", "[%-+ 0#8d]", 12);
    T("[a\tb\nc]", "[%s]", "a\tb\nc");
    T("x", "%s%s%s", "", "x", "");
    T("[ab|abc]", "[%.3s|%.3s]", "ab", "abcd");
}
static void group_pointer(void)
{
    T("[0x1000]", "[%p]", (void *)0x1000);
    T("[(nil)]", "[%p]", (void *)0);
    T("[              0x1234]", "[%20p]", (void *)0x1234);
    T("[0x1234              ]", "[%-20p]", (void *)0x1234);
    T("[     (nil)]", "[%10p]", (void *)0);
    T("[(nil)     ]", "[%-10p]", (void *)0);
    T("[0xffffffffffffffff]", "[%p]", (void *)0xffffffffffffffffUL);
    T("[+0x1]", "[%+p]", (void *)1);
    T("[ 0x1]", "[% p]", (void *)1);
    T("[0x000000000000001234]", "[%020p]", (void *)0x1234);
    T("[0x00001234]", "[%.8p]", (void *)0x1234);
    T("[0x10 0x20]", "[%p %p]", (void *)16, (void *)32);
}
static void group_unknown(void)
{
    T("[%y]", "[%y]");
    T("[%y] [5]", "[%y] [%d]", 5);
    T("[%-5y] [6]", "[%-5y] [%d]", 6);
    T("[%k7]", "[%k%d]", 7);
}
/* %n, and what snprintf returns when the buffer is too small. */
static void group_n_and_truncation(void)
{
    char buf[8];
    int n1 = -1, n2 = -1;
    signed char hh = -1;
    short h = -1;
    long l = -1;
    T("abc12", "abc%n12%n", &n1, &n2);
    if (n1 != 3 || n2 != 5)
        T("n1=3 n2=5", "n1=%d n2=%d", n1, n2); /* fails, and says what was stored */
    T("[  42]xy", "[%4d]%hhnx%hny%ln", 42, &hh, &h, &l);
    if (hh != 6 || h != 7 || l != 8)
        T("6 7 8", "%d %d %ld", hh, h, l);
    int r = format_into(buf, sizeof(buf), "%d-%s", 12345, "abcdef");
    if (r != 12 || strcmp(buf, "12345-a"))
        T("12 12345-a", "%d %s", r, buf);
    r = format_into(NULL, 0, "%08x", 1u);
    if (r != 8)
        T("8", "%d", r);
    r = format_into(buf, 1, "%s", "xyz");
    if (r != 3 || buf[0])
        T("3 ''", "%d '%s'", r, buf);
}

/* What cowl defines where glibc differs: no floating point, so %f is an
 * unknown conversion, printed as written, taking no argument. */
static void group_cowl_only(void)
{
    T("[%f] [5]", "[%f] [%d]", 5);
    T("[%8.3e|x]", "[%8.3e|%s]", "x");
    T("[%G%a%A%F%E]", "[%G%a%A%F%E]");
    T("abc%", "abc%");
    T("abc%-08", "abc%-08");
}

struct group {
    const char *name;
    void (*fn)(void);
    int cowl_only;
};

static const struct group groups[] = {
    {"signed", group_signed, 0},
    {"unsigned", group_unsigned, 0},
    {"length", group_length, 0},
    {"star", group_star, 0},
    {"chars_strings", group_chars_strings, 0},
    {"pointer", group_pointer, 0},
    {"unknown", group_unknown, 0},
    {"n_and_truncation", group_n_and_truncation, 0},
    {"cowl_only", group_cowl_only, 1},
};

int main(void)
{
    int n = sizeof(groups) / sizeof(groups[0]);
    tap_plan(n);
    for (int i = 0; i < n; i++) {
#ifndef __cowl__
        if (groups[i].cowl_only) {
            tap_skip(groups[i].name, "what cowl does where glibc differs");
            continue;
        }
#endif
        group_failures = 0;
        groups[i].fn();
        tap_result(!group_failures, groups[i].name, first_failure);
    }
    return tap_status();
}
