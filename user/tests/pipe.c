/* pipe.c - pipes as POSIX describes them: bytes in order through a
 * bounded buffer, end of file once every writer is gone, EPIPE once every
 * reader is gone, and with O_NONBLOCK (pipe2) EAGAIN where a call would
 * wait.  A failed pipe() leaves no descriptor behind. */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned char byte_at(long i) { return (unsigned char)(i * 7 + (i >> 8)); }

/* A child writes more than the pipe holds; the parent reads it all back:
 * the writer must wait for room and the reader for data, in both orders. */
static void test_blocking_stream(void)
{
    enum { TOTAL = 100000 };
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        unsigned char buf[1000];
        for (long off = 0; off < TOTAL; off += sizeof(buf)) {
            for (unsigned i = 0; i < sizeof(buf); i++)
                buf[i] = byte_at(off + i);
            if (write(fds[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    long got = 0;
    unsigned char buf[777];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            CHECK_EQ(buf[i], byte_at(got + i));
        got += n;
    }
    CHECK_EQ(n, 0); /* end of file: the only writer exited */
    CHECK_EQ(got, TOTAL);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
}

static void test_no_reader(void)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    close(fds[0]);
    errno = 0;
    CHECK_EQ(write(fds[1], "x", 1), -1);
    CHECK_EQ(errno, EPIPE);
    close(fds[1]);
}

static void test_nonblocking(void)
{
    int fds[2];
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    char c;
    errno = 0;
    CHECK_EQ(read(fds[0], &c, 1), -1); /* empty, a writer exists: would wait */
    CHECK_EQ(errno, EAGAIN);

    /* Fill it: a write takes what fits; once full, EAGAIN. */
    static char big[1 << 20];
    ssize_t first = write(fds[1], big, sizeof(big));
    CHECK(first > 0 && first < (ssize_t)sizeof(big));
    errno = 0;
    CHECK_EQ(write(fds[1], big, 1), -1);
    CHECK_EQ(errno, EAGAIN);

    /* Everything written comes back, then EAGAIN again. */
    long drained = 0;
    ssize_t n;
    while ((n = read(fds[0], big, 4096)) > 0)
        drained += n;
    CHECK_EQ(n, -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(drained, first);

    /* Without a writer a non-blocking read is end of file, not EAGAIN. */
    close(fds[1]);
    CHECK_EQ(read(fds[0], &c, 1), 0);
    close(fds[0]);
}

/* O_NONBLOCK belongs to the open file: a dup and a forked child share it. */
static void test_nonblock_is_shared(void)
{
    int fds[2];
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    int copy = dup(fds[0]);
    CHECK(copy >= 0);
    char c;
    errno = 0;
    CHECK_EQ(read(copy, &c, 1), -1);
    CHECK_EQ(errno, EAGAIN);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(read(fds[0], &c, 1) == -1 && errno == EAGAIN ? 0 : 1);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(copy);
    close(fds[0]);
    close(fds[1]);
}

static void test_bad_arguments(void)
{
    int fds[2];
    errno = 0;
    CHECK_EQ(pipe2(fds, O_TRUNC), -1); /* not a pipe flag */
    CHECK_EQ(errno, EINVAL);
    int lowest = dup(1); /* the lowest free descriptor right now */
    CHECK(lowest >= 0);
    close(lowest);
    int *volatile bad = (int *)8; /* volatile: the compiler would see through it */
    errno = 0;
    CHECK_EQ(pipe(bad), -1);
    CHECK_EQ(errno, EFAULT);
    /* Nothing was left installed: the same descriptor is free again. */
    int again = dup(1);
    CHECK_EQ(again, lowest);
    close(again);
}

/* A pipe() that fails (here: its second descriptor would land on a page
 * it may not write) must never be seen by another thread, not even for a
 * moment: no descriptor it took may read as open.  cowl once opened both
 * ends first and closed them again, and a fork or dup in between kept a
 * pipe nobody knew about. */
static int *volatile cliff;
static volatile int racing;

static void *failing_pipes(void *arg)
{
    (void)arg;
    long made = 0; /* (errno is not looked at: cowl's libc has one for all threads) */
    for (int i = 0; i < 3000 && !made; i++)
        made = pipe(cliff) != -1;
    racing = 0;
    return (void *)made;
}

static void test_failed_pipe_is_never_seen(void)
{
    char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK_EQ(mprotect(m + 4096, 4096, PROT_NONE), 0);
    cliff = (int *)(m + 4096 - sizeof(int)); /* fds[0] fits, fds[1] does not */
    int lowest = dup(1);
    CHECK(lowest >= 0);
    close(lowest);
    racing = 1;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, failing_pipes, NULL), 0);
    long seen = 0;
    struct stat st;
    while (racing) {
        seen += fstat(lowest, &st) == 0;
        seen += fstat(lowest + 1, &st) == 0;
    }
    void *ret;
    CHECK_EQ(pthread_join(t, &ret), 0);
    CHECK_EQ((long)ret, 0); /* every pipe() failed */
    CHECK_EQ(seen, 0);
    munmap(m, 2 * 4096);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* EPIPE instead of death by SIGPIPE (sigintr tests that) */
    test_blocking_stream();
    test_no_reader();
    test_nonblocking();
    test_nonblock_is_shared();
    test_bad_arguments();
    test_failed_pipe_is_never_seen();
    return 0;
}
