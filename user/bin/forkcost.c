/* forkcost.c - the costs that sharing page tables moves elsewhere, for one
 * fork mode and one process size:
 *
 *   forkwait   fork + exit + wait of a child that writes nothing
 *   forkexec   fork + exec of a tiny program (/bin/true) + wait
 *   writeall   a child that writes one byte in every page, until reaped
 *   firstwrite the child's first write: unshare by level, then page copy
 *   teardown   munmap of the whole region in the parent
 *
 *   forkcost -M share|copy|eager -m PAGES      (times in microseconds)
 *
 * and, with -s, one fork taken apart instead: the kernel times each step
 * of fork() (vm_events.fork_step_ns, read with cowl_vmstat); means over
 * STEP_FORKS forks, in nanoseconds:
 *
 *   forkcost -s [-M MODE] -m PAGES */
#include "../include/bench.h"
#include <cowl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5
#define PAGE   4096

static long forkwait(void)
{
    long t[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        long t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
        t[r] = now_ns() - t0;
    }
    return median(t, ROUNDS);
}

static long forkexec(void)
{
    long t[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        long t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
            char *argv[] = {"true", NULL};
            execve("/bin/true", argv, NULL);
            _exit(127);
        }
        waitpid(pid, NULL, 0);
        t[r] = now_ns() - t0;
    }
    return median(t, ROUNDS);
}

static long writeall(char *mem, long m)
{
    long t[3]; /* the median of three: the first run after boot pays extra */
    for (int r = 0; r < 3; r++) {
        long t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
            for (long i = 0; i < m; i++)
                mem[i * PAGE] = 2;
            _exit(0);
        }
        waitpid(pid, NULL, 0);
        t[r] = now_ns() - t0;
    }
    return median(t, 3);
}

/* The child's first write, and the kernel's own account of where it went. */
static void firstwrite(char *mem, long out[6])
{
    int fds[2];
    pipe(fds);
    pid_t pid = fork();
    if (pid == 0) {
        struct vm_stats a, b;
        cowl_vmstat(&a);
        long t0 = now_ns();
        mem[0] = 3;
        long total = now_ns() - t0;
        cowl_vmstat(&b);
        long v[6] = {total,
                     (long)(b.ev.unshare_ns[3] - a.ev.unshare_ns[3]),
                     (long)(b.ev.unshare_ns[2] - a.ev.unshare_ns[2]),
                     (long)(b.ev.unshare_ns[1] - a.ev.unshare_ns[1]),
                     (long)(b.ev.cow_ns - a.ev.cow_ns),
                     (long)(b.ev.cow_copies - a.ev.cow_copies)};
        write(fds[1], v, sizeof(v));
        _exit(0);
    }
    read(fds[0], out, 6 * sizeof(long));
    waitpid(pid, NULL, 0);
    close(fds[0]);
    close(fds[1]);
}

#define STEP_FORKS 31

/* The kernel's step times for one fork each (cowl_vmstat before and after,
 * outside the timed region), and the parent's view of the same fork: what
 * the kernel did not count is the way in and out of the system call and
 * the wait until the parent runs again.  Medians over STEP_FORKS forks, of
 * each column on its own (the host is noisy: one fork that lost its CPU
 * would move every mean). */
