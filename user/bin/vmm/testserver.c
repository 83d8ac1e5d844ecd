/* testserver.c - vmm -t: boot a guest cowl once, fork it per test.
 *
 *   vmm -t [-b] [-w SEC] -a test=PATTERNS -a testfork /boot/cowl.elf
 *
 * The guest kernel (kernel/ktest.c) boots, chooses its tests, prints the
 * TAP plan and makes the hypercall COWL_HC_TEST_READY with the number of
 * tests: that VM, stopped in the hypercall, is the snapshot.  For each test
 * i, vmm forks the VM and its vCPU (cowl_vm_fork: the nested page tables
 * are shared copy-on-write, so a clone costs the same whatever the guest
 * has booted), answers the clone's hypercall with i and runs it.  The clone
 * runs test i alone, prints its TAP line and leaves through isa-debug-exit
 * with its verdict; vmm closes it and forks the next one from the same
 * pristine snapshot:
 *
 *       boot ... COWL_HC_TEST_READY(n)       the snapshot, never run again
 *          fork /      |        \ fork
 *     clone: test 0  test 1 ... test n-1     each runs one test, then closed
 *
 * A clone that panics reports its own failure; one that triple-faults,
 * touches MMIO or runs longer than -w seconds gets a "not ok" line written
 * here for it (named by the "# running" line it printed), and fails alone:
 * the next test starts from the snapshot as if nothing had happened.
 *
 * -b boots a fresh guest for every test instead (the same output, for
 * make bench to compare).  At the end: the TAP stream's end line, a timing
 * line, and the exit status QEMU would give for the kernel's verdict (33
 * all passed, 35 not), which a host booted with initexit=qemu passes on. */
#include "vmm.h"

#include <time.h>

#define KTEST_EXIT_PASS 0x10 /* kernel/ktest.h: what a clone writes to 0xf4 */
#define KTEST_EXIT_FAIL 0x11
#define QEMU_STATUS(v)  (((v) << 1) | 1) /* what isa-debug-exit makes of it */
#define NAME_MAX_LEN    96

/* What a clone printed that vmm needs: its current line, and the test it
 * said it was running and whether it reported a result for it. */
struct clone_log {
    char line[160];
    size_t len;
    char running[NAME_MAX_LEN]; /* from "# running NAME" */
    bool reported;              /* an "ok" or "not ok" line came */
};

static struct clone_log clone_log;

static void end_of_line(struct clone_log *cl)
{
    cl->line[cl->len] = 0;
    if (strncmp(cl->line, "# running ", 10) == 0)
        snprintf(cl->running, sizeof(cl->running), "%s", cl->line + 10);
    else if (strncmp(cl->line, "ok ", 3) == 0 || strncmp(cl->line, "not ok ", 7) == 0)
        cl->reported = true;
    cl->len = 0;
}

/* The guest's console: passed through, and read line by line on the way. */
static void clone_output(struct vmm *v, uint8_t c)
{
    (void)v;
    (void)!write(STDOUT_FILENO, &c, 1);
    struct clone_log *cl = &clone_log;
    if (c == '\n' || c == '\r') {
        if (cl->len)
            end_of_line(cl);
    } else if (cl->len < sizeof(cl->line) - 1) {
        cl->line[cl->len++] = (char)c;
    }
}

struct test_server {
    struct vmm *base;          /* the options; in fork mode also the snapshot */
    struct cowl_vm_exit at;    /* the snapshot's pending COWL_HC_TEST_READY */
    bool boot_each;            /* -b */
    unsigned long ntests, passed;
    long boot_ms;              /* until the first COWL_HC_TEST_READY */
    long clone_us_total;       /* fork mode: forking and closing the clones */
    struct cowl_virt_stats at_ready; /* the hypervisor's counters at the snapshot */
};

static long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Boot v (set up already) to its COWL_HC_TEST_READY; 0, or the status to
 * end with.  *at is the pending hypercall; its RBX the number of tests. */
static int boot_to_ready(struct vmm *v, struct cowl_vm_exit *at)
{
    memset(at, 0, sizeof(*at));
    arm_timeout(v);
    v->test_server = 1;
    int status = run_from(v, at);
    v->test_server = 0; /* a clone's second one is answered -1 */
    if (status == ST_SNAPSHOT)
        return 0;
    if (status == ST_SETUP && !v->why[0])
        return ST_SETUP; /* cowl_vcpu_run failed; fail() said why */
    fprintf(stderr, "vmm: %s: no COWL_HC_TEST_READY (is testfork on its command line?): %s\n",
            v->image, v->why);
    return ST_SETUP;
}

/* The clone's verdict; writes the TAP line a clone that died could not. */
static bool verdict(unsigned long i, int status, const struct vmm *c)
{
    if (status == QEMU_STATUS(KTEST_EXIT_PASS) || status == QEMU_STATUS(KTEST_EXIT_FAIL))
        return status == QEMU_STATUS(KTEST_EXIT_PASS);
    if (!clone_log.reported) /* a panic reports itself; this did not */
        printf("\nnot ok %lu - %s # clone: %s\n", i + 1,
               clone_log.running[0] ? clone_log.running : "(no test started)",
               c->why[0] ? c->why : "cowl_vcpu_run failed");
    return false;
}

