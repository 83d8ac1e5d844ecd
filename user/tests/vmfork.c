/* vmfork.c - the correctness of vmfork (cowl_vm_fork + cowl_vcpu_fork):
 * a VM's clones each keep their own memory, whatever the order of writes,
 * closes, kills and failed allocations.
 *
 * The guest is user/guests/pattern.c: it fills RAM with patterns, rewrites
 * pages and checks them, one command per hypercall (pattern.h).  This
 * program is its monitor, and keeps a model for each VM: the seed every
 * page must hold.  A clone's write that leaks into its parent (or back), a
 * lost write, a page copied to the wrong place or an old copy of the right
 * one all show as bad words in the guest's check.
 *
 *   1. model: a parent and its clone rewrite random, partly overlapping
 *      sets of pages, each checked against its own model; in each fork mode
 *      (share, copy, eager).
 *   2. three generations: parent, child, grandchild (a clone of the clone),
 *      each writing its own pages, closed in another order than made.
 *   3. monitor writes: cowl_vm_memory into the clone leaves the parent as
 *      it was, and the reverse.
 *   4. kills: two monitor processes share a VM by process fork, one clones
 *      it; SIGKILL to either one while the other's guest runs; the survivor
 *      runs on correctly.
 *   5. allocation failures: the n-th allocation of vm_fork + vcpu_fork + the
 *      clone's first write fails, for n = 1, 2, ...: an ENOMEM and nothing
 *      else, both VMs still correct, every page back.
 * Free pages and heap objects are counted around each part.
 *
 *   vmfork [-x] [PART]   PART: run only that part (names in parts[]);
 *                        -x: every model check gets a wrong seed for one
 *                        page, so each part must fail at its first check
 */
#include "../guests/pattern.h"
#include "vmutil.h"
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#define GUEST     "/guests/pattern.bin"
#define MAX_PAGES PAT_MODEL_MAX
#define FIRST     (PAT_START / PAT_PAGE) /* the first page a pattern is in */

static const char *mode_name[] = {"share", "copy", "eager"};
static int break_model; /* -x: the test itself is wrong, the check must see it */

/* A VM running the pattern guest, as its monitor sees it. */
struct guest {
    const char *name;
    int vm, cpu;
    struct cowl_vm_exit exit; /* the last exit: the guest waits in PATTERN_HC_NEXT */
    uint64_t mib;             /* RAM size */
    uint32_t *model;          /* the seed each page must hold (0: zeros) */
};

/* ---- Driving the guest ---- */

/* Run until the guest asks for its next command.  0, or -1 with errno if
 * cowl_vcpu_run failed (then calling this again resumes the guest). */
static int guest_wait(struct guest *g)
{
    struct guest_run out; /* serial output, if the guest ever prints */
    memset(&out, 0, sizeof(out));
    for (;;) {
        if (cowl_vcpu_run(g->cpu, &g->exit) < 0)
            return -1;
        struct cowl_vm_exit *e = &g->exit;
        if (e->kind == COWL_EXIT_HYPERCALL && e->hypercall.nr == PATTERN_HC_NEXT)
            return 0;
        if (!guest_answer(g->vm, &out, e)) {
            printf("FAIL %s: %s: guest stopped: exit kind %u, rip 0x%lx, status %lu, \"%s\"\n",
                   __FILE__, g->name, e->kind, (unsigned long)e->rip, (unsigned long)out.status,
                   out.out);
            exit(1);
        }
    }
}

static void guest_send(struct guest *g, uint64_t op, uint64_t arg, uint32_t seed)
{
    g->exit.hypercall.ret = pattern_cmd(op, arg, seed);
}

/* One command, run to its end; returns its result (RBX). */
static uint64_t guest_do(struct guest *g, uint64_t op, uint64_t arg, uint32_t seed)
{
    guest_send(g, op, arg, seed);
    CHECK_EQ(guest_wait(g), 0);
    return g->exit.hypercall.args[0];
}

static uint64_t pages(const struct guest *g) { return g->mib << 20 >> 12; }

/* A new VM of mib MiB running the guest, stopped at its first command. */
static void guest_start(struct guest *g, const char *name, uint64_t mib, uint32_t *model)
{
    *g = (struct guest){.name = name, .mib = mib, .model = model};
    CHECK(pages(g) <= MAX_PAGES);
    memset(model, 0, MAX_PAGES * sizeof(*model));
    vm_new_guest(mib << 20, GUEST, &g->vm, &g->cpu);
    CHECK_EQ(guest_wait(g), 0);
}

