/* ubsan.c - the runtime of the undefined-behaviour sanitizer (make
 * SANITIZE=1): the __ubsan_handle_* functions gcc calls when a check fails.
 * Each decodes what gcc passes, prints one "UBSAN:" line and a backtrace,
 * and returns, so one boot reports every problem it meets.  This file is
 * itself never instrumented (see the Makefile). */
#include "kernel/ubsan.h"
#include "arch.h"
#include "kernel/cpu.h"
#include "kernel/ksyms.h"
#include "kernel/printk.h"
#include "lib/string.h"

#ifdef COWL_UBSAN
/* tests/run.py looks for this symbol: a sanitized kernel must boot without
 * a report, and must report the deliberate one of ubsan/selftest. */
const char ubsan_instrumented[] = "-fsanitize=undefined";
#endif

/* ---- What gcc passes: the layouts of its static "data" arguments, shared
 * with clang and the libubsan runtime of user programs. */

struct source_location {
    const char *file;
    uint32_t line;
    uint32_t column; /* top bit: reported already (set here, see claim()) */
};

#define LOCATION_REPORTED 0x80000000u

struct type_descriptor {
    uint16_t kind; /* TYPE_INTEGER, TYPE_FLOAT or 0xffff: something else */
    uint16_t info; /* integers: log2(bit width) << 1 | signed */
    char name[];   /* as gcc prints it, quotes included: 'unsigned int' */
};

enum { TYPE_INTEGER = 0, TYPE_FLOAT = 1 };

struct type_mismatch_data {
    struct source_location loc;
    const struct type_descriptor *type;
    uint8_t log_alignment; /* the alignment the type requires, as a power of two */
    uint8_t type_check_kind;
};

struct location_only_data {
    struct source_location loc;
};

struct overflow_data {
    struct source_location loc;
    const struct type_descriptor *type;
};

struct out_of_bounds_data {
    struct source_location loc;
    const struct type_descriptor *array_type;
    const struct type_descriptor *index_type;
};

struct shift_data {
    struct source_location loc;
    const struct type_descriptor *lhs_type;
    const struct type_descriptor *rhs_type;
};

struct invalid_builtin_data {
    struct source_location loc;
    uint8_t kind; /* 0: ctz, 1: clz */
};

struct nonnull_arg_data {
    struct source_location loc;
    struct source_location attr_loc;
    int arg_index;
};

struct nonnull_return_data {
    struct source_location attr_loc;
};

/* ---- Reporting */

static uint64_t report_count;
/* Per CPU: a report is being printed.  A check that fails inside the
 * printing (in kprintf, say) is left for later instead of recursing. */
static bool reporting[MAX_CPUS];

uint64_t ubsan_reports(void) { return __atomic_load_n(&report_count, __ATOMIC_RELAXED); }

/* Take the right to report `loc`: false if this CPU is already reporting,
 * or if that place was reported before.  The location lives in writable
 * data, so its column's top bit can mark it, atomically between CPUs. */
static bool claim(struct source_location *loc)
{
    /* this_cpu() needs GS, which arch_boot() and ap_main() set up before
     * any code that could fail a check. */
    if (reporting[this_cpu()->id])
        return false;
    uint32_t old = __atomic_fetch_or(&loc->column, LOCATION_REPORTED, __ATOMIC_RELAXED);
    return !(old & LOCATION_REPORTED);
}

/* The frame of the __ubsan_handle_* function that called us (through at
 * most a few helpers here), so the backtrace starts at the code that broke
 * the rule, not inside this file. */
static uint64_t handler_frame(void)
{
    uint64_t *frame = __builtin_frame_address(0);
    for (int depth = 0; depth < 4 && frame; depth++) {
        uint64_t off;
        const char *name = ksym_lookup(frame[1] - 1, &off);
        frame = (uint64_t *)frame[0];
        if (name && !strncmp(name, "__ubsan_handle_", 15))
            return (uint64_t)frame;
    }
    return (uint64_t)__builtin_frame_address(0);
}

/* Print the report line through the kernel log and a backtrace of the code
 * that broke the rule.  If this CPU holds the console lock (the check failed
 * inside printk), kprintf would deadlock: write to the serial port directly. */
