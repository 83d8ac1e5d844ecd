/* smpbench.c - what many CPUs cost and buy (`make bench`, docs/bench.md):
 *
 *   smpbench shootdown   latency of a flush that must reach 0..3 other CPUs
 *   smpbench faults      page faults per second with 1..4 threads
 *   smpbench fork        fork of a parent with 1 or 4 threads, 262144 pages
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
    uint64_t ipis, shootdowns, wait_ns;
};

static struct totals totals(void)
{
    struct cpu_stats st[8];
    struct totals t = {0, 0, 0};
    int n = cowl_cpustat(st, 8);
    for (int i = 0; i < n && i < 8; i++) {
        t.ipis += st[i].tlb_ipis_sent;
        t.shootdowns += st[i].tlb_shootdowns;
        t.wait_ns += st[i].shootdown_wait_ns;
    }
    return t;
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
        printf("smpbench shootdown remote=%d median_ns=%ld ipis_per_flush=%lu.%02lu "
               "ack_wait_ns=%lu\n",
               remote, median(t, FLUSHES), (after.ipis - before.ipis) / FLUSHES,
               (after.ipis - before.ipis) % FLUSHES * 100 / FLUSHES,
               sd ? (unsigned long)((after.wait_ns - before.wait_ns) / sd) : 0ul);
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
#define FORKS      10

static void fork_threads(int ncpus)
{
    char *area = mmap(NULL, (long)FORK_PAGES * PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (long p = 0; p < FORK_PAGES; p++)
        area[p * PAGE] = 1;
    int counts[2] = {1, ncpus < 4 ? ncpus : 4};
    for (int k = 0; k < 2; k++) {
        int threads = counts[k];
        spinners_start(threads - 1);
        static long t[FORKS];
        struct totals before = totals();
        for (int i = 0; i < FORKS; i++) {
            long t0 = now_ns();
            pid_t pid = fork();
            if (pid == 0)
                _exit(0);
            t[i] = now_ns() - t0;
            waitpid(pid, NULL, 0);
            area[(i % 512) * PAGE] = 2; /* the parent writes again: unshare, as in life */
        }
        struct totals after = totals();
        spinners_stop_all(threads - 1);
        uint64_t ipis = after.ipis - before.ipis, sd = after.shootdowns - before.shootdowns;
        printf("smpbench fork threads=%d pages=%d median_us=%ld.%03ld ipis_per_fork=%lu.%02lu "
               "shootdowns_per_fork=%lu.%02lu\n",
               threads, FORK_PAGES, median(t, FORKS) / 1000, median(t, FORKS) % 1000,
               (unsigned long)(ipis / FORKS), (unsigned long)(ipis % FORKS * 100 / FORKS),
               (unsigned long)(sd / FORKS), (unsigned long)(sd % FORKS * 100 / FORKS));
        if (counts[1] == counts[0])
            break;
    }
    munmap(area, (long)FORK_PAGES * PAGE);
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
