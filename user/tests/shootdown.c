/* shootdown.c - TLB shootdown seen from user space.  Each case runs in a
 * child process with a second thread that keeps a translation hot on
 * another CPU while the first thread changes the mapping:
 *
 *   munmap   the reader must fault once munmap has returned
 *   mprotect a writer must fault once mprotect (read-only) has returned
 *   fork     the child's copy must never change after fork returned
 *   cow      after a copy-on-write copy the reader sees the new page, never
 *            the old one that the child now writes in place
 *   stack    fork's early copy of the parent's stack page keeps the other
 *            thread's writes in the parent's copy, never only the child's
 *
 * A missed shootdown lets the other CPU go on through its stale TLB entry;
 * on QEMU, whose software TLB is per CPU and only flushed by INVLPG or a
 * CR3 load, that is exactly what happens.  Last, a single-threaded process
 * forking, faulting, unmapping and protecting must send no IPI at all, and
 * a sender that halted for its acknowledgements must have been woken. */
#include "../include/bench.h"
#include "check.h"
#ifdef __cowl__
#include <cowl.h>
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static volatile long progress; /* bumped by the second thread, per access */
static volatile int other_cpu = -1;
static volatile char *target;

static void *reader(void *arg)
{
    (void)arg;
    other_cpu = sched_getcpu();
    for (;;) {
        (void)*target;
        __atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    other_cpu = sched_getcpu();
    for (long i = 0;; i++) {
        *target = (char)i;
        __atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

/* Start fn in a second thread and wait until it is going. */
static void start_other(void *(*fn)(void *))
{
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, fn, NULL), 0);
    while (progress < 1000)
        ;
}

/* After `change` returned, at most the one access already under way may
 * complete; the other thread must then fault, ending the process with
 * SIGSEGV.  Exits 1 if it went on, 2 if it never faulted. */
static void expect_fault_after(int (*change)(void))
{
    CHECK_EQ(change(), 0);
    long seen = __atomic_load_n(&progress, __ATOMIC_SEQ_CST);
    long until = now_ms() + 2000;
    while (now_ms() < until) {
        if (__atomic_load_n(&progress, __ATOMIC_SEQ_CST) > seen + 1) {
            printf("shootdown: the other thread (CPU %d, we are on %d) went on after the "
                   "change: %ld accesses\n",
                   other_cpu, sched_getcpu(), progress - seen);
            _exit(1);
        }
    }
    _exit(2);
}

static int do_munmap(void) { return munmap((void *)target, PAGE); }
static int do_mprotect(void) { return mprotect((void *)target, PAGE, PROT_READ); }

static void run_case(const char *name, void *(*fn)(void *), int (*change)(void))
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        target = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(target != MAP_FAILED);
        *target = 1;
        start_other(fn);
        expect_fault_after(change);
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
        printf("shootdown: %s: status 0x%x, want SIGSEGV\n", name, st);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

static volatile long counter_page[PAGE / sizeof(long)] __attribute__((aligned(PAGE)));

static void *count_forever(void *arg)
{
    (void)arg;
    for (;;) {
        counter_page[0]++;
        __atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

/* fork while another thread keeps writing: the child's copy is frozen. */
static void fork_freezes_child_view(void)
{
    pid_t family = fork();
    CHECK(family >= 0);
    if (family == 0) {
        start_other(count_forever);
        for (int round = 0; round < 20; round++) {
            pid_t pid = fork();
            if (pid == 0) {
                long v = counter_page[0];
                long until = now_ms() + 20;
                while (now_ms() < until)
                    if (counter_page[0] != v)
                        _exit(1); /* the parent's thread wrote into our copy */
                _exit(0);
            }
            int st;
            CHECK_EQ(waitpid(pid, &st, 0), pid);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                printf("shootdown: fork round %d: the child's view changed\n", round);
            CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        long before = counter_page[0];
        while (counter_page[0] == before) /* and the writer still writes here */
            ;
        _exit(0);
    }
    int st;
    CHECK_EQ(waitpid(family, &st, 0), family);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The copy-on-write copy must reach every CPU of the process.  After a
 * fork, the reader thread reads the page (a read-only translation of the
 * page now shared with the child); then this thread writes it, which
 * copies it, and the child writes its own copy, the old page, in place.
 * From then on the reader must see our value and never the child's: a
 * reader that kept its translation of the old page would see the child's
 * writes, or our old value, for as long as its TLB kept it. */
static volatile char cow_page[PAGE] __attribute__((aligned(PAGE)));
static volatile int saw_child;

static void *read_cow_page(void *arg)
{
    (void)arg;
    other_cpu = sched_getcpu();
    for (;;) {
        if (cow_page[0] == 'C')
            saw_child = 1;
        __atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

/* Wait until the reader has gone round at least twice more.  Its counter
 * is in a page that it copied after the fork: if we never see it move,
 * our own translation of that page went stale (exit 2). */
static void reader_went_on(void)
{
    long seen = __atomic_load_n(&progress, __ATOMIC_SEQ_CST), until = now_ms() + 2000;
    while (__atomic_load_n(&progress, __ATOMIC_SEQ_CST) < seen + 2)
        if (now_ms() > until) {
            printf("shootdown: cow: the reader's counter stopped moving for us\n");
            _exit(2);
        }
}

/* One round: 0 if the reader saw our write and never the child's. */
static int cow_round(char mine)
{
    int go[2], done[2];
    CHECK_EQ(pipe(go), 0);
    CHECK_EQ(pipe(done), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) { /* the child: once told, write its copy in place, then tell */
        char c;
        CHECK_EQ(read(go[0], &c, 1), 1);
        for (int i = 0; i < 1000; i++)
            cow_page[0] = 'C';
        CHECK_EQ(write(done[1], "d", 1), 1);
        long until = now_ms() + 50;
        while (now_ms() < until)
            cow_page[0] = 'C';
        _exit(0);
    }
    reader_went_on(); /* its translation: the page shared with the child */
    cow_page[0] = mine; /* copies the page: the child keeps the old one */
    char c;
    CHECK_EQ(write(go[1], "g", 1), 1);
    CHECK_EQ(read(done[0], &c, 1), 1);
    long until = now_ms() + 2000;
    int ok = 0;
    while (!ok && now_ms() < until) {
        reader_went_on();
        ok = cow_page[0] == mine && !saw_child;
    }
    reader_went_on();
    ok = ok && !saw_child;
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(go[0]), close(go[1]), close(done[0]), close(done[1]);
    return ok ? 0 : 1;
}

static void cow_copy_reaches_other_cpus(void)
{
    pid_t family = fork();
    CHECK(family >= 0);
    if (family == 0) {
        progress = 0;
        cow_page[0] = 'P';
        start_other(read_cow_page);
        for (int round = 0; round < 10; round++) {
            if (cow_round((char)('a' + round))) {
                printf("shootdown: cow round %d: the reader (CPU %d) %s\n", round, other_cpu,
                       saw_child ? "saw the child's writes" : "never saw our write");
                _exit(1);
            }
        }
        _exit(0);
    }
    int st;
    CHECK_EQ(waitpid(family, &st, 0), family);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* fork copies the parent's stack page ahead, within its own flush
 * (docs/fork.md section 7).  Another thread keeps counting in a word on
 * the page the parent calls fork from.  The child's value must stay
 * frozen and be no newer than what the parent reads first thing after
 * fork: a copy for the parent taken before the other thread's CPU had
 * flushed would miss the counts it still made through its old writable
 * translation, which then land in the child's page only. */
static volatile long *stack_word;

static void *count_on_stack(void *arg)
{
    (void)arg;
    for (;;) {
        (*stack_word)++;
        __atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

/* One fork; 0 if the child's view is frozen and not ahead of ours. */
static int stack_round(void)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    long first = *stack_word; /* parent: its copy; child: its frozen view */
    CHECK(pid >= 0);
    if (pid == 0) {
        long until = now_ms() + 20;
        while (now_ms() < until)
            if (*stack_word != first)
                _exit(1); /* the other thread wrote into our copy */
        CHECK_EQ(write(fds[1], &first, sizeof(first)), (long)sizeof(first));
        _exit(0);
    }
    long child_saw;
    CHECK_EQ(read(fds[0], &child_saw, sizeof(child_saw)), (long)sizeof(child_saw));
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    close(fds[0]), close(fds[1]);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("shootdown: stack: the child's view changed\n");
        return 1;
    }
    if (child_saw > first) {
        printf("shootdown: stack: the child saw count %ld, the parent only %ld\n", child_saw,
               first);
        return 1;
    }
    long until = now_ms() + 2000; /* and the counting goes on in our page */
    while (*stack_word == first)
        if (now_ms() > until) {
            printf("shootdown: stack: the other thread's counts no longer reach us\n");
            return 1;
        }
    return 0;
}

static void fork_copies_stack_in_time(void)
{
    pid_t family = fork();
    CHECK(family >= 0);
    if (family == 0) {
        volatile long words[64]; /* on this frame's page, near the stack pointer */
        words[0] = 0;
        stack_word = &words[0];
        progress = 0;
        start_other(count_on_stack);
        for (int round = 0; round < 20; round++)
            if (stack_round())
                _exit(1);
        _exit(0);
    }
    int st;
    CHECK_EQ(waitpid(family, &st, 0), family);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

#ifdef __cowl__ /* IPI counters: cowl only */
static uint64_t ipis_sent(void)
{
    struct cpu_stats st[8];
    int n = cowl_cpustat(st, 8);
    CHECK(n >= 1);
    uint64_t sum = 0;
    for (int i = 0; i < n && i < 8; i++)
        sum += st[i].tlb_ipis_sent;
    return sum;
}

#define WORK_PAGES 64

/* fork, COW faults on both sides, munmap and mprotect: what a shell does. */
static void single_threaded_work(void)
{
    char *area =
        mmap(NULL, WORK_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(area != MAP_FAILED);
    memset(area, 1, WORK_PAGES * PAGE);
    for (int round = 0; round < 4; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            memset(area, 2, WORK_PAGES * PAGE);
            _exit(0);
        }
        memset(area, 3 + round, WORK_PAGES * PAGE);
        int st;
        CHECK_EQ(waitpid(pid, &st, 0), pid);
    }
    CHECK_EQ(mprotect(area, PAGE, PROT_READ), 0);
    CHECK_EQ(munmap(area, WORK_PAGES * PAGE), 0);
}

static void *spin(void *arg)
{
    (void)arg;
    for (;;)
        __atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* A sender that halts for its acknowledgements (docs/smp.md section 6)
 * must be woken by the last target: every shootdown that halted sends one
 * wake-up IPI, and none sends more than one.  (Without the wake-up it
 * would still finish, at its next timer tick: slow, not hung; so this
 * counts instead of timing.)  Vacuous where no sender halted: a host that
 * runs every vCPU at once answers within the spin. */
static void halted_senders_are_woken(int ncpus)
{
    if (ncpus < 3)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(page != MAP_FAILED);
        page[0] = 1;
        progress = 0;
        for (int i = 0; i < ncpus - 1 && i < 3; i++)
            start_other(spin);
        /* A target counts its wake-up after it acknowledged: let the
         * counts of flushes before each snapshot settle first. */
        struct timespec settle = {0, 50 * 1000 * 1000};
        struct cpu_stats a[8], b[8];
        nanosleep(&settle, NULL);
        int n = cowl_cpustat(a, 8);
        for (int i = 0; i < 100; i++)
            CHECK_EQ(mprotect(page, PAGE, i % 2 ? PROT_READ | PROT_WRITE : PROT_READ), 0);
        nanosleep(&settle, NULL);
        CHECK_EQ(cowl_cpustat(b, 8), n);
        uint64_t halts = 0, wakes = 0, shootdowns = 0;
        for (int i = 0; i < n && i < 8; i++) {
            halts += b[i].shootdown_halts - a[i].shootdown_halts;
            wakes += b[i].tlb_wake_ipis - a[i].tlb_wake_ipis;
            shootdowns += b[i].tlb_shootdowns - a[i].tlb_shootdowns;
        }
        printf("shootdown: %lu shootdowns, %lu halts, %lu wake-up IPIs\n",
               (unsigned long)shootdowns, (unsigned long)halts, (unsigned long)wakes);
        CHECK(halts == 0 || wakes > 0);
        CHECK(wakes <= shootdowns);
        _exit(0);
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void no_ipis_when_single_threaded(int ncpus)
{
    uint64_t before = ipis_sent();
    single_threaded_work();
    uint64_t single = ipis_sent() - before;
    printf("shootdown: single-threaded fork/fault/munmap/mprotect sent %lu IPIs\n",
           (unsigned long)single);
    CHECK_EQ(single, 0);
    if (ncpus < 2)
        return;
    /* The counter can see IPIs: the same work with a thread spinning on
     * another CPU must send some. */
    pid_t pid = fork();
    if (pid == 0) {
        progress = 0;
        start_other(spin);
        before = ipis_sent();
        single_threaded_work();
        _exit(ipis_sent() > before ? 0 : 1);
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
#endif

int main(void)
{
#ifdef __cowl__
    struct cpu_stats st[8];
    int ncpus = cowl_cpustat(st, 8);
    CHECK(ncpus >= 1);
#endif
    run_case("munmap", reader, do_munmap);
    run_case("mprotect", writer, do_mprotect);
    fork_freezes_child_view();
    cow_copy_reaches_other_cpus();
    fork_copies_stack_in_time();
#ifdef __cowl__
    no_ipis_when_single_threaded(ncpus);
    halted_senders_are_woken(ncpus);
    printf("shootdown: ok (%d CPUs)\n", ncpus);
#else
    printf("shootdown: ok\n");
#endif
    return 0;
}
