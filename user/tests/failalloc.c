/* failalloc.c - every allocation a system call makes may fail, and each
 * failure must be clean: the call returns an error, or the process that
 * needed the memory is killed; nothing is corrupted and nothing leaks.
 *
 * For each workload (fork, exec, unsharing shared page tables, copying a
 * page on write, mmap, pipe, threads) this sweeps n = 1, 2, 3, ...: a
 * fresh "subject" process arms fault injection so that the n-th allocation
 * made for it or its children fails (cowl_failalloc, mm/failalloc.h), runs
 * the workload, and reports what happened.  The sweep of a workload ends at
 * the first n its run never reaches.  Checked for every n:
 *   - the subject's data is what it wrote (exit status 2 says it is not);
 *   - an error was reported, or a process killed, only if a failure was
 *     really injected (else the kernel fails without a reason);
 *   - once the subject and its children are gone, the free page count is
 *     back where it was (the test runner then audits reference counts).
 * The boot's fork mode (fork=share|copy|eager) decides how forks copy, so
 * the suite sweeps all three. */
#include "check.h"
#include "memory.h"
#include <cowl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE      4096
#define MAX_N     600 /* no workload makes this many allocations */
#define OK        0
#define REFUSED   1 /* a call failed cleanly with ENOMEM or EAGAIN */
#define CORRUPT   2
#define BAD_ERRNO 3

static char data[8 * PAGE];

static void fill(char *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i += 512)
        p[i] = (char)(seed + i / 512);
}

static int holds(const char *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i += 512)
        if (p[i] != (char)(seed + i / 512))
            return 0;
    return 1;
}

/* A failed call: clean only with an out-of-memory error. */
static int refused(void)
{
    if (errno == ENOMEM || errno == EAGAIN)
        return REFUSED;
    printf("failalloc: a call failed with errno %d, not ENOMEM or EAGAIN\n", errno);
    return BAD_ERRNO;
}

/* The status a child ended with, as one of our codes (a kill counts as
 * REFUSED here; the parent checks that something was injected). */
static int child_result(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return BAD_ERRNO;
    if (WIFSIGNALED(status))
        return REFUSED;
    return WEXITSTATUS(status);
}

/* fork; both sides write the shared data (copy on write), each must keep
 * its own values. */
static int work_fork(void)
{
    fill(data, sizeof(data), 1);
    pid_t pid = fork();
    if (pid < 0)
        return refused();
    if (pid == 0) {
        int ok = holds(data, sizeof(data), 1);
        fill(data, sizeof(data), 2);
        _exit(ok && holds(data, sizeof(data), 2) ? OK : CORRUPT);
    }
    fill(data, sizeof(data), 3);
    int r = child_result(pid);
    return holds(data, sizeof(data), 3) ? r : CORRUPT;
}

static int work_exec(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return refused();
    if (pid == 0) {
        char *argv[] = {"true", "an", "argument", NULL};
        execv("/bin/true", argv);
        _exit(refused());
    }
    return child_result(pid);
}

/* A region spanning two 2 MiB halves, shared by fork; the child's write
 * unshares page tables at every level, the parent's takes them back. */
static int work_unshare(void)
{
    size_t len = 4u << 20;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return refused();
    m[0] = 10, m[len / 2] = 11, m[len - PAGE] = 12;
    int r;
    pid_t pid = fork();
    if (pid < 0) {
        r = refused();
    } else if (pid == 0) {
        m[PAGE] = 20;
        _exit(m[0] == 10 && m[len / 2] == 11 && m[len - PAGE] == 12 && m[PAGE] == 20 ? OK
                                                                                     : CORRUPT);
    } else {
        r = child_result(pid);
        m[len / 2 + PAGE] = 21;
        if (m[0] != 10 || m[len / 2] != 11 || m[PAGE] != 0 || m[len / 2 + PAGE] != 21)
            r = CORRUPT;
    }
    munmap(m, len);
    return r;
}

/* mmap, touch, change protection in the middle (splits the region), unmap
 * part of it; what is left keeps its bytes. */
static int work_mmap(void)
{
    size_t len = 16 * PAGE;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return refused();
    fill(m, len, 4);
    int r = OK;
    if (mprotect(m + 4 * PAGE, 4 * PAGE, PROT_READ))
        r = refused();
    else if (munmap(m + 8 * PAGE, 4 * PAGE))
        r = refused();
    else if (!holds(m, 8 * PAGE, 4) || !holds(m + 12 * PAGE, 4 * PAGE, 4 + 12 * 8))
        r = CORRUPT;
    munmap(m, len);
    return r;
}

