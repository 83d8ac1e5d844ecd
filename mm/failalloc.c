/* failalloc.c - fault injection for allocations (see failalloc.h).
 *
 * The hot path costs one relaxed load while nothing is armed.  When armed,
 * the decision is taken under a spinlock so that "the n-th allocation" is
 * one well-defined allocation even with several CPUs allocating at once,
 * and so that a seed replays the same sequence of decisions. */
#include "mm/failalloc.h"
#include "arch.h"
#include "kernel/cmdline.h"
#include "uapi/errno.h"
#include "kernel/printk.h"
#include "kernel/cpu.h"
#include "kernel/spinlock.h"
#include "lib/string.h"

static struct spinlock fa_lock = SPINLOCK_INIT("failalloc");
static int fa_mode = COWL_FAIL_OFF; /* [fa_lock], read without it as a hint */
static int64_t fa_countdown;        /* [fa_lock] nth: allocations left before the failure */
static uint32_t fa_ppm;             /* [fa_lock] probability mode */
static uint64_t fa_rng = 1;         /* [fa_lock] xorshift state */
static int64_t fa_counted;          /* [fa_lock] allocations seen while armed */
static int64_t fa_injected;         /* [fa_lock] failures handed out */
static bool fa_trace;               /* boot option failalloc_trace: say where each one hit */

static uint64_t fa_next(void)
{
    fa_rng ^= fa_rng << 13;
    fa_rng ^= fa_rng >> 7;
    fa_rng ^= fa_rng << 17;
    return fa_rng;
}

/* Only an armed process's allocations can fail: not the idle threads,
 * not a kernel test.  mm/ knows nothing of processes: the scheduler tells
 * each CPU, at every switch, whether what runs there is armed
 * (struct cpu.failalloc_pid).  Interrupt handlers never allocate, so an
 * interrupt arriving while an armed process runs cannot be charged to it. */
static bool caller_armed(void) { return this_cpu()->failalloc_pid != 0; }

bool failalloc_now(void)
{
    if (__atomic_load_n(&fa_mode, __ATOMIC_RELAXED) == COWL_FAIL_OFF || !caller_armed())
        return false;
    bool fail = false;
    spin_lock(&fa_lock);
    if (fa_mode != COWL_FAIL_OFF) {
        fa_counted++;
        if (fa_mode == COWL_FAIL_NTH)
            fail = --fa_countdown == 0;
        else
            fail = fa_next() % 1000000 < fa_ppm;
        fa_injected += fail;
    }
    int64_t n = fa_counted;
    spin_unlock(&fa_lock);
    if (fail && fa_trace) { /* which code path was refused: for finding it again */
        kprintf("failalloc: allocation %ld refused, in pid %d:\n", n, this_cpu()->failalloc_pid);
        arch_backtrace(0, read_rbp(), 0);
    }
    return fail;
}

static void arm(int mode, int64_t arg, uint64_t seed)
{
    spin_lock(&fa_lock);
    fa_mode = mode;
    fa_countdown = mode == COWL_FAIL_NTH ? arg : 0;
    fa_ppm = mode == COWL_FAIL_PPM ? (uint32_t)arg : 0;
    fa_rng = seed ? seed : 1;
    fa_counted = fa_injected = 0;
    spin_unlock(&fa_lock);
}

int64_t failalloc_control(int op, int64_t arg)
{
    int64_t r = 0;
    switch (op) {
    case COWL_FAIL_OFF:
        spin_lock(&fa_lock);
        fa_mode = COWL_FAIL_OFF;
        r = fa_counted;
        spin_unlock(&fa_lock);
        return r;
    case COWL_FAIL_NTH:
        if (arg < 1)
            return -EINVAL;
        arm(COWL_FAIL_NTH, arg, 0);
        return 0;
    case COWL_FAIL_PPM:
        if (arg < 0 || arg > 1000000)
            return -EINVAL;
        /* Joining a running experiment with the same p keeps its counts
         * (several workers of one fuzzer arm themselves one by one). */
        if (__atomic_load_n(&fa_mode, __ATOMIC_RELAXED) != COWL_FAIL_PPM || fa_ppm != arg)
            arm(COWL_FAIL_PPM, arg, 0x9e3779b97f4a7c15ull ^ (uint64_t)arg);
        return 0;
    case COWL_FAIL_STATUS:
        spin_lock(&fa_lock);
        r = fa_injected;
        spin_unlock(&fa_lock);
        return r;
    }
    return -EINVAL;
}

void failalloc_stats(int64_t *counted, int64_t *injected)
{
    spin_lock(&fa_lock);
    *counted = fa_counted;
    *injected = fa_injected;
    spin_unlock(&fa_lock);
}

static bool option(const char *key, int64_t *out)
{
    const char *v = cmdline_get(key);
    if (!v)
        return false;
    int64_t n = 0;
    for (const char *s = v; *s; s++) {
        if (*s < '0' || *s > '9') {
            pr_warn("%s=%s: expected a number\n", key, v);
            return false;
        }
        n = n * 10 + (*s - '0');
    }
    *out = n;
    return true;
}

bool failalloc_parse_options(void)
{
    int64_t n, seed = 0, trace = 0;
    option("failalloc_seed", &seed);
    fa_trace = option("failalloc_trace", &trace) && trace;
    if (option("failalloc_nth", &n) && n >= 1) {
        arm(COWL_FAIL_NTH, n, 0);
        kprintf("failalloc: allocation %ld of init and its children will fail\n", n);
        return true;
    }
    if (option("failalloc_ppm", &n) && n <= 1000000) {
        arm(COWL_FAIL_PPM, n, (uint64_t)seed ^ 0x9e3779b97f4a7c15ull);
        kprintf("failalloc: init's allocations fail with p = %ld/1000000 (seed %ld)\n", n, seed);
        return true;
    }
    return false;
}
