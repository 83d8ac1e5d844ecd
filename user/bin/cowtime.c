/* cowtime.c - what the first writes after fork cost: in the child, the
 * first write to a shared page (unshares the whole path, then copies the
 * page), a write to the next page (its PT is private now: page copy only),
 * and a write to a page the parent never touched (demand-zero in a private
 * table).  cowtime -m PAGES -r ROUNDS; medians in nanoseconds. */
#include "../include/bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage[] = "usage: cowtime [-m PAGES] [-r ROUNDS]  (PAGES >= 4, ROUNDS 1..100)\n";

int main(int argc, char **argv)
{
    long m = 1000, rounds = 15;
    int c;
    while ((c = getopt(argc, argv, "m:r:h")) != -1) {
        switch (c) {
        case 'm':
            m = atol(optarg);
            break;
        case 'r':
            rounds = atol(optarg);
            break;
        case 'h':
            printf("%s", usage);
            return 0;
        default:
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    if (m < 4 || rounds < 1 || rounds > 100) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    long page = 4096;
    char *mem =
        mmap(NULL, (m + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return 1;
    for (long i = 0; i < m; i++) /* the last page stays untouched */
        mem[i * page] = 1;
    long first[100], second[100], fresh[100];
    for (long r = 0; r < rounds; r++) {
        int fds[2];
        if (pipe(fds))
            return 1;
        pid_t pid = fork();
        if (pid == 0) {
            long t[3], t0 = now_ns();
            mem[0] = 2; /* unshare PDPT, PD, PT; copy the page */
            t[0] = now_ns() - t0;
            t0 = now_ns();
            mem[page] = 2; /* same PT, now private: copy the page */
            t[1] = now_ns() - t0;
            t0 = now_ns();
            mem[m * page] = 2; /* never touched: a zero page */
            t[2] = now_ns() - t0;
            write(fds[1], t, sizeof(t));
            _exit(0);
        }
        long t[3] = {0, 0, 0};
        read(fds[0], t, sizeof(t));
        waitpid(pid, NULL, 0);
        close(fds[0]);
        close(fds[1]);
        first[r] = t[0], second[r] = t[1], fresh[r] = t[2];
    }
    qsort(first, rounds, sizeof(long), cmp_long);
    qsort(second, rounds, sizeof(long), cmp_long);
    qsort(fresh, rounds, sizeof(long), cmp_long);
    printf("cowtime pages=%ld rounds=%ld first_write_ns=%ld next_write_ns=%ld fresh_page_ns=%ld\n",
           m, rounds, first[rounds / 2], second[rounds / 2], fresh[rounds / 2]);
    return 0;
}