/* vmfork: child becomes a clone of parent, stopped where parent is (its
 * exit record too, which its first run completes).  0, or -1 with errno. */
static int guest_fork(struct guest *child, struct guest *parent, int mode, const char *name,
                      uint32_t *model)
{
    *child = *parent;
    child->name = name;
    child->model = model;
    child->vm = cowl_vm_fork(parent->vm, mode);
    if (child->vm < 0)
        return -1;
    child->cpu = cowl_vcpu_fork(parent->cpu, child->vm);
    if (child->cpu < 0) {
        CHECK_EQ(close(child->vm), 0);
        return -1;
    }
    memcpy(model, parent->model, MAX_PAGES * sizeof(*model));
    return 0;
}

static void guest_close(struct guest *g)
{
    CHECK_EQ(close(g->cpu), 0);
    CHECK_EQ(close(g->vm), 0);
}

static void guest_fill(struct guest *g, uint32_t seed)
{
    CHECK_EQ(guest_do(g, PAT_FILL, g->mib, seed), 0);
    for (uint64_t p = FIRST; p < pages(g); p++)
        g->model[p] = seed;
}

static void guest_write_page(struct guest *g, uint64_t page, uint32_t seed)
{
    CHECK_EQ(guest_do(g, PAT_WRITE_PAGE, page, seed), 0);
    g->model[page] = seed;
}

/* The guest ends with status (PAT_EXIT), as a guest that is done does. */
static void guest_exit(struct guest *g, uint32_t status)
{
    guest_send(g, PAT_EXIT, 0, status);
    CHECK_EQ(cowl_vcpu_run(g->cpu, &g->exit), 0);
    CHECK_EQ(g->exit.kind, COWL_EXIT_HYPERCALL);
    CHECK_EQ(g->exit.hypercall.nr, COWL_HC_EXIT);
    CHECK_EQ(g->exit.hypercall.args[0], status);
}

/* The guest checks every page against the model, which we first copy
 * into its RAM below PAT_START (a monitor write, like any other). */
static void guest_expect_model(struct guest *g, const char *when)
{
    size_t len = pages(g) * sizeof(uint32_t);
    if (break_model)
        g->model[FIRST] ^= 1; /* -x: a wrong model, so bad words */
    CHECK_EQ(cowl_vm_memory(g->vm, PAT_MODEL_ADDR, g->model, len, COWL_VM_WRITE), 0);
    uint64_t bad = guest_do(g, PAT_CHECK_MODEL, g->mib, 0);
    if (bad == 0)
        return;
    uint64_t at = g->exit.hypercall.args[1], word = 0;
    CHECK_EQ(cowl_vm_memory(g->vm, at, &word, sizeof(word), COWL_VM_READ), 0);
    uint32_t seed = g->model[at / PAT_PAGE];
    printf("FAIL %s: %s %s: %lu bad words; the first at 0x%lx holds 0x%lx, not 0x%lx (seed %u)\n",
           __FILE__, g->name, when, (unsigned long)bad, (unsigned long)at, (unsigned long)word,
           (unsigned long)pattern_word(at, seed), seed);
    exit(1);
}

/* ---- Shared helpers ---- */

static uint64_t rng_state;

static uint64_t rng(void) /* xorshift64: a fixed sequence per seed */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t random_page(const struct guest *g) { return FIRST + rng() % (pages(g) - FIRST); }

static long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t vm_forks_now(void)
{
    struct cowl_virt_stats st;
    CHECK_EQ(cowl_virtstat(&st), 0);
    return st.vm_forks;
}

static void expect_memory_back(const char *name, struct memory before)
{
    struct memory after = memory_now();
    if (after.free_pages != before.free_pages || after.heap_objects != before.heap_objects) {
        printf("FAIL %s: %s: memory not back: free pages %lu -> %lu, heap objects %lu -> %lu\n",
               __FILE__, name, (unsigned long)before.free_pages, (unsigned long)after.free_pages,
               (unsigned long)before.heap_objects, (unsigned long)after.heap_objects);
        exit(1);
    }
}

