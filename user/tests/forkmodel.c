/* forkmodel.c - model-checked fork trees.  Processes do random operations
 * on their memory (write, fork, mmap, munmap, mprotect, check, exit), and
 * each keeps a model of what every page it owns must hold.  Any page that
 * differs from the model is a kernel bug: a copy-on-write that leaked a
 * write into another process, a lost write, a stale TLB entry, a page
 * table shared one level too long or freed too early.
 *
 *   forkmodel [-s SEED] [-n OPS] [-v] [-x N]
 *
 * Each process draws its operations from its own generator, seeded from
 * SEED and its place in the tree, so a seed replays the same operations in
 * every process (only the interleaving is up to the scheduler).  -n sets
 * the operations per process, -v prints each process's counts, and -x N
 * leaves the N-th write of every process out of its model, to see a
 * mismatch reported.
 *
 * The model: for each page a version (0: never written, reads as zeros)
 * and a protection.  A written page's every word is derived from its
 * version and its address, so a page copied to the wrong place, or an old
 * version of the right one, cannot pass.  Versions carry the writer's tree
 * id, so no two processes ever write the same contents.
 *
 * A supervisor runs one tree per fork mode (cowl only) and counts, through
 * a pipe every process inherits, the processes that were started ('+',
 * written by the parent) and those that passed ('p'): children a parent
 * never waits for, which run on after it has exited, are counted too. */
#include "check.h"
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __cowl__
#include <cowl.h>
#endif

#define PAGE        4096ul
#define WORDS       (PAGE / 8)
#define MAX_DEPTH   3  /* generations below the tree's root */
#define TREE_BUDGET 11 /* processes besides the root: 12 at most */
#define MAX_FORKS   15 /* per process: keeps tree ids unique (base 16) */
#define MAX_RANGE   8  /* pages one operation touches at most */
#define MAX_SAMPLED 8  /* untouched pages of a big region checked per verify */
#define GOLDEN      0x9e3779b97f4a7c15ull
#define PLAYGROUND  0x300000000000ul /* 48 TiB: far from brk, mmap and stack */
#define GIB         (1ul << 30)
#define BSS_PAGES   32
#define UNMAPPED    (-1)
#define RW          (PROT_READ | PROT_WRITE)

static char bss_area[BSS_PAGES * PAGE] __attribute__((aligned(PAGE)));

/* Where the memory under test lies.  The fixed addresses put regions
 * across each level of page table: a 2 MiB boundary (two PTs), a 1 GiB
 * boundary (two PDs), a 512 GiB boundary (two PML4 entries), and a big
 * sparse region spread over five PTs. */
struct slot {
    const char *name;
    uintptr_t start; /* 0: bss_area */
    size_t pages;
    size_t first; /* its pages' index in the model arrays */
};

static struct slot slots[] = {
    {"bss", 0, BSS_PAGES, 0},
    {"small", PLAYGROUND, 4, 0},
    {"medium", PLAYGROUND + (1ul << 20), 24, 0},
    {"2mib", PLAYGROUND + (4ul << 20) - 8 * PAGE, 16, 0},
    {"1gib", PLAYGROUND + GIB - 4 * PAGE, 8, 0},
    {"512gib", PLAYGROUND + 512 * GIB - 4 * PAGE, 8, 0},
    {"sparse", PLAYGROUND + 2 * GIB + (1ul << 20), 2048, 0}, /* 8 MiB */
};
#define NSLOTS      (sizeof(slots) / sizeof(slots[0]))
#define TOTAL_PAGES (BSS_PAGES + 4 + 24 + 16 + 8 + 8 + 2048)

/* The model.  It lives in this process's memory, so fork copies it along
 * with the memory it describes. */
static uint64_t version[TOTAL_PAGES];
static int8_t prot[TOTAL_PAGES]; /* UNMAPPED, PROT_NONE, PROT_READ or RW */

/* Who this process is and what it has done. */
static struct {
    uint64_t rng;
    unsigned id; /* child k of id i is i*16 + k + 1: unique in the tree */
    int depth, budget, nforks;
    pid_t waited[MAX_FORKS]; /* children to wait for */
    int nwaited;
    bool detached; /* our parent does not wait for us */
    pid_t parent;  /* its pid, to see when it has gone */
    long op;       /* index of the operation running, for reports */
    uint64_t nwrites;
    long pages_checked, forks_with_ro;
    int report_fd;
} me;