static void steps(const char *mode, long m)
{
    enum { USER = VM_FORK_STEPS, RETURN, UNSHARE, COW, SYSCALL, COLS };
    static long col[COLS][STEP_FORKS];
    for (int i = 0; i < STEP_FORKS; i++) {
        struct vm_stats a, b;
        cowl_vmstat(&a);
        long t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        long user_ns = now_ns() - t0;
        cowl_vmstat(&b);
        waitpid(pid, NULL, 0);
        for (int s = 0; s < VM_FORK_STEPS; s++)
            col[s][i] = (long)(b.ev.fork_step_ns[s] - a.ev.fork_step_ns[s]);
        col[FORK_STEP_PROCESS][i] -= col[FORK_STEP_KSTACK][i];
        col[FORK_STEP_MEMORY][i] -= col[FORK_STEP_MM][i] + col[FORK_STEP_REGIONS][i] +
                                    col[FORK_STEP_SHARE][i] + col[FORK_STEP_FLUSH][i] +
                                    col[FORK_STEP_STACK][i];
        col[USER][i] = user_ns;
        col[RETURN][i] = user_ns - col[FORK_STEP_TOTAL][i];
        /* every unshare and page copy between the two reads: in share
         * mode those of the fork's stack step (fork copies the parent's
         * stack page itself, docs/fork.md section 7), before that the
         * parent's first write after fork */
        col[UNSHARE][i] = 0;
        for (int l = 1; l < VM_LEVELS; l++)
            col[UNSHARE][i] += (long)(b.ev.unshare_ns[l] - a.ev.unshare_ns[l]);
        col[COW][i] = (long)(b.ev.cow_ns - a.ev.cow_ns);
        t0 = now_ns();
        getppid();
        col[SYSCALL][i] = now_ns() - t0;
    }
    long md[COLS];
    for (int s = 0; s < COLS; s++)
        md[s] = median(col[s], STEP_FORKS);
    printf("forkcost steps mode=%s pages=%ld forks=%d fork_ns=%ld kernel_ns=%ld process_ns=%ld "
           "kstack_ns=%ld fpu_ns=%ld mm_ns=%ld regions_ns=%ld share_ns=%ld flush_ns=%ld "
           "stack_ns=%ld memory_other_ns=%ld files_ns=%ld registers_ns=%ld start_ns=%ld return_ns=%ld "
           "return_unshare_ns=%ld return_cowcopy_ns=%ld syscall_ns=%ld\n",
           mode, m, STEP_FORKS, md[VM_FORK_STEPS], md[FORK_STEP_TOTAL], md[FORK_STEP_PROCESS],
           md[FORK_STEP_KSTACK], md[FORK_STEP_FPU], md[FORK_STEP_MM], md[FORK_STEP_REGIONS],
           md[FORK_STEP_SHARE], md[FORK_STEP_FLUSH], md[FORK_STEP_STACK], md[FORK_STEP_MEMORY], md[FORK_STEP_FILES],
           md[FORK_STEP_REGISTERS], md[FORK_STEP_START], md[RETURN], md[UNSHARE], md[COW],
           md[SYSCALL]);
}

static const char usage[] = "usage: forkcost [-s] [-M share|copy|eager] [-m PAGES]\n";

int main(int argc, char **argv)
{
    long m = 1000;
    int mode = -1, c, only_steps = 0;
    while ((c = getopt(argc, argv, "m:M:sh")) != -1) {
        switch (c) {
        case 's':
            only_steps = 1;
            break;
        case 'm':
            m = atol(optarg);
            break;
        case 'M':
            mode = !strcmp(optarg, "copy") ? 1 : !strcmp(optarg, "eager") ? 2 : 0;
            break;
        case 'h':
            printf("%s", usage);
            return 0;
        default:
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    if (mode >= 0)
        cowl_fork_mode(mode);
    mode = cowl_fork_mode(-1);
    static const char *const names[] = {"share", "copy", "eager"};
    char *mem = mmap(NULL, m * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return 1;
    for (long i = 0; i < m; i++)
        mem[i * PAGE] = 1;
    if (only_steps) {
        steps(names[mode], m);
        return 0;
    }
    long fw = forkwait(), fe = forkexec(), wa = writeall(mem, m);
    long first[6] = {0};
    long firsts[ROUNDS][6];
    long col[ROUNDS];
    for (int r = 0; r < ROUNDS; r++)
        firstwrite(mem, firsts[r]);
    for (int k = 0; k < 6; k++) { /* median of each column */
        for (int r = 0; r < ROUNDS; r++)
            col[r] = firsts[r][k];
        first[k] = median(col, ROUNDS);
    }
    long t0 = now_ns();
    munmap(mem, m * PAGE);
    long td = now_ns() - t0;
    printf("forkcost mode=%s pages=%ld forkwait_us=%ld forkexec_us=%ld writeall_us=%ld "
           "firstwrite_us=%ld unshare_l3_us=%ld unshare_l2_us=%ld unshare_l1_us=%ld "
           "cowcopy_us=%ld teardown_us=%ld\n",
           names[mode], m, fw / 1000, fe / 1000, wa / 1000, first[0] / 1000, first[1] / 1000,
           first[2] / 1000, first[3] / 1000, first[4] / 1000, td / 1000);
    return 0;
}