/* Each VM's model, and a page to read or write through cowl_vm_memory:
 * static, and touched before anything is counted (warm_up). */
static uint32_t models[3][MAX_PAGES];
static uint64_t page_buf[2][PAT_PAGE / 8];

/* Touch this program's memory that the test will use (the buffers, a
 * deep stack), so that the pages it then takes are the kernel's alone. */
static void __attribute__((noinline)) warm_up(void)
{
    volatile char stack[32768];
    for (size_t i = 0; i < sizeof(stack); i += 512)
        stack[i] = 1;
    memset(models, 0, sizeof(models));
    memset(page_buf, 0, sizeof(page_buf));
}

/* ---- 1. The model test ---- */

static void test_model(int mode, uint64_t mib)
{
    struct guest parent, child;
    char what[32];
    snprintf(what, sizeof(what), "model %s", mode_name[mode]);
    rng_state = 0x5eed0000 + mode;
    guest_start(&parent, "parent", mib, models[0]);
    guest_fill(&parent, 1);
    uint64_t forks = vm_forks_now();
    CHECK_EQ(guest_fork(&child, &parent, mode, "child", models[1]), 0);
    CHECK_EQ(vm_forks_now(), forks + 1);
    /* Each page, by a draw out of 32: 3 parent only, 3 child only, 2 both
     * (one in each order), the rest neither; writes interleaved. */
    int counts[4] = {0}; /* parent, child, both, neither */
    for (uint64_t p = FIRST; p < pages(&parent); p++) {
        uint64_t r = rng() % 32;
        int who = r < 3 ? 0 : r < 6 ? 1 : r < 8 ? 2 : 3;
        counts[who]++;
        if (who == 0 || r == 6)
            guest_write_page(&parent, p, 2);
        if (who == 1 || who == 2)
            guest_write_page(&child, p, 3);
        if (r == 7)
            guest_write_page(&parent, p, 2);
    }
    guest_expect_model(&parent, what);
    guest_expect_model(&child, what);
    guest_close(&child);
    guest_expect_model(&parent, "after the child closed"); /* its pages are its own now */
    guest_close(&parent);
    printf("vmfork: %s: %lu MiB, pages written by parent %d, child %d, both %d, neither %d\n", what,
           (unsigned long)mib, counts[0], counts[1], counts[2], counts[3]);
}

/* ---- 2. Three generations ---- */

static void write_some(struct guest *g, int n, uint32_t seed)
{
    for (int i = 0; i < n; i++)
        guest_write_page(g, random_page(g), seed);
}

static void test_generations(void)
{
    struct guest parent, child, grandchild;
    rng_state = 0x3e3e3e;
    guest_start(&parent, "parent", 8, models[0]);
    guest_fill(&parent, 11);
    CHECK_EQ(guest_fork(&child, &parent, COWL_FORK_SHARE, "child", models[1]), 0);
    write_some(&child, 64, 12);
    CHECK_EQ(guest_fork(&grandchild, &child, COWL_FORK_SHARE, "grandchild", models[2]), 0);
    write_some(&grandchild, 64, 13);
    write_some(&parent, 64, 14);
    write_some(&child, 64, 15);
    guest_expect_model(&parent, "of three");
    guest_expect_model(&child, "of three");
    guest_expect_model(&grandchild, "of three");
    guest_close(&parent); /* the root first: the others share its tables */
    write_some(&grandchild, 32, 16);
    guest_expect_model(&child, "without its parent");
    guest_expect_model(&grandchild, "without its grandparent");
    guest_exit(&grandchild, 7); /* a clone runs to its own end */
    guest_close(&grandchild);
    write_some(&child, 32, 17);
    guest_expect_model(&child, "alone");
    guest_close(&child);
}

/* ---- 3. Monitor writes ---- */

/* What a page holds when written with seed, as bytes. */
static void page_of(uint64_t page, uint32_t seed, uint64_t *buf)
{
    for (uint64_t i = 0; i < PAT_PAGE / 8; i++)
        buf[i] = pattern_word(page * PAT_PAGE + 8 * i, seed);
}