static uint64_t seed = 1;
static long nops = 300;
static int verbose;
static uint64_t break_write; /* -x: this write is left out of the model */

static uint64_t next(void)
{
    me.rng ^= me.rng >> 12;
    me.rng ^= me.rng << 25;
    me.rng ^= me.rng >> 27;
    return me.rng * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(uint64_t n) { return next() % n; }

/* A generator for tree id `id`: splitmix64 of the seed and the id. */
static uint64_t stream_for(unsigned id)
{
    uint64_t z = seed + (id + 1) * GOLDEN;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z ? z : 1;
}

/* Tell the supervisor how this process ended; 'p' and 'F' end it. */
static void report(char c)
{
    fflush(stdout); /* before _exit, which does not (on Linux) */
    if (write(me.report_fd, &c, 1) != 1)
        _exit(3);
}

static void fail(const char *what)
{
    printf("forkmodel: FAIL pid %d id %u op %ld: %s (errno %d)\n", getpid(), me.id, me.op, what,
           errno);
    report('F');
    _exit(1);
}

static uintptr_t page_addr(size_t idx)
{
    for (size_t s = 0; s < NSLOTS; s++)
        if (idx < slots[s].first + slots[s].pages) {
            uintptr_t base = slots[s].start ? slots[s].start : (uintptr_t)bss_area;
            return base + (idx - slots[s].first) * PAGE;
        }
    fail("page index out of range");
    return 0;
}

/* Word i of a page at va holding version v. */
static uint64_t word(uint64_t v, uintptr_t va, size_t i)
{
    return v ? (v * GOLDEN) ^ (va + 8 * i) : 0;
}

static void write_page(size_t idx)
{
    uint64_t v = (uint64_t)me.id << 32 | ++me.nwrites;
    uintptr_t va = page_addr(idx);
    uint64_t *w = (uint64_t *)va;
    for (size_t i = 0; i < WORDS; i++)
        w[i] = word(v, va, i);
    if (me.nwrites != break_write)
        version[idx] = v;
}

static void check_page(size_t idx)
{
    if (!(prot[idx] > 0 && (prot[idx] & PROT_READ)))
        return; /* unmapped or not readable: never touched */
    uintptr_t va = page_addr(idx);
    const volatile uint64_t *w = (const volatile uint64_t *)va;
    for (size_t i = 0; i < WORDS; i++) {
        uint64_t want = word(version[idx], va, i), got = w[i];
        if (got != want) {
            printf("forkmodel: MISMATCH pid %d id %u op %ld at 0x%lx: expected 0x%lx found 0x%lx "
                   "(version 0x%lx)\n",
                   getpid(), me.id, me.op, (unsigned long)(va + 8 * i), (unsigned long)want,
                   (unsigned long)got, (unsigned long)version[idx]);
            report('F');
            _exit(1);
        }
    }
    me.pages_checked++;
}

/* Every written page in full; untouched pages of big regions by sample
 * (each costs a fault, and the zeros are checked elsewhere too). */
static void verify_all(void)
{
    for (size_t s = 0; s < NSLOTS; s++) {
        struct slot *sl = &slots[s];
        for (size_t p = 0; p < sl->pages; p++)
            if (version[sl->first + p] || sl->pages <= 64)
                check_page(sl->first + p);
        if (sl->pages > 64)
            for (int k = 0; k < MAX_SAMPLED; k++)
                check_page(sl->first + pick(sl->pages));
    }
}

/* A random run of pages [*first, *first + *n) inside a random slot (a
 * playground one if fixed_only); sometimes a whole region, but writes and
 * checks (!whole_big) keep the big one sparse. */
static void pick_range(bool fixed_only, bool whole_big, size_t *first, size_t *n)
{
    struct slot *sl = &slots[fixed_only ? 1 + pick(NSLOTS - 1) : pick(NSLOTS)];
    size_t start = pick(sl->pages), len = 1 + pick(MAX_RANGE);
    if (pick(8) == 0 && (whole_big || sl->pages <= 64))
        start = 0, len = sl->pages;
    if (len > sl->pages - start)
        len = sl->pages - start;
    *first = sl->first + start;
    *n = len;
}

static void op_write(void)
{
    size_t first, n;
    pick_range(false, false, &first, &n);
    for (size_t i = first; i < first + n; i++)
        if (prot[i] == RW)
            write_page(i);
}

static void op_check(void)
{
    size_t first, n;
    pick_range(false, false, &first, &n);
    for (size_t i = first; i < first + n; i++)
        check_page(i);
}

/* mmap over a run of a playground region: fresh zero pages (MAP_FIXED
 * replaces whatever was there). */
static void op_map(void)
{
    size_t first, n;
    pick_range(true, true, &first, &n);
    void *want = (void *)page_addr(first);
    void *got = mmap(want, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (got != want)
        fail("mmap MAP_FIXED");
    for (size_t i = first; i < first + n; i++)
        version[i] = 0, prot[i] = RW;
}

static void op_unmap(void)
{
    size_t first, n;
    pick_range(true, true, &first, &n);
    if (munmap((void *)page_addr(first), n * PAGE))
        fail("munmap");
    for (size_t i = first; i < first + n; i++)
        prot[i] = UNMAPPED; /* never touched again until mapped anew */
}

/* mprotect a run of mapped pages to p (mprotect fails over a hole). */
static void protect(int p)
{
    size_t first, n, len = 0;
    pick_range(false, true, &first, &n);
    while (len < n && prot[first + len] != UNMAPPED)
        len++;
    if (len == 0)
        return;
    if (mprotect((void *)page_addr(first), len * PAGE, p))
        fail("mprotect");
    for (size_t i = first; i < first + len; i++)
        prot[i] = (int8_t)p;
}

static void op_protect(void)
{
    static const int choices[] = {PROT_READ, PROT_READ, PROT_NONE, RW, RW};
    protect(choices[pick(sizeof(choices) / sizeof(choices[0]))]);
}

static bool wait_ok(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void op_reap(void)
{
    if (me.nwaited == 0)
        return;
    pid_t pid = me.waited[0];
    me.nwaited--;
    memmove(me.waited, me.waited + 1, me.nwaited * sizeof(pid_t));
    if (!wait_ok(pid))
        fail("a child failed");
}

/* A written, writable page, or -1: written on both sides right after a
 * fork, so both copy on write. */
static long shared_target(void)
{
    for (int tries = 0; tries < 16; tries++) {
        size_t first, n;
        pick_range(false, false, &first, &n);
        if (version[first] && prot[first] == RW)
            return (long)first;
    }
    return -1;
}

static bool any_read_only(void)
{
    for (size_t i = 0; i < TOTAL_PAGES; i++)
        if (prot[i] == PROT_READ)
            return true;
    return false;
}

static void op_fork(void)
{
    if (me.depth >= MAX_DEPTH || me.budget == 0 || me.nforks == MAX_FORKS)
        return;
    int child_budget = (int)pick(me.budget); /* the child's share of ours */
    bool detach = pick(4) == 0;
    if (pick(2))
        protect(PROT_READ); /* fork with some pages read-only */
    long target = shared_target();
    unsigned kid = me.id * 16 + me.nforks + 1;
    pid_t parent = getpid();
    me.nforks++;
    me.forks_with_ro += any_read_only();
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        me.id = kid, me.rng = stream_for(kid), me.depth++, me.budget = child_budget;
        me.nforks = me.nwaited = 0, me.detached = detach, me.parent = parent;
        me.op = me.nwrites = me.pages_checked = me.forks_with_ro = 0;
    } else {
        me.budget -= child_budget + 1;
        report('+');
        if (!detach)
            me.waited[me.nwaited++] = pid;
    }
    if (target >= 0)
        write_page((size_t)target);
}

/* Check everything, wait for the children, say how it went, exit.  A
 * detached child first waits for its parent to be gone, then writes and
 * checks again: its pages are now its own alone. */
static void finish(void) __attribute__((noreturn));
static void finish(void)
{
    me.op = -1;
    verify_all();
    if (me.detached) {
        while (getppid() == me.parent)
            sched_yield();
        for (int i = 0; i < 4; i++)
            op_write();
        verify_all();
    }
    while (me.nwaited)
        op_reap();
    if (verbose)
        printf("forkmodel: id %u pid %d depth %d ops %ld writes %lu pages checked %ld forks with "
               "read-only pages %ld%s\n",
               me.id, getpid(), me.depth, nops, (unsigned long)me.nwrites, me.pages_checked,
               me.forks_with_ro, me.detached ? " (outlived its parent)" : "");
    report('p');
    _exit(0);
}

static void run_process(void)
{
    for (me.op = 0; me.op < nops; me.op++) {
        unsigned r = (unsigned)pick(100);
        if (r < 35)
            op_write();
        else if (r < 55)
            op_check();
        else if (r < 65)
            op_fork();
        else if (r < 71)
            op_map();
        else if (r < 76)
            op_unmap();
        else if (r < 88)
            op_protect();
        else if (r < 92)
            verify_all();
        else if (r < 95)
            op_reap();
        else if (r == 99 && me.depth > 0)
            break; /* an early exit */
    }
    finish();
}

/* The tree's root: lay out the regions and start. */
static void tree_root(int fd)
{
    memset(&me, 0, sizeof(me));
    me.report_fd = fd, me.rng = stream_for(0), me.budget = TREE_BUDGET;
    for (size_t s = 0, first = 0; s < NSLOTS; first += slots[s++].pages) {
        slots[s].first = first;
        void *at = slots[s].start ? (void *)slots[s].start : bss_area;
        if (slots[s].start && mmap(at, slots[s].pages * PAGE, RW,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != at)
            fail("mmap of a region");
        memset(prot + first, RW, slots[s].pages);
    }
    if (slots[NSLOTS - 1].first + slots[NSLOTS - 1].pages != TOTAL_PAGES)
        fail("TOTAL_PAGES does not add up");
    run_process();
}

#ifdef __cowl__
/* What the kernel did for a tree: pages copied on write, and shared
 * tables unshared at each level (copied or taken back by the last
 * sharer), to see that every level was exercised. */
static void print_vm_work(const struct vm_events *a, const struct vm_events *b)
{
    uint64_t un[VM_LEVELS];
    for (int l = 1; l < VM_LEVELS; l++)
        un[l] = b->unshare_copies[l] + b->unshare_takebacks[l] - a->unshare_copies[l] -
                a->unshare_takebacks[l];
    printf("forkmodel:   cow copies %lu, tables unshared: PT %lu PD %lu PDPT %lu\n",
           (unsigned long)(b->cow_copies - a->cow_copies), (unsigned long)un[1],
           (unsigned long)un[2], (unsigned long)un[3]);
}
#endif

/* One tree in fork mode `mode` (-1: the boot's default); true if every
 * process in it passed. */
static bool run_tree(int mode, const char *mode_name)
{
#ifdef __cowl__
    struct vm_stats before, after;
    CHECK_EQ(cowl_vmstat(&before), 0);
#endif
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    fflush(stdout);
    pid_t root = fork();
    CHECK(root >= 0);
    if (root == 0) {
        close(fds[0]);
#ifdef __cowl__
        if (mode >= 0 && cowl_fork_mode(mode) < 0)
            _exit(2);
#endif
        (void)mode;
        tree_root(fds[1]);
    }
    close(fds[1]);
    long started = 1, passed = 0, failed = 0;
    char buf[64];
    ssize_t got;
    while ((got = read(fds[0], buf, sizeof(buf))) > 0) /* until every process is gone */
        for (ssize_t i = 0; i < got; i++) {
            started += buf[i] == '+';
            passed += buf[i] == 'p';
            failed += buf[i] == 'F';
        }
    close(fds[0]);
    bool root_ok = wait_ok(root);
    bool ok = root_ok && failed == 0 && passed == started;
    printf("forkmodel: mode=%s processes=%ld passed=%ld failed=%ld root %s: %s\n", mode_name,
           started, passed, failed, root_ok ? "ok" : "failed", ok ? "ok" : "FAIL");
#ifdef __cowl__
    CHECK_EQ(cowl_vmstat(&after), 0);
    print_vm_work(&before.ev, &after.ev);
#endif
    return ok;
}

int main(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "s:n:vx:")) != -1) {
        if (c == 's')
            seed = strtoul(optarg, NULL, 0);
        else if (c == 'n')
            nops = strtol(optarg, NULL, 0);
        else if (c == 'v')
            verbose = 1;
        else if (c == 'x')
            break_write = strtoul(optarg, NULL, 0);
        else {
            printf("usage: forkmodel [-s SEED] [-n OPS] [-v] [-x N]\n");
            return 2;
        }
    }
    printf("forkmodel: seed=%lu ops=%ld\n", (unsigned long)seed, nops);
    bool ok = true;
#ifdef __cowl__
    ok &= run_tree(COWL_FORK_SHARE, "share");
    ok &= run_tree(COWL_FORK_COPY, "copy");
    ok &= run_tree(COWL_FORK_EAGER, "eager");
#else
    ok &= run_tree(-1, "default");
#endif
    printf("forkmodel: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
