/* ktest.c - selects, runs and reports in-kernel tests (TAP on the console).
 * After each test the free-page count must be back where it was: a test that
 * leaks a page fails even if its own checks passed. */
#include "kernel/ktest.h"
#include "arch.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "fs/ramfs.h"
#include "lib/string.h"
#include "kernel/sys.h"
#include "mm/pmm.h"
#include "mm/vm.h"

extern const struct ktest __ktests_start[], __ktests_end[];

static const struct ktest *current;
static int current_number;
static bool running;

bool ktest_check(struct ktest_ctx *t, bool ok, const char *file, int line, const char *fmt, ...)
{
    if (ok || t->failed)
        return ok;
    t->failed = true;
    int n = snprintf(t->reason, sizeof(t->reason), "%s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->reason + n, sizeof(t->reason) - n, fmt, ap);
    va_end(ap);
    return false;
}

/* Does the list of globs select `full` ("suite/name")?  Commas separate
 * them, or semicolons: a guest's test= travels inside a host's init=
 * arguments, where commas already separate (tests/boots.py, the guest
 * boot).  Globs are anchored: "*split*" selects pmm/split, "split" does
 * not.  A glob after '!' leaves out what it matches, whatever else
 * selects it ("*,!user/vmfork").  Hidden tests need a pattern that starts
 * with their suite name and a slash. */
static bool separator(char c) { return c == ',' || c == ';'; }

/* One glob of the list: does it match, and does it select (or exclude)? */
static bool glob_selects(const struct ktest *k, const char *full, const char *pat)
{
    size_t sl = strlen(k->suite);
    bool names_suite = !strncmp(pat, k->suite, sl) && pat[sl] == '/';
    return glob_match(pat, full) && (!(k->flags & KTEST_HIDDEN) || names_suite);
}

static bool selected(const struct ktest *k, const char *full, const char *patterns)
{
    char pat[256];
    const char *p = patterns;
    bool hit = false;
    while (*p) {
        size_t n = 0;
        while (p[n] && !separator(p[n]))
            n++;
        if (n && n < sizeof(pat)) {
            memcpy(pat, p, n);
            pat[n] = 0;
            if (pat[0] == '!' && glob_match(pat + 1, full))
                return false;
            hit = hit || (pat[0] != '!' && glob_selects(k, full, pat));
        }
        p += n;
        if (separator(*p))
            p++;
    }
    return hit;
}

static void full_name(const struct ktest *k, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", k->suite, k->name);
}

/* Every test must give back every page it took, and leave the allocator's
 * and the page tables' books consistent. */
static void check_after_test(struct ktest_ctx *ctx, uint64_t free_before)
{
    uint64_t free_after = pmm_free_pages();
    char why[120];
    if (ctx->failed)
        return;
    /* The audits first: they say what is wrong, a leak only that something is. */
    if (pmm_audit(why, sizeof(why))) {
        snprintf(ctx->reason, sizeof(ctx->reason), "page audit: %s", why);
        ctx->failed = true;
    } else if (vm_audit(why, sizeof(why))) {
        snprintf(ctx->reason, sizeof(ctx->reason), "table audit: %s", why);
        ctx->failed = true;
    } else if (free_after != free_before) {
        snprintf(ctx->reason, sizeof(ctx->reason), "leak check: %ld pages not returned",
                 (int64_t)(free_before - free_after));
        ctx->failed = true;
    }
}

static void report(const struct ktest_ctx *ctx, int number, const char *name)
{
    if (ctx->failed)
        kprintf("not ok %d - %s # %s\n", number, name, ctx->reason);
    else if (ctx->skipped)
        kprintf("ok %d - %s # SKIP %s\n", number, name, ctx->reason);
    else
        kprintf("ok %d - %s\n", number, name);
}

static bool run_one(const struct ktest *k, int number)
{
    struct ktest_ctx ctx = {0};
    char name[96];
    full_name(k, name, sizeof(name));
    current = k;
    current_number = number;
    kprintf("# running %s\n", name); /* lets the runner name a test that hangs */
    uint64_t free_before = pmm_free_pages();
    k->fn(&ctx);
    check_after_test(&ctx, free_before);
    current = NULL;
    report(&ctx, number, name);
    return !ctx.failed;
}

/* ---- User-space tests: every program in /tests, run as a process; it
 * passes by exiting 0.  Its name in TAP is user/<program>. */
#define MAX_USER_TESTS 64
static char user_tests[MAX_USER_TESTS][NAME_MAX + 1];
static int nuser_tests;

static void find_user_tests(void)
{
    mutex_lock(&fs_lock);
    struct inode *dir;
    if (!fs_lookup(fs_root(), "/tests", &dir) && dir->type == INODE_DIR) {
        struct inode *e;
        for (int i = 0; (e = fs_dir_entry(dir, i)) && nuser_tests < MAX_USER_TESTS; i++)
            if (e->type == INODE_FILE)
                strlcpy(user_tests[nuser_tests++], e->name, NAME_MAX + 1);
    }
    mutex_unlock(&fs_lock);
}

static bool user_selected(const char *prog, const char *patterns)
{
    static const struct ktest user_suite = {"user", "", NULL, 0};
    char name[96];
    snprintf(name, sizeof(name), "user/%s", prog);
    return selected(&user_suite, name, patterns);
}

/* Collect every child of the test runner (the test and any orphans it left,
 * which were handed to us): their memory must be back before the leak check. */
static int reap_all(int pid)
{
    int status = 0, st;
    process_wait(pid, &status, false);
    while (process_wait(-1, &st, false) > 0)
        ;
    return status;
}

static bool run_user_test(const char *prog, int number)
{
    char path[PATH_MAX], name[96];
    snprintf(path, sizeof(path), "/tests/%s", prog);
    snprintf(name, sizeof(name), "user/%s", prog);
    kprintf("# running %s\n", name);
    uint64_t free_before = pmm_free_pages();
    char *argv[] = {path, NULL};
    int pid = process_spawn(path, argv, 0);
    struct ktest_ctx ctx = {0};
    if (pid < 0) {
        snprintf(ctx.reason, sizeof(ctx.reason), "cannot start: error %d", pid);
        ctx.failed = true;
    } else {
        int status = reap_all(pid);
        if (status & 0x7f)
            snprintf(ctx.reason, sizeof(ctx.reason), "killed by signal %d", status & 0x7f);
        else if (status)
            snprintf(ctx.reason, sizeof(ctx.reason), "exit status %d", (status >> 8) & 0xff);
        ctx.failed = status != 0;
    }
    check_after_test(&ctx, free_before);
    report(&ctx, number, name);
    return !ctx.failed;
}

/* Run the selected tests numbered first to last - 1 (counting from 0 in
 * the order of the plan: kernel tests, then user tests); how many passed. */
static int run_range(const char *patterns, int first, int last)
{
    char name[96];
    int number = 0, passed = 0;
    for (const struct ktest *k = __ktests_start; k < __ktests_end; k++) {
        full_name(k, name, sizeof(name));
        if (selected(k, name, patterns) && number++ >= first && number <= last)
            passed += run_one(k, number);
    }
    for (int i = 0; i < nuser_tests; i++)
        if (user_selected(user_tests[i], patterns) && number++ >= first && number <= last)
            passed += run_user_test(user_tests[i], number);
    return passed;
}

static int count_selected(const char *patterns)
{
    char name[96];
    int total = 0;
    for (const struct ktest *k = __ktests_start; k < __ktests_end; k++) {
        full_name(k, name, sizeof(name));
        total += selected(k, name, patterns);
    }
    for (int i = 0; i < nuser_tests; i++)
        total += user_selected(user_tests[i], patterns);
    return total;
}

/* Boot once, fork per test (docs/virt.md): with testfork on the command
 * line, a guest of cowl's test server (vmm -t) stops here, booted and with
 * its tests chosen, and the server forks it once per test.  Each clone
 * comes back with the index of its one test, runs it and leaves with its
 * verdict; the server counts the verdicts and ends the TAP stream.  -1: no
 * server, run them all here. */
static int clone_test(int total)
{
    if (!cmdline_get("testfork"))
        return -1;
    long index = arch_paravirt_test_ready(total);
    return index >= 0 && index < total ? (int)index : -1;
}

void ktest_run(const char *patterns)
{
    find_user_tests();
    int total = count_selected(patterns);
    kprintf("TAP version 13\n1..%d\n", total);
    int one = clone_test(total);
    running = true;
    int passed = one < 0 ? run_range(patterns, 0, total) : run_range(patterns, one, one + 1);
    running = false;
    if (one >= 0) /* the test server ends the stream */
        arch_qemu_exit(passed ? KTEST_EXIT_PASS : KTEST_EXIT_FAIL);
    kprintf("# cowl-tests: done passed=%d failed=%d\n", passed, total - passed);
    arch_qemu_exit(passed == total ? KTEST_EXIT_PASS : KTEST_EXIT_FAIL);
}

void ktest_on_panic(const char *what)
{
    if (running) {
        if (current) {
            char name[96];
            full_name(current, name, sizeof(name));
            kprintf("not ok %d - %s # %s\n", current_number, name, what);
        }
        kprintf("# cowl-tests: panic\n");
    }
    /* Leave QEMU if the test runner (or make soak) gave it an exit device.
     * Without one the write does nothing and the machine stays halted, for
     * a debugger to look at. */
    arch_qemu_exit(KTEST_EXIT_PANIC);
}