/* Bytes through a pipe from a child, in order. */
static int work_pipe(void)
{
    int fds[2];
    if (pipe(fds))
        return refused();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return refused();
    }
    if (pid == 0) {
        close(fds[0]);
        char buf[3000];
        for (int i = 0; i < 3; i++) {
            memset(buf, 'a' + i, sizeof(buf));
            if (write(fds[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                _exit(errno == EPIPE ? REFUSED : refused()); /* EPIPE: the reader was killed */
        }
        _exit(OK);
    }
    close(fds[1]);
    char c;
    long got = 0;
    int r = OK;
    while (read(fds[0], &c, 1) == 1) {
        if (c != 'a' + got / 3000)
            r = CORRUPT;
        got++;
    }
    close(fds[0]);
    int cr = child_result(pid);
    if (r == OK && cr == OK && got != 9000)
        r = CORRUPT;
    return r == OK ? cr : r;
}

static void *thread_fn(void *arg)
{
    *(volatile int *)arg = 42;
    return arg;
}

static int work_thread(void)
{
    static int v;
    v = 0;
    pthread_t t;
    int err = pthread_create(&t, NULL, thread_fn, &v);
    if (err)
        return err == ENOMEM || err == EAGAIN ? REFUSED : BAD_ERRNO;
    void *ret;
    if (pthread_join(t, &ret) || ret != &v || v != 42)
        return CORRUPT;
    return OK;
}

struct workload {
    const char *name;
    int (*fn)(void);
};

static const struct workload workloads[] = {
    {"fork", work_fork}, {"exec", work_exec}, {"unshare", work_unshare},
    {"mmap", work_mmap}, {"pipe", work_pipe}, {"thread", work_thread},
};

struct tally {
    int points, completed, refused, killed;
};

/* One subject process: arm, run, disarm, report. */
static void run_subject(const struct workload *w, long n, int *status)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (cowl_failalloc(COWL_FAIL_NTH, n))
            _exit(BAD_ERRNO);
        int r = w->fn();
        cowl_failalloc(COWL_FAIL_OFF, 0);
        _exit(r);
    }
    CHECK_EQ(waitpid(pid, status, 0), pid);
    /* A subject that was killed left its children to us (we are their
     * subreaper): collect them too, so that all of the memory is back. */
    while (wait(NULL) > 0)
        ;
}

/* Sweep n over one workload; returns the number of points swept. */
static int sweep(const struct workload *w, struct tally *t)
{
    struct memory before = memory_now();
    for (long n = 1; n <= MAX_N; n++) {
        int status;
        run_subject(w, n, &status);
        cowl_failalloc(COWL_FAIL_OFF, 0); /* if the subject died armed */
        long injected = cowl_failalloc(COWL_FAIL_STATUS, 0);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code == CORRUPT || code == BAD_ERRNO || (code > BAD_ERRNO)) {
            printf("FAIL failalloc %s n=%ld: subject exit %d (%s)\n", w->name, n, code,
                   code == CORRUPT ? "data corrupted" : "wrong error");
            exit(1);
        }
        if ((code == REFUSED || code < 0) && injected == 0) {
            printf("FAIL failalloc %s n=%ld: %s though no allocation failed\n", w->name, n,
                   code < 0 ? "killed" : "refused");
            exit(1);
        }
        /* The subject and every child of it are gone: all memory is back. */
        struct memory now = memory_now();
        if (now.free_pages != before.free_pages || now.heap_objects != before.heap_objects) {
            printf("FAIL failalloc %s n=%ld: %ld pages and %ld heap objects not returned\n",
                   w->name, n, (long)(before.free_pages - now.free_pages),
                   (long)(now.heap_objects - before.heap_objects));
            exit(1);
        }
        if (injected == 0) { /* the run ended before its n-th allocation: done */
            CHECK_EQ(code, OK);
            return (int)n - 1;
        }
        t->points++;
        t->completed += code == OK;
        t->refused += code == REFUSED;
        t->killed += code < 0;
    }
    printf("FAIL failalloc %s: still allocating after %d points\n", w->name, MAX_N);
    exit(1);
}

int main(void)
{
    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    struct tally total = {0};
    for (unsigned i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++) {
        struct tally t = {0};
        int points = sweep(&workloads[i], &t);
        CHECK(points > 0); /* every workload allocates something */
        printf("failalloc: %-8s %3d failure points: %d completed anyway, %d refused, %d killed\n",
               workloads[i].name, points, t.completed, t.refused, t.killed);
        total.points += t.points, total.refused += t.refused, total.killed += t.killed;
    }
    /* Injection must be able to make calls fail at all. */
    CHECK(total.refused > 0);
    printf("failalloc: %d failure points swept\n", total.points);
    return 0;
}
