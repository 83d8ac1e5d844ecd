/* tap.h - for a user test that reports several results: it prints TAP
 * lines of its own, a plan "1..N" and one "ok N - name" or
 * "not ok N - name # why" per case, and the runner shows them nested under
 * the test's name (docs/testing.md, "A test that prints its own TAP").  The
 * exit status still decides: return tap_status() from main. */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>

static int tap_count, tap_failures;

static inline void tap_plan(int n)
{
    printf("1..%d\n", n);
}

/* One result; `why` (or NULL) follows a failure's name after " # ". */
static inline void tap_result(int ok, const char *name, const char *why)
{
    tap_count++;
    if (!ok)
        tap_failures++;
    printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", tap_count, name, why && !ok ? " # " : "",
           why && !ok ? why : "");
}

static inline void tap_skip(const char *name, const char *why)
{
    printf("ok %d - %s # SKIP %s\n", ++tap_count, name, why);
}

/* The exit status: 0 only if every result passed. */
static inline int tap_status(void)
{
    fflush(stdout);
    return tap_failures ? 1 : 0;
}

#endif
