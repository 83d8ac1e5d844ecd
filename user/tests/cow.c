/* cow.c - the four cases of the classic copy-on-write lab, written for cowl:
 *   simple    a process holding most of free memory forks again and again
 *   three     three generations writing overlapping ranges
 *   file      a child reads from a pipe into a buffer it still shares with
 *             its parent: the kernel's write must copy, not write through
 *   forkfork  many concurrent fork trees */
#include "check.h"
#ifdef __cowl__
#include <cowl.h>
#endif
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static int wait_ok(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void simple(void)
{
#ifdef __cowl__
    uint64_t free_pages, total;
    CHECK_EQ(cowl_memstat(&free_pages, &total), 0);
    size_t n = free_pages * 6 / 10 * PAGE; /* more than half of what is free */
#else
    size_t n = 64ul << 20; /* make test-linux: the host's memory is not ours to fill */
#endif
    char *big = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(big != MAP_FAILED);
    for (size_t i = 0; i < n; i += PAGE)
        big[i] = (char)(i / PAGE);
#ifdef __cowl__
    if (cowl_fork_mode(-1) == COWL_FORK_EAGER) {
        /* Copying 60% of memory cannot fit: fork must fail cleanly (the
         * partial copy freed, the kernel's leak check proves it) and we go on. */
        CHECK_EQ(fork(), -1);
        CHECK_EQ(errno, ENOMEM);
        CHECK(big[PAGE * 7] == 7);
        CHECK_EQ(munmap(big, n), 0);
        return;
    }
#endif
    for (int round = 0; round < 10; round++) {
        pid_t pid = fork();
        CHECK(pid >= 0); /* would fail if fork copied 60% of memory */
        if (pid == 0)
            _exit(big[PAGE * 7] == 7 ? 0 : 1);
        CHECK(wait_ok(pid));
    }
    CHECK_EQ(munmap(big, n), 0);
}

static void three(void)
{
    size_t n = 64 * PAGE;
    char *a = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(a != MAP_FAILED);
    memset(a, 1, n);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        memset(a, 2, n / 2); /* first half */
        pid_t grandchild = fork();
        if (grandchild < 0)
            _exit(1);
        if (grandchild == 0) {
            memset(a + n / 4, 3, n / 2); /* overlaps both halves */
            for (size_t i = 0; i < n; i++) {
                char want = i < n / 4 ? 2 : i < 3 * n / 4 ? 3 : 1;
                if (a[i] != want)
                    _exit(1);
            }
            _exit(0);
        }
        if (!wait_ok(grandchild))
            _exit(1);
        for (size_t i = 0; i < n; i++)
            if (a[i] != (i < n / 2 ? 2 : 1))
                _exit(1);
        _exit(0);
    }
    CHECK(wait_ok(child));
    for (size_t i = 0; i < n; i++)
        CHECK(a[i] == 1);
    CHECK_EQ(munmap(a, n), 0);
}

static char shared_buf[2 * PAGE] __attribute__((aligned(PAGE)));

static void file(void)
{
    memset(shared_buf, 'p', sizeof(shared_buf));
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* The child has not written anything: shared_buf's page tables are
         * still shared with the parent when read() writes into them. */
        ssize_t got = read(fds[0], shared_buf + 100, 50);
        _exit(got == 50 && shared_buf[100] == 'x' && shared_buf[149] == 'x' ? 0 : 1);
    }
    char msg[50];
    memset(msg, 'x', sizeof(msg));
    CHECK_EQ(write(fds[1], msg, sizeof(msg)), 50);
    CHECK(wait_ok(pid));
    for (size_t i = 0; i < sizeof(shared_buf); i++)
        CHECK(shared_buf[i] == 'p'); /* the child's read never reached us */
    close(fds[0]);
    close(fds[1]);
}

static void forkfork(void)
{
    pid_t trees[4];
    for (int t = 0; t < 4; t++) {
        trees[t] = fork();
        CHECK(trees[t] >= 0);
        if (trees[t] == 0) {
            for (int i = 0; i < 8; i++) {
                pid_t pid = fork();
                if (pid < 0)
                    _exit(1);
                if (pid == 0) {
                    shared_buf[i] = (char)i; /* a write in each leaf */
                    _exit(shared_buf[i] == i ? 0 : 1);
                }
                if (!wait_ok(pid))
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (int t = 0; t < 4; t++)
        CHECK(wait_ok(trees[t]));
}

int main(void)
{
    simple();
    three();
    file();
    forkfork();
    printf("cow: ok\n");
    return 0;
}