__attribute__((format(printf, 3, 4))) static void report(const struct source_location *loc,
                                                         const char *kind, const char *fmt, ...)
{
    char detail[200], line[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(line, sizeof(line), "UBSAN: %s in %s:%u:%u (%s)\n", kind,
             loc->file ? loc->file : "<unknown>", loc->line, loc->column & ~LOCATION_REPORTED,
             detail);
    int cpu = this_cpu()->id;
    reporting[cpu] = true;
    __atomic_fetch_add(&report_count, 1, __ATOMIC_RELAXED);
    if (console_held_here()) {
        for (const char *s = line; *s; s++)
            arch_serial_putc(*s);
    } else {
        kprintf("%s", line);
        arch_backtrace(0, handler_frame(), 0);
    }
    reporting[cpu] = false;
}

/* A value as gcc passes it: integers up to 64 bits are in the argument
 * itself, wider ones (__int128) are behind a pointer. */
static unsigned type_bits(const struct type_descriptor *t) { return 1u << (t->info >> 1); }
static bool type_signed(const struct type_descriptor *t) { return t->info & 1; }

static bool is_negative(const struct type_descriptor *t, uintptr_t v)
{
    if (t->kind != TYPE_INTEGER || !type_signed(t))
        return false;
    if (type_bits(t) > 64)
        return *(const __int128 *)v < 0;
    return (int64_t)(v << (64 - type_bits(t))) < 0;
}

static void format_value(char *buf, size_t size, const struct type_descriptor *t, uintptr_t v)
{
    if (t->kind != TYPE_INTEGER) {
        snprintf(buf, size, "<value of %s>", t->name);
    } else if (type_bits(t) > 64) {
        unsigned __int128 x = *(const unsigned __int128 *)v;
        snprintf(buf, size, "0x%lx%016lx", (uint64_t)(x >> 64), (uint64_t)x);
    } else if (type_signed(t)) {
        unsigned shift = 64 - type_bits(t); /* sign-extend the narrower type */
        snprintf(buf, size, "%ld", (int64_t)(v << shift) >> shift);
    } else {
        snprintf(buf, size, "%lu", (uint64_t)v);
    }
}

/* ---- The handlers, one per kind of check (the names are gcc's ABI). */

static const char *const access_kind[] = {
    "load of",
    "store to",
    "reference binding to",
    "member access within",
    "member call on",
    "constructor call on",
    "downcast of",
    "downcast of",
    "upcast of",
    "cast to virtual base of",
    "_Nonnull binding to",
    "dynamic operation on",
};

/* -fsanitize=null, alignment and object-size all come here. */
void __ubsan_handle_type_mismatch_v1(struct type_mismatch_data *d, uintptr_t ptr)
{
    if (!claim(&d->loc))
        return;
    const char *what =
        d->type_check_kind < ARRAY_SIZE(access_kind) ? access_kind[d->type_check_kind] : "use of";
    uintptr_t align = (uintptr_t)1 << d->log_alignment;
    if (!ptr)
        report(&d->loc, "null-pointer-dereference", "%s null pointer of type %s", what,
               d->type->name);
    else if (d->log_alignment && (ptr & (align - 1)))
        report(&d->loc, "misaligned-access",
               "%s misaligned address %p for type %s, which requires %lu-byte alignment", what,
               (void *)ptr, d->type->name, (uint64_t)align);
    else
        report(&d->loc, "object-size-mismatch",
               "%s address %p with insufficient space for an object of type %s", what, (void *)ptr,
               d->type->name);
}

void __ubsan_handle_pointer_overflow(struct location_only_data *d, uintptr_t base, uintptr_t result)
{
    if (!claim(&d->loc))
        return;
    if (!base)
        report(&d->loc, "pointer-overflow", "applying offset %p to a null pointer", (void *)result);
    else if (!result)
        report(&d->loc, "pointer-overflow",
               "applying a non-zero offset to %p produced a null pointer", (void *)base);
    else if (((intptr_t)base >= 0) == ((intptr_t)result >= 0))
        report(&d->loc, "pointer-overflow", "%s unsigned offset %s %p overflowed to %p",
               base > result ? "addition of" : "subtraction of", base > result ? "to" : "from",
               (void *)base, (void *)result);
    else
        report(&d->loc, "pointer-overflow",
               "pointer index expression with base %p overflowed to %p", (void *)base,
               (void *)result);
}

void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *d, uintptr_t index)
{
    if (!claim(&d->loc))
        return;
    char i[48];
    format_value(i, sizeof(i), d->index_type, index);
    report(&d->loc, "array-index-out-of-bounds", "index %s out of bounds for type %s", i,
           d->array_type->name);
}

static void overflow(struct overflow_data *d, uintptr_t lhs, uintptr_t rhs, char op)
{
    if (!claim(&d->loc))
        return;
    char a[48], b[48];
    format_value(a, sizeof(a), d->type, lhs);
    format_value(b, sizeof(b), d->type, rhs);
    report(&d->loc, type_signed(d->type) ? "signed-integer-overflow" : "unsigned-integer-overflow",
           "%s %c %s cannot be represented in type %s", a, op, b, d->type->name);
}

