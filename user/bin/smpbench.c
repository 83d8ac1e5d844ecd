/* smpbench.c - what many CPUs cost and buy (`make bench`, docs/bench.md):
 *
 *   smpbench shootdown   latency of a flush that must reach 0..3 other CPUs
 *   smpbench faults      page faults per second with 1..4 threads
 *   smpbench fork        fork of a parent with 1, 2 or 4 threads, 262144 pages
 *
 * Other CPUs are made to run the address space by "spinner" threads that
 * loop in user mode; with one thread per CPU the scheduler puts each on a
 * CPU of its own.  Every line is "smpbench KIND key=value ..."; the IPI
 * counts come from the kernel's per-CPU counters (cowl_cpustat). */
#include "../include/bench.h"
#include <cowl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

struct totals {
    uint64_t ipis, shootdowns, wait_ns, halts, wake_ipis;
};

static struct totals totals(void)
{
    struct cpu_stats st[8];
    struct totals t = {0, 0, 0, 0, 0};
    int n = cowl_cpustat(st, 8);
    for (int i = 0; i < n && i < 8; i++) {
        t.ipis += st[i].tlb_ipis_sent;
        t.shootdowns += st[i].tlb_shootdowns;
        t.wait_ns += st[i].shootdown_wait_ns;
        t.halts += st[i].shootdown_halts;
        t.wake_ipis += st[i].tlb_wake_ipis;
    }
    return t;
}

/* n/d with two decimals, in buf (cowl's printf has no %f). */
static const char *per(char buf[24], uint64_t n, int d)
{
    snprintf(buf, 24, "%lu.%02lu", (unsigned long)(n / d), (unsigned long)(n % d * 100 / d));
    return buf;
}

/* ---- spinners: keep the address space live on other CPUs */
static volatile int spinners_stop, spinners_running;
static pthread_t spinner_threads[8];

static void *spin(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&spinners_running, 1, __ATOMIC_SEQ_CST);
    while (!spinners_stop)
        __asm__ volatile("pause");
    return NULL;
}

static void spinners_start(int n)
{
    spinners_stop = 0;
    spinners_running = 0;
    for (int i = 0; i < n; i++)
        if (pthread_create(&spinner_threads[i], NULL, spin, NULL))
            exit(1);
    while (spinners_running < n)
        ;
    struct timespec settle = {0, 30 * 1000 * 1000}; /* let the balancer spread them */
    nanosleep(&settle, NULL);
}

static void spinners_stop_all(int n)
{
    spinners_stop = 1;
    for (int i = 0; i < n; i++)
        pthread_join(spinner_threads[i], NULL);
}

/* ---- shootdown latency */
#define FLUSHES 200

static void shootdown(int ncpus)
{
    char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[0] = 1;
    for (int remote = 0; remote < ncpus && remote <= 3; remote++) {
        spinners_start(remote);
        static long t[FLUSHES];
        struct totals before = totals();
        for (int i = 0; i < FLUSHES; i++) {
            long t0 = now_ns();
            mprotect(page, PAGE, i % 2 ? PROT_READ | PROT_WRITE : PROT_READ);
            t[i] = now_ns() - t0;
        }
        struct totals after = totals();
        spinners_stop_all(remote);
        uint64_t sd = after.shootdowns - before.shootdowns;
        char b1[24], b2[24];
        printf("smpbench shootdown remote=%d median_ns=%ld ipis_per_flush=%s ack_wait_ns=%lu "
               "halts_per_flush=%s\n",
               remote, median(t, FLUSHES), per(b1, after.ipis - before.ipis, FLUSHES),
               sd ? (unsigned long)((after.wait_ns - before.wait_ns) / sd) : 0ul,
               per(b2, after.halts - before.halts, FLUSHES));
    }
    munmap(page, PAGE);
}

/* ---- page faults per second */
#define FAULT_PAGES 4096 /* per thread: 16 MiB */
static char *fault_area;
static volatile int fault_go;

static void *fault_pages(void *arg)
{
    char *mine = fault_area + (long)arg * FAULT_PAGES * PAGE;
    while (!fault_go)
        ;
    for (long p = 0; p < FAULT_PAGES; p++)
        mine[p * PAGE] = 1;
    return NULL;
}

static void faults(int ncpus)
{
    for (int n = 1; n <= ncpus && n <= 4; n++) {
        long bytes = (long)n * FAULT_PAGES * PAGE;
        fault_area = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        pthread_t th[4];
        fault_go = 0;
        for (long i = 0; i < n; i++)
            pthread_create(&th[i], NULL, fault_pages, (void *)i);
        struct timespec settle = {0, 30 * 1000 * 1000};
        nanosleep(&settle, NULL);
        long t0 = now_ns();
        fault_go = 1;
        for (int i = 0; i < n; i++)
            pthread_join(th[i], NULL);
        long ns = now_ns() - t0;
        printf("smpbench faults threads=%d pages=%ld faults_per_s=%ld\n", n, (long)n * FAULT_PAGES,
               (long)n * FAULT_PAGES * 1000000000L / ns);
        munmap(fault_area, bytes);
    }
}