/* Run clone c from the pending hypercall e, answered with test i. */
static bool run_test(struct vmm *c, struct cowl_vm_exit *e, unsigned long i)
{
    memset(&clone_log, 0, sizeof(clone_log));
    c->output = clone_output;
    c->why[0] = 0;
    e->hypercall.ret = i;
    arm_timeout(c);
    return verdict(i, run_from(c, e), c);
}

/* Fork mode: one clone of the snapshot for test i. */
static int fork_one(struct test_server *ts, unsigned long i)
{
    struct vmm c = *ts->base; /* options and image; its own VM and vCPU */
    c.exits = c.other_ports = 0;
    c.cpu = -1;
    long t0 = now_us();
    c.vm = cowl_vm_fork(ts->base->vm, -1); /* -1: our fork mode, share by default */
    if (c.vm < 0)
        return fail(&c, "cowl_vm_fork");
    if ((c.cpu = cowl_vcpu_fork(ts->base->cpu, c.vm)) < 0) {
        close(c.vm);
        return fail(&c, "cowl_vcpu_fork");
    }
    long t1 = now_us();
    struct cowl_vm_exit e = ts->at;
    ts->passed += run_test(&c, &e, i);
    long t2 = now_us();
    close(c.cpu);
    close(c.vm);
    ts->clone_us_total += (t1 - t0) + (now_us() - t2);
    return 0;
}

/* Boot mode (-b): a fresh guest booted to the same point for test i; only
 * the first boot's console is shown, so the output is fork mode's. */
static int boot_one(struct test_server *ts, unsigned long i)
{
    struct vmm c = *ts->base;
    c.vm = c.cpu = -1;
    c.exits = c.other_ports = 0;
    c.mute = i > 0;
    struct cowl_vm_exit e;
    int status = setup(&c);
    if (!status)
        status = boot_to_ready(&c, &e);
    c.mute = 0;
    if (!status)
        ts->passed += run_test(&c, &e, i);
    if (c.cpu >= 0)
        close(c.cpu);
    if (c.vm >= 0)
        close(c.vm);
    return status;
}

/* Test i in a clone, or (-b) in a guest of its own: the first test runs
 * in the guest just booted, the others in new ones. */
static int one_test(struct test_server *ts, unsigned long i)
{
    if (!ts->boot_each)
        return fork_one(ts, i);
    if (i > 0)
        return boot_one(ts, i);
    ts->passed += run_test(ts->base, &ts->at, 0);
    return 0;
}

static uint64_t exits_to_monitor(const struct cowl_virt_stats *st)
{
    uint64_t n = 0;
    for (int k = 0; k < COWL_EXIT_KINDS; k++)
        n += st->exits[k];
    return n;
}

static void report(const struct test_server *ts, long total_ms)
{
    unsigned long failed = ts->ntests - ts->passed, n = ts->ntests ? ts->ntests : 1;
    struct cowl_virt_stats end;
    cowl_virtstat(&end);
    printf("# cowl-tests: done passed=%lu failed=%lu\n", ts->passed, failed);
    printf("# vmm: %s per test: %lu tests in %ld ms (boot to the first test %ld ms)",
           ts->boot_each ? "boot" : "fork", ts->ntests, total_ms, ts->boot_ms);
    if (!ts->boot_each)
        printf("; a clone costs %ld us to fork and close", ts->clone_us_total / (long)n);
    printf("; per test: %lu nested faults (%lu copy-on-write), %lu exits to vmm\n",
           (unsigned long)(end.nested_faults - ts->at_ready.nested_faults) / n,
           (unsigned long)(end.nested_cow_faults - ts->at_ready.nested_cow_faults) / n,
           (unsigned long)(exits_to_monitor(&end) - exits_to_monitor(&ts->at_ready)) / n);
}

/* vmm -t: v is set up (not run yet).  Returns the exit status. */
int test_server(struct vmm *v, bool boot_each)
{
    struct test_server ts = {.base = v, .boot_each = boot_each};
    v->no_input = 1; /* the tests need none; a shell script that ran us keeps its own */
    long start = now_ms();
    int status = boot_to_ready(v, &ts.at);
    if (status)
        return status;
    ts.boot_ms = now_ms() - start;
    cowl_virtstat(&ts.at_ready);
    ts.ntests = ts.at.hypercall.args[0];
    for (unsigned long i = 0; i < ts.ntests && !status; i++)
        status = one_test(&ts, i);
    if (status)
        return status;
    report(&ts, now_ms() - start);
    return ts.passed == ts.ntests ? QEMU_STATUS(KTEST_EXIT_PASS) : QEMU_STATUS(KTEST_EXIT_FAIL);
}
