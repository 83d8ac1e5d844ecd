/* forktime.c - how long does fork() take?  After the seed program of the
 * 2002 page-table-sharing thread (n forks of a parent that has mapped and
 * touched m pages), made to report each call:
 *
 *   forktime -n FORKS -m PAGES [-M share|copy|eager]
 *
 * Each fork() is timed from just before the call until it returns in the
 * parent; the child exits at once; the parent reaps it outside the timed
 * region.  Prints mean and min microseconds per fork and, on cowl, the
 * page-table pages one fork allocated.  The same file builds on Linux. */
#include "../include/bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __cowl__
#include <cowl.h>
#endif

static const char usage[] = "usage: forktime [-n FORKS] [-m PAGES] [-M share|copy|eager]\n";

int main(int argc, char **argv)
{
    long n = 10, m = 1000;
    const char *mode = "linux";
    int c;
    while ((c = getopt(argc, argv, "n:m:M:h")) != -1) {
        switch (c) {
        case 'n':
            n = atol(optarg);
            break;
        case 'm':
            m = atol(optarg);
            break;
        case 'M':
            mode = optarg;
            break;
        case 'h':
            printf("%s", usage);
            return 0;
        default:
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
#ifdef __cowl__
    static const char *const modes[] = {"share", "copy", "eager"};
    int want = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(mode, modes[i]))
            want = i;
    if (want < 0) /* not given: this process's mode (the boot option fork=) */
        want = cowl_fork_mode(-1);
    cowl_fork_mode(want);
    mode = modes[want];
#endif
    if (n < 1 || m < 1) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    long page = 4096;
    char *mem = mmap(NULL, m * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        perror("forktime: mmap");
        return 1;
    }
    for (long i = 0; i < m; i++)
        mem[i * page] = 1;
    long total = 0, min = -1, tables = -1;
    for (long i = 0; i < n; i++) {
        long t0 = now_ns();
        pid_t pid = fork();
        long dt = now_ns() - t0;
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            perror("forktime: fork");
            return 1;
        }
#ifdef __cowl__
        tables = cowl_fork_tables();
#endif
        waitpid(pid, NULL, 0);
        total += dt;
        if (min < 0 || dt < min)
            min = dt;
    }
    printf("forktime mode=%s pages=%ld forks=%ld mean_us=%ld.%03ld min_us=%ld.%03ld ptpages=%ld\n",
           mode, m, n, total / n / 1000, total / n % 1000, min / 1000, min % 1000, tables);
    return 0;
}