void __ubsan_handle_add_overflow(struct overflow_data *d, uintptr_t lhs, uintptr_t rhs)
{
    overflow(d, lhs, rhs, '+');
}

void __ubsan_handle_sub_overflow(struct overflow_data *d, uintptr_t lhs, uintptr_t rhs)
{
    overflow(d, lhs, rhs, '-');
}

void __ubsan_handle_mul_overflow(struct overflow_data *d, uintptr_t lhs, uintptr_t rhs)
{
    overflow(d, lhs, rhs, '*');
}

void __ubsan_handle_negate_overflow(struct overflow_data *d, uintptr_t old)
{
    if (!claim(&d->loc))
        return;
    char v[48];
    format_value(v, sizeof(v), d->type, old);
    report(&d->loc, "signed-integer-overflow", "negation of %s cannot be represented in type %s", v,
           d->type->name);
}

void __ubsan_handle_divrem_overflow(struct overflow_data *d, uintptr_t lhs, uintptr_t rhs)
{
    if (!claim(&d->loc))
        return;
    char a[48];
    format_value(a, sizeof(a), d->type, lhs);
    if (is_negative(d->type, rhs)) /* the only other case: INT_MIN / -1 */
        report(&d->loc, "signed-integer-overflow",
               "division of %s by -1 cannot be represented in type %s", a, d->type->name);
    else
        report(&d->loc, "division-by-zero", "division of %s by zero", a);
}

void __ubsan_handle_shift_out_of_bounds(struct shift_data *d, uintptr_t lhs, uintptr_t rhs)
{
    if (!claim(&d->loc))
        return;
    char a[48], b[48];
    format_value(a, sizeof(a), d->lhs_type, lhs);
    format_value(b, sizeof(b), d->rhs_type, rhs);
    if (is_negative(d->rhs_type, rhs))
        report(&d->loc, "shift-out-of-bounds", "shift exponent %s is negative", b);
    else if (type_bits(d->rhs_type) > 64 || rhs >= type_bits(d->lhs_type))
        report(&d->loc, "shift-out-of-bounds", "shift exponent %s is too large for %u-bit type %s",
               b, type_bits(d->lhs_type), d->lhs_type->name);
    else if (is_negative(d->lhs_type, lhs))
        report(&d->loc, "shift-out-of-bounds", "left shift of negative value %s", a);
    else
        report(&d->loc, "shift-out-of-bounds",
               "left shift of %s by %s places cannot be represented in type %s", a, b,
               d->lhs_type->name);
}

void __ubsan_handle_load_invalid_value(struct overflow_data *d, uintptr_t val)
{
    if (!claim(&d->loc))
        return;
    char v[48];
    format_value(v, sizeof(v), d->type, val);
    report(&d->loc, "invalid-load", "load of value %s, which is not a valid value for type %s", v,
           d->type->name);
}

void __ubsan_handle_invalid_builtin(struct invalid_builtin_data *d)
{
    if (!claim(&d->loc))
        return;
    report(&d->loc, "invalid-builtin-use", "passing zero to %s, which is not a valid argument",
           d->kind == 0 ? "__builtin_ctz()" : "__builtin_clz()");
}

void __ubsan_handle_vla_bound_not_positive(struct overflow_data *d, uintptr_t bound)
{
    if (!claim(&d->loc))
        return;
    char v[48];
    format_value(v, sizeof(v), d->type, bound);
    report(&d->loc, "vla-bound-not-positive",
           "variable length array bound evaluates to non-positive value %s", v);
}

void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *d)
{
    if (!claim(&d->loc))
        return;
    report(&d->loc, "nonnull-attribute",
           "null pointer passed as argument %d, which is declared to never be null", d->arg_index);
}

void __ubsan_handle_nonnull_return_v1(struct nonnull_return_data *d, struct source_location *loc)
{
    (void)d;
    if (!loc || !claim(loc))
        return;
    report(loc, "returns-nonnull-attribute",
           "null pointer returned from a function declared to never return null");
}

/* Code after __builtin_unreachable() does not exist: there is nowhere to
 * return to, so this one stops the machine. */
__attribute__((noreturn)) void __ubsan_handle_builtin_unreachable(struct location_only_data *d)
{
    report(&d->loc, "unreachable", "execution reached an unreachable program point");
    panic("ubsan: reached __builtin_unreachable() at %s:%u", d->loc.file, d->loc.line);
}