/* cowl_vm_memory reads the page back as the model says. */
static void expect_page(struct guest *g, uint64_t page)
{
    uint64_t *want = page_buf[0], *got = page_buf[1];
    page_of(page, g->model[page], want);
    CHECK_EQ(cowl_vm_memory(g->vm, page * PAT_PAGE, got, PAT_PAGE, COWL_VM_READ), 0);
    if (memcmp(want, got, PAT_PAGE) != 0) {
        printf("FAIL %s: %s page %lu: not seed %u through cowl_vm_memory\n", __FILE__, g->name,
               (unsigned long)page, g->model[page]);
        exit(1);
    }
}

static void monitor_write(struct guest *g, uint64_t page, uint32_t seed)
{
    page_of(page, seed, page_buf[0]);
    CHECK_EQ(cowl_vm_memory(g->vm, page * PAT_PAGE, page_buf[0], PAT_PAGE, COWL_VM_WRITE), 0);
    g->model[page] = seed;
}

static void test_monitor_write(void)
{
    struct guest parent, child;
    const uint64_t a = FIRST + 5, b = FIRST + 300, c = FIRST + 700;
    guest_start(&parent, "parent", 4, models[0]);
    guest_fill(&parent, 21);
    /* The guest's own check, on one seed: it sees the fill, and every word
     * is wrong for another seed (so it can see bad words at all). */
    CHECK_EQ(guest_do(&parent, PAT_CHECK, parent.mib, 21), 0);
    CHECK_EQ(guest_do(&parent, PAT_CHECK, parent.mib, 22), (parent.mib << 20 >> 3) - PAT_START / 8);
    CHECK_EQ(parent.exit.hypercall.args[1], PAT_START); /* the first bad word */
    CHECK_EQ(guest_fork(&child, &parent, COWL_FORK_SHARE, "child", models[1]), 0);
    monitor_write(&child, a, 22);  /* into the clone: the parent keeps seed 21 */
    monitor_write(&parent, b, 23); /* into the parent: the clone keeps 21 */
    monitor_write(&parent, a, 24); /* the page the clone already copied */
    guest_write_page(&child, c, 25);
    monitor_write(&parent, c, 26); /* the page the clone's guest copied */
    const uint64_t each[] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        expect_page(&parent, each[i]);
        expect_page(&child, each[i]);
    }
    guest_expect_model(&parent, "after monitor writes");
    guest_expect_model(&child, "after monitor writes");
    guest_close(&parent);
    guest_close(&child);
}

/* ---- 4. Kills ---- */

#define KILL_MIB 4

static pid_t other_monitor; /* the process a survivor waits to see die */

/* Busy: fill all of RAM again and again until killed; each fill after the
 * fork copies the pages the other VM still shares. */
static void busy(struct guest *g, int fd)
{
    pid_t me = getpid();
    CHECK_EQ(write(fd, &me, sizeof(me)), sizeof(me));
    for (uint32_t seed = 100;; seed++)
        guest_fill(g, seed);
}

/* Survive: rewrite pages, round after round, until the other monitor is
 * dead, and three rounds more; then check them all and exit (0: passed). */
static void survive(struct guest *g, int fd, int (*other_dead)(void))
{
    pid_t me = getpid();
    write_some(g, 8, 200);
    CHECK_EQ(write(fd, &me, sizeof(me)), sizeof(me));
    int after = 0;
    for (uint32_t round = 1; after < 3; round++) {
        CHECK(round < 5000); /* the other was never killed */
        write_some(g, 8, 200 + round);
        after += other_dead();
    }
    guest_expect_model(g, "after the other monitor was killed");
    guest_close(g);
    exit(0);
}

/* The survivor is the child process: its parent died if it has another. */
static int parent_dead(void) { return getppid() != other_monitor; }

/* The survivor is the parent process: its child is dead once reaped. */
static int child_dead(void)
{
    int status;
    if (waitpid(other_monitor, &status, WNOHANG) != other_monitor)
        return 0;
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    other_monitor = -1; /* reaped: from now on waitpid says ECHILD */
    return 1;
}

static int child_reaped(void) { return other_monitor == -1 || child_dead(); }

/* A monitor process: a VM, then a process fork, which shares its
 * descriptors with the child process; the child clones the VM and closes
 * the original.  Then one of them is busy, the other survives. */