/* ---- fork of a multi-threaded parent */
#define FORK_PAGES 262144
#define FORKS      30 /* timed: the host's scheduling makes single ones vary 10x */
#define SHARE_FORKS 10 /* for the kernel's share (each reads cowl_vmstat twice) */

static char *fork_area;

/* One fork, timed from the parent's side (the first write to its stack
 * included, as in every fork's caller); the child exits at once. */
static long one_fork(int i)
{
    long t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    long t = now_ns() - t0;
    waitpid(pid, NULL, 0);
    fork_area[(i % 512) * PAGE] = 2; /* the parent writes again: unshare, as in life */
    return t;
}

/* The kernel's share of one fork: all of sys_fork, and its flush.  Apart
 * from the timed forks: cowl_vmstat counts every page, which evicts the
 * TLB and caches that the next fork would otherwise find warm. */
static void kernel_share(long *kernel_us, long *flush_us)
{
    static long k[SHARE_FORKS], f[SHARE_FORKS];
    for (int i = 0; i < SHARE_FORKS; i++) {
        struct vm_stats a, b;
        cowl_vmstat(&a);
        one_fork(i);
        cowl_vmstat(&b);
        k[i] = (long)(b.ev.fork_step_ns[FORK_STEP_TOTAL] - a.ev.fork_step_ns[FORK_STEP_TOTAL]);
        f[i] = (long)(b.ev.fork_step_ns[FORK_STEP_FLUSH] - a.ev.fork_step_ns[FORK_STEP_FLUSH]);
    }
    *kernel_us = median(k, SHARE_FORKS) / 1000;
    *flush_us = median(f, SHARE_FORKS) / 1000;
}

static void fork_threads(int ncpus)
{
    fork_area = mmap(NULL, (long)FORK_PAGES * PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (long p = 0; p < FORK_PAGES; p++)
        fork_area[p * PAGE] = 1;
    /* 1, 2 and 4 threads, as far as there are CPUs: on a host with fewer
     * cores than vCPUs the others' acknowledgements wait for the host to
     * run their vCPUs, so 2 (no vCPU waits) and 4 tell apart what the
     * kernel costs and what the host's scheduling does. */
    int counts[3] = {1, ncpus < 2 ? ncpus : 2, ncpus < 4 ? ncpus : 4};
    for (int k = 0; k < 3; k++) {
        int threads = counts[k];
        if (k && threads == counts[k - 1])
            continue;
        spinners_start(threads - 1);
        static long t[FORKS];
        struct totals before = totals();
        for (int i = 0; i < FORKS; i++)
            t[i] = one_fork(i);
        struct totals after = totals();
        long kernel_us, flush_us;
        char b[4][24];
        kernel_share(&kernel_us, &flush_us);
        spinners_stop_all(threads - 1);
        printf("smpbench fork threads=%d pages=%d median_us=%ld.%03ld kernel_us=%ld flush_us=%ld "
               "ipis_per_fork=%s shootdowns_per_fork=%s halts_per_fork=%s wake_ipis_per_fork=%s\n",
               threads, FORK_PAGES, median(t, FORKS) / 1000, median(t, FORKS) % 1000, kernel_us,
               flush_us, per(b[0], after.ipis - before.ipis, FORKS),
               per(b[1], after.shootdowns - before.shootdowns, FORKS),
               per(b[2], after.halts - before.halts, FORKS),
               per(b[3], after.wake_ipis - before.wake_ipis, FORKS));
    }
    munmap(fork_area, (long)FORK_PAGES * PAGE);
}

static const char usage[] = "usage: smpbench [all|shootdown|faults|fork]\n";

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    if (!strcmp(what, "-h")) {
        printf("%s", usage);
        return 0;
    }
    if (argc > 2 || (strcmp(what, "all") && strcmp(what, "shootdown") && strcmp(what, "faults") &&
                     strcmp(what, "fork"))) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    struct cpu_stats st[8];
    int ncpus = cowl_cpustat(st, 8);
    if (!strcmp(what, "shootdown") || !strcmp(what, "all"))
        shootdown(ncpus);
    if (!strcmp(what, "faults") || !strcmp(what, "all"))
        faults(ncpus);
    if (!strcmp(what, "fork") || !strcmp(what, "all"))
        fork_threads(ncpus);
    return 0;
}