static void monitor(int kill_parent, int busy_fd, int surv_fd)
{
    struct guest g, mine;
    int go[2];
    rng_state = 0x4b1114 + kill_parent;
    guest_start(&g, "monitor", KILL_MIB, models[0]);
    guest_fill(&g, 31);
    CHECK_EQ(pipe(go), 0);
    pid_t parent = getpid(), pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CHECK_EQ(guest_fork(&mine, &g, COWL_FORK_SHARE, "child monitor's clone", models[1]), 0);
        guest_close(&g); /* the original is the parent monitor's alone */
        CHECK_EQ(write(go[1], "f", 1), 1);
        other_monitor = parent;
        if (kill_parent)
            survive(&mine, surv_fd, parent_dead);
        busy(&mine, busy_fd);
    }
    char c;
    CHECK_EQ(read(go[0], &c, 1), 1); /* the clone is made: the guest may run on */
    other_monitor = pid;
    if (kill_parent)
        busy(&g, busy_fd);
    survive(&g, surv_fd, child_reaped);
}

/* SIGKILL to the busy monitor (the parent process, or the child) while
 * the other's guest runs; the survivor's verdict is its exit status. */
static void test_kill(int kill_parent)
{
    int busy_p[2], surv_p[2];
    pid_t victim, survivor;
    CHECK_EQ(pipe(busy_p), 0);
    CHECK_EQ(pipe(surv_p), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(busy_p[0]), close(surv_p[0]);
        monitor(kill_parent, busy_p[1], surv_p[1]);
    }
    close(busy_p[1]), close(surv_p[1]);
    CHECK_EQ(read(busy_p[0], &victim, sizeof(victim)), sizeof(victim));
    if (read(surv_p[0], &survivor, sizeof(survivor)) != sizeof(survivor)) {
        kill(victim, SIGKILL); /* the survivor failed to start: do not leave this one */
        printf("FAIL %s: kill %s: the surviving monitor never started\n", __FILE__,
               kill_parent ? "parent" : "child");
        exit(1);
    }
    CHECK_EQ(kill(victim, SIGKILL), 0);
    /* Everyone comes back to us: the monitors are ours, or orphans we
     * adopt as subreaper. */
    int status, verdict = -1;
    while ((pid = wait(&status)) > 0) {
        if (pid == victim)
            CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        if (pid == survivor)
            verdict = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (verdict != 0) {
        printf("FAIL %s: kill %s: the surviving monitor ended with %d\n", __FILE__,
               kill_parent ? "parent" : "child", verdict);
        exit(1);
    }
    close(busy_p[0]), close(surv_p[0]);
}

/* ---- 5. Allocation failures ---- */

#define MAX_N 200 /* no vmfork makes this many allocations */
/* How a subject ended (its exit status): */
#define OK        0
#define BAD_ERRNO 1 /* a call failed, but not with ENOMEM */
#define NO_VM     2 /* cowl_vm_fork failed with ENOMEM */
#define NO_VCPU   3 /* cowl_vcpu_fork failed with ENOMEM */
#define NO_RUN    4 /* the clone's first run failed with ENOMEM */
static const char *refusal_name[] = {"vm_fork", "vcpu_fork", "first run"};

static int refused(int code, const char *what)
{
    if (errno == ENOMEM)
        return code;
    printf("vmfork: %s failed with errno %d, not ENOMEM\n", what, errno);
    return BAD_ERRNO;
}

/* A subject process: a VM with one page written, then, armed, a clone of
 * it whose guest writes that page.  Whatever failed, both VMs must then
 * hold what their models say (guest_expect_model exits 1 if not). */
static int fail_subject(int mode, long n)
{
    struct guest parent, clone;
    warm_up(); /* touch our own memory now: its copy-on-write must not count */
    memset(&clone, 0, sizeof(clone));
    guest_start(&parent, "parent", 2, models[0]);
    guest_write_page(&parent, FIRST, 41);
    int r = OK, cloned = 0, wrote = 0;
    CHECK_EQ(cowl_failalloc(COWL_FAIL_NTH, n), 0);
    if (guest_fork(&clone, &parent, mode, "clone", models[1]) < 0) {
        r = clone.vm < 0 ? refused(NO_VM, "cowl_vm_fork") : refused(NO_VCPU, "cowl_vcpu_fork");
    } else {
        cloned = 1;
        guest_send(&clone, PAT_WRITE_PAGE, FIRST, 42);
        if (guest_wait(&clone) < 0)
            r = refused(NO_RUN, "the clone's first run");
        else
            wrote = 1;
    }
    cowl_failalloc(COWL_FAIL_OFF, 0);
    if (cloned) {
        if (!wrote) /* the guest is where it was: run it again, and it writes */
            CHECK_EQ(guest_wait(&clone), 0);
        CHECK_EQ(clone.exit.hypercall.args[0], 0);
        clone.model[FIRST] = 42;
        guest_expect_model(&clone, "after an allocation failure");
        guest_close(&clone);
    }
    guest_expect_model(&parent, "after an allocation failure");
    guest_close(&parent);
    return r;
}

/* n = 1, 2, ... until a run makes fewer than n allocations; returns the
 * number of failure points; refusals[i]: how many failed NO_VM + i. */
static int sweep(int mode, int refusals[3])
{
    struct memory before = memory_now();
    for (long n = 1; n <= MAX_N; n++) {
        int status;
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
            _exit(fail_subject(mode, n));
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        cowl_failalloc(COWL_FAIL_OFF, 0); /* if the subject died armed */
        long injected = cowl_failalloc(COWL_FAIL_STATUS, 0);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        int refusal = code >= NO_VM && code <= NO_RUN;
        if (code != OK && !refusal) {
            printf("FAIL %s: failalloc %s n=%ld: subject ended with %d\n", __FILE__,
                   mode_name[mode], n, code);
            exit(1);
        }
        if (refusal && injected == 0) {
            printf("FAIL %s: failalloc %s n=%ld: ENOMEM though no allocation failed\n", __FILE__,
                   mode_name[mode], n);
            exit(1);
        }
        char what[48];
        snprintf(what, sizeof(what), "failalloc %s n=%ld", mode_name[mode], n);
        expect_memory_back(what, before);
        if (injected == 0)
            return (int)n - 1;
        if (refusal)
            refusals[code - NO_VM]++;
    }
    printf("FAIL %s: failalloc %s: still allocating after %d points\n", __FILE__, mode_name[mode],
           MAX_N);
    exit(1);
}

static void test_failalloc(int mode)
{
    int refused[3] = {0}, points = sweep(mode, refused);
    CHECK(points > 0 && refused[0] > 0 && refused[1] > 0); /* both calls allocate, and fail */
    /* The clone's first write copies the page (and, shared, its tables);
     * an eager fork copied them all already. */
    CHECK(mode == COWL_FORK_EAGER || refused[2] > 0);
    printf("vmfork: failalloc %s: %d failure points; ENOMEM from", mode_name[mode], points);
    for (int i = 0; i < 3; i++)
        printf(" %s %d%s", refusal_name[i], refused[i], i < 2 ? "," : "\n");
}

static void model_share(void) { test_model(COWL_FORK_SHARE, 12); }
static void model_copy(void) { test_model(COWL_FORK_COPY, 8); }
static void model_eager(void) { test_model(COWL_FORK_EAGER, 8); }
static void kill_parent(void) { test_kill(1); }
static void kill_child(void) { test_kill(0); }
static void failalloc_share(void) { test_failalloc(COWL_FORK_SHARE); }
static void failalloc_copy(void) { test_failalloc(COWL_FORK_COPY); }
static void failalloc_eager(void) { test_failalloc(COWL_FORK_EAGER); }

static const struct part {
    const char *name;
    void (*fn)(void);
} parts[] = {
    {"model-share", model_share},
    {"model-copy", model_copy},
    {"model-eager", model_eager},
    {"generations", test_generations},
    {"monitor-write", test_monitor_write},
    {"kill-parent", kill_parent},
    {"kill-child", kill_child},
    {"failalloc-share", failalloc_share},
    {"failalloc-copy", failalloc_copy},
    {"failalloc-eager", failalloc_eager},
};

int main(int argc, char **argv)
{
    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "-x") == 0)
        break_model = 1, arg++;
    const char *only = arg < argc ? argv[arg] : NULL;
    vm_skip_without_hypervisor();
    warm_up();
    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0); /* orphaned monitors come to us */
    int ran = 0;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (only && strcmp(only, parts[i].name) != 0)
            continue;
        struct memory before = memory_now();
        long t0 = ms_now();
        parts[i].fn();
        expect_memory_back(parts[i].name, before);
        printf("vmfork: %s passed in %ld ms\n", parts[i].name, ms_now() - t0);
        ran++;
    }
    CHECK(ran > 0); /* a part's name misspelt */
    return 0;
}
