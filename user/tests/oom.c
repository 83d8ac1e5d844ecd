/* oom.c - out of memory: a memory hog and a fork bomb each end with the
 * kernel alive, the offender killed or refused, and all memory back.
 *
 * The scenarios, in the order main runs them:
 *  - a bystander holds 7/8 of free memory, pages of known contents, asleep
 *    on a pipe.  It must come through everything below intact; and since
 *    the others only have the last eighth to exhaust, the test stays short.
 *  - hog: a process maps twice the machine's memory and touches it page by
 *    page.  The kernel must kill it (SIGKILL, "killed: out of memory"), and
 *    only after it has taken nearly all of the free memory.
 *  - hog with threads: two threads touch, a third sleeps in read().  The
 *    kill must end the whole process, not only the thread that faulted
 *    (else the sleeper keeps the progress pipe open and the test hangs).
 *  - copy on write: a process owning 60% of free memory forks a child
 *    that writes every page; the copies run out, the child is killed, the
 *    owner's pages are untouched.  In fork=eager boots the owner first
 *    checks that an eager fork (which copies every page) is refused.
 *  - fork bomb, memory bound: every process forks until fork fails, then
 *    waits.  With only the last eighth free, memory runs out first: ENOMEM.
 *  - fork bomb, limit bound: the bystander gone, the same bomb fills the
 *    process table (MAX_THREADS, CHILD_MAX here) and every process gets
 *    EAGAIN, from fork and from pthread_create.
 *  - a thread exits while clearing its tid word for pthread_join would
 *    need a page and none can be had (fault injection): the process is
 *    killed, its join is not left waiting forever.
 * After each: free pages and kernel heap objects exactly as before, and
 * fork + exec of /bin/true works.
 *
 * The test itself (the "controller") must survive all of this.  It starts
 * every other process by fork + exec of this program with a role in argv,
 * so that none of them shares memory with it: no write of the controller
 * ever needs a copy on write.  And it touches all the memory it will use
 * first (prepare), so that none of its faults needs a fresh page. */
#include "../include/bench.h"
#include "check.h"
#include "memory.h"
#include <cowl.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE         4096
#define REPORT_EVERY 256 /* pages touched per progress byte */
#define HOG_SURVIVED 3   /* exit code: touched everything, never killed */
#define CORRUPT      2   /* exit code: memory changed under a process */
#define FDS_MAX      64

static const char *self;    /* argv[0]: how to exec this program again */
static pid_t bystander_pid; /* the controller's child that must outlive the rest */
static char scratch[2 * PAGE];

/* Touch every page the process will use later: its stack 64 KiB deep and
 * the scratch buffer.  Afterwards, as long as nothing is shared with
 * another process, no access faults for a fresh page. */
static void prepare(void)
{
    volatile char stack[16 * PAGE];
    for (size_t i = 0; i < sizeof(stack); i += PAGE / 2)
        stack[i] = 0;
    for (size_t i = 0; i < sizeof(scratch); i += PAGE / 2)
        scratch[i] = 0;
    errno = 0;
}

/* ---- Roles: what the other processes do (argv[1]) */

/* Fill (or check) one word per page with a value only this page has. */
static long page_word(size_t i, long seed) { return seed * 1000003 + (long)i; }

static void fill_pages(char *m, size_t pages, long seed)
{
    for (size_t i = 0; i < pages; i++)
        *(long *)(m + i * PAGE) = page_word(i, seed);
}

static int pages_hold(const char *m, size_t pages, long seed)
{
    for (size_t i = 0; i < pages; i++)
        if (*(const long *)(m + i * PAGE) != page_word(i, seed))
            return 0;
    return 1;
}

static char *map_pages(size_t pages)
{
    char *m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

/* hold PAGES READY GO: hold pages of known contents, say so on READY,
 * sleep until GO is closed, then check them.  A bystander, or ballast. */
static int role_hold(size_t pages, int ready, int go)
{
    char *m = map_pages(pages);
    if (!m)
        return 1;
    fill_pages(m, pages, 7);
    char c = 'r';
    if (write(ready, &c, 1) != 1)
        return 1;
    read(go, &c, 1); /* 0 bytes: the controller closed it */
    return pages_hold(m, pages, 7) ? 0 : CORRUPT;
}

struct toucher {
    char *base;
    size_t pages, first, step;
    int progress;
};

/* Write page after page; one byte down the progress pipe per REPORT_EVERY. */
static void *touch_pages(void *arg)
{
    struct toucher *t = arg;
    size_t n = 0;
    for (size_t i = t->first; i < t->pages; i += t->step) {
        t->base[i * PAGE] = 1;
        if (++n % REPORT_EVERY == 0)
            write(t->progress, "+", 1);
    }
    return NULL;
}

static void *sleep_forever(void *arg)
{
    int *fds = arg;
    char c;
    read(fds[0], &c, 1); /* nobody ever writes: the write end is ours */
    return NULL;
}

/* hog PROGRESS THREADS: map twice the machine's memory and touch it all,
 * with THREADS (1 or 2) threads, and with 2 one more thread asleep. */
static int role_hog(int progress, int threads)
{
    uint64_t free_pages, total;
    if (cowl_memstat(&free_pages, &total) || threads < 1 || threads > 2)
        return 1;
    size_t pages = 2 * total;
    char *m = map_pages(pages);
    if (!m)
        return 1;
    struct toucher t[2];
    for (int k = 0; k < threads; k++)
        t[k] = (struct toucher){m, pages, (size_t)k, (size_t)threads, progress};
    pthread_t sleeper, other;
    int never[2];
    if (threads == 2 && (pipe(never) || pthread_create(&sleeper, NULL, sleep_forever, never) ||
                         pthread_create(&other, NULL, touch_pages, &t[1])))
        return 1;
    touch_pages(&t[0]);
    if (threads == 2)
        pthread_join(other, NULL);
    return HOG_SURVIVED;
}

/* cow: own 60% of free memory, fork, let the child write all of it. */
static int role_cow(void)
{
    uint64_t free_pages, total;
    CHECK_EQ(cowl_memstat(&free_pages, &total), 0);
    size_t pages = free_pages * 6 / 10;
    char *m = map_pages(pages);
    CHECK(m != NULL);
    fill_pages(m, pages, 3);
    CHECK_EQ(cowl_memstat(&free_pages, &total), 0); /* what is left to copy into */
    if (cowl_fork_mode(-1) == COWL_FORK_EAGER) {
        /* An eager fork copies every page at once: it cannot fit. */
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        CHECK(pid < 0 && errno == ENOMEM);
        uint64_t now;
        CHECK_EQ(cowl_memstat(&now, &total), 0);
        CHECK_EQ(now, free_pages); /* the half-built child gave it all back */
        CHECK(cowl_fork_mode(COWL_FORK_SHARE) >= 0);
    }
    int progress[2], start[2];
    CHECK_EQ(pipe(progress), 0);
    CHECK_EQ(pipe(start), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char c;
        close(progress[0]);
        close(start[1]);
        read(start[0], &c, 1);
        for (size_t i = 0; i < pages; i++) {
            *(long *)(m + i * PAGE) = -1; /* each write copies the page */
            if ((i + 1) % REPORT_EVERY == 0)
                write(progress[1], "+", 1);
        }
        _exit(HOG_SURVIVED);
    }
    close(progress[1]);
    close(start[0]);
    prepare(); /* our own copies now, while there is memory */
    close(start[1]);
    long copied = 0;
    for (ssize_t n; (n = read(progress[0], scratch, sizeof(scratch))) > 0;)
        copied += n * REPORT_EVERY;
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK(copied >= (long)free_pages * 9 / 10); /* it got nearly all of it */
    CHECK(copied < (long)pages);
    CHECK(pages_hold(m, pages, 3)); /* and none of its writes reached us */
    printf("oom: cow: a child copied %ld of %lu free pages, of the %zu it shared, and was "
           "killed\n",
           copied, free_pages, pages);
    return 0;
}

static int go_fds[2];

static void *exit_without_memory(void *arg)
{
    char c;
    read(go_fds[0], &c, 1);
    cowl_failalloc(COWL_FAIL_PPM, 1000000); /* every allocation for this thread fails */
    pthread_exit(arg); /* writes nothing itself: only the kernel writes its tid word */
}

/* tid: a thread exits after a fork shared the page of its tid word, and no
 * allocation of the thread can succeed (cowl_failalloc).  Clearing the word
 * for pthread_join needs a copy on write: the kernel must kill the process,
 * not leave the join waiting forever.  Returns only if the join returned. */
static int role_tid(void)
{
    pthread_t t;
    int hold[2];
    if (pipe(go_fds) || pipe(hold) || pthread_create(&t, NULL, exit_without_memory, NULL) ||
        cowl_fork_mode(COWL_FORK_SHARE) < 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(hold[1]);
        read(hold[0], &c, 1); /* until we are gone */
        _exit(0);
    }
    close(hold[0]);
    write(go_fds[1], "x", 1);
    pthread_join(t, NULL);
    return HOG_SURVIVED;
}

static void *nothing(void *arg) { return arg; }

/* bomb MODE REPORT POLL WAIT: fork (in MODE, -1: as inherited) until fork
 * fails.  Every process reports "f" before each fork, and one byte when
 * it is refused (A: EAGAIN, M: ENOMEM, ?: anything else), then sleeps on
 * WAIT.  POLL (non-blocking) reads end of file once released: nobody forks
 * any more after that. */
static int role_bomb(int mode, int report, int poll, int wait_fd)
{
    prepare();
    if (mode >= 0 && cowl_fork_mode(mode) < 0)
        return 1;
    char c;
    for (;;) {
        if (read(poll, &c, 1) == 0)
            return 0;
        write(report, "f", 1); /* before the child exists: see bomb() */
        if (fork() < 0)
            break;
    }
    c = errno == EAGAIN ? 'A' : errno == ENOMEM ? 'M' : '?';
    pthread_t t;
    if (c == 'A' && pthread_create(&t, NULL, nothing, NULL) != EAGAIN)
        c = '?'; /* threads count too: the table is still full */
    write(report, &c, 1);
    read(wait_fd, &c, 1);
    return 0;
}

/* ---- The controller */

static void check_back(struct memory before, const char *what)
{
    struct memory now = memory_now();
    if (now.free_pages != before.free_pages || now.heap_objects != before.heap_objects) {
        printf("FAIL oom: after the %s, %ld pages and %ld heap objects not returned\n", what,
               (long)(before.free_pages - now.free_pages),
               (long)(now.heap_objects - before.heap_objects));
        exit(1);
    }
}

/* The system still works: fork and exec a program. */
static void check_alive(void)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char *argv[] = {"true", NULL};
        execv("/bin/true", argv);
        _exit(127);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Start this program in a role, with a number and up to three file
 * descriptors (-1: none); it keeps those and stdin/out/err, nothing else. */
static pid_t spawn(const char *role, long arg, int a, int b, int c)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        for (int fd = 3; fd < FDS_MAX; fd++)
            if (fd != a && fd != b && fd != c)
                close(fd);
        char s[4][24];
        snprintf(s[0], sizeof(s[0]), "%ld", arg);
        snprintf(s[1], sizeof(s[1]), "%d", a);
        snprintf(s[2], sizeof(s[2]), "%d", b);
        snprintf(s[3], sizeof(s[3]), "%d", c);
        char *argv[] = {(char *)self, (char *)role, s[0], s[1], s[2], s[3], NULL};
        execv(self, argv);
        _exit(127);
    }
    return pid;
}

static long drain(int fd)
{
    long bytes = 0;
    for (ssize_t n; (n = read(fd, scratch, sizeof(scratch))) > 0;)
        bytes += n;
    return bytes;
}

static void wait_exit(pid_t pid, int code, const char *who)
{
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != code) {
        printf("FAIL oom: the %s ended with status %x, not exit %d\n", who, status, code);
        exit(1);
    }
}

struct bystander {
    pid_t pid;
    int go;
};

static struct bystander start_bystander(long pages)
{
    int ready[2], go[2];
    CHECK_EQ(pipe(ready), 0);
    CHECK_EQ(pipe(go), 0);
    struct bystander b = {spawn("hold", pages, ready[1], go[0], -1), go[1]};
    bystander_pid = b.pid;
    close(ready[1]);
    close(go[0]);
    CHECK_EQ(read(ready[0], scratch, 1), 1); /* its pages are filled */
    close(ready[0]);
    return b;
}

static void release_bystander(struct bystander b, const char *who)
{
    close(b.go);
    wait_exit(b.pid, 0, who); /* alive, and its pages as it left them */
    bystander_pid = 0;
}

static void hog(int threads)
{
    struct memory before = memory_now();
    int progress[2];
    CHECK_EQ(pipe(progress), 0);
    pid_t pid = spawn("hog", threads, progress[1], -1, -1);
    close(progress[1]);
    long touched = drain(progress[0]) * REPORT_EVERY; /* end of file: it is gone */
    close(progress[0]);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        printf("FAIL oom: the hog ended with status %x, not killed by SIGKILL\n", status);
        exit(1);
    }
    /* It took nearly all the memory there was before it was stopped. */
    CHECK(touched >= (long)before.free_pages * 9 / 10);
    CHECK(touched <= (long)before.free_pages);
    check_back(before, threads > 1 ? "threaded hog" : "hog");
    check_alive();
    printf("oom: hog with %d thread%s killed after touching %ld of %lu free pages\n", threads,
           threads > 1 ? "s" : "", touched, before.free_pages);
}

static void cow(void)
{
    struct memory before = memory_now();
    pid_t pid = spawn("cow", 0, -1, -1, -1);
    wait_exit(pid, 0, "copy-on-write owner");
    check_back(before, "copy-on-write hog");
    check_alive();
}

struct bomb_result {
    long made, again, nomem, other;
};

/* Run a fork bomb (forking in `mode`, -1: the boot's) until every process
 * of it has been refused, call at_peak, then release it and collect every
 * process. */
static struct bomb_result bomb(int mode, void (*at_peak)(void))
{
    struct bomb_result r = {0};
    int report[2], poll[2], wait_pipe[2];
    CHECK_EQ(pipe(report), 0);
    CHECK_EQ(pipe2(poll, O_NONBLOCK), 0);
    CHECK_EQ(pipe(wait_pipe), 0);
    spawn("bomb", mode, report[1], poll[0], wait_pipe[0]);
    close(report[1]), close(poll[0]), close(wait_pipe[0]);
    /* Each process writes "f" before each fork and its refusal after the
     * last: 1 + forks - refusals processes have been or are being made,
     * and none of them is still at work when that equals the refusals.
     * ("f" after a fork that worked would race: the child could be
     * refused and report before its parent had counted it.) */
    long forks = 0, refused = 0;
    while (1 + forks - refused > refused) {
        ssize_t n = read(report[0], scratch, sizeof(scratch));
        CHECK(n > 0);
        for (ssize_t i = 0; i < n; i++) {
            char c = scratch[i];
            forks += c == 'f';
            r.again += c == 'A';
            r.nomem += c == 'M';
            r.other += c == '?';
            refused += c != 'f';
        }
    }
    r.made = 1 + forks - refused;
    if (at_peak)
        at_peak();
    close(poll[1]);
    close(wait_pipe[1]); /* go: all exit */
    /* Each bomb process comes back to us: the root as our child, the
     * others as orphans (we are their subreaper).  Only the bystander may
     * stay, asleep. */
    for (long collected = 0; collected < r.made; collected++) {
        int status;
        pid_t pid = wait(&status);
        CHECK(pid > 0 && pid != bystander_pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK_EQ(waitpid(-1, NULL, WNOHANG), bystander_pid ? 0 : -1);
    close(report[0]);
    CHECK_EQ(r.other, 0);
    return r;
}

/* Processes and threads in the table now (what ps lists). */
static long procs_now(void)
{
    long n = cowl_procs(scratch, sizeof(scratch)), lines = 0;
    CHECK(n > 0 && n < (long)sizeof(scratch));
    for (long i = 0; i < n; i++)
        lines += scratch[i] == '\n';
    return lines;
}

/* While the table is full nobody gets a new process: the limit is the
 * system's (cowl has no users). */
static void refused_at_limit(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    CHECK(pid < 0 && errno == EAGAIN);
}

/* With memory to spare, the process limit stops the bomb: every process
 * is refused with EAGAIN, and the table is exactly full. */
static void bomb_at_limit(void)
{
    struct memory before = memory_now();
    long others = procs_now();
    struct bomb_result r = bomb(-1, refused_at_limit);
    CHECK_EQ(r.nomem, 0);
    CHECK_EQ(r.made + others, CHILD_MAX);
    check_back(before, "fork bomb");
    check_alive();
    printf("oom: fork bomb: %ld processes, then EAGAIN %ld times\n", r.made, r.again);
}

/* With little memory left, memory runs out first: ENOMEM.  The bomb forks
 * eagerly (each fork copies every page of the process at once), so no
 * process ever faults after its fork, and it ends in refusals, not kills. */
static void bomb_out_of_memory(void)
{
    struct memory before = memory_now();
    struct bomb_result r = bomb(COWL_FORK_EAGER, NULL);
    CHECK_EQ(r.again, 0);
    CHECK(r.nomem > 0);
    check_back(before, "fork bomb without memory");
    check_alive();
    printf("oom: fork bomb with %lu free pages: %ld processes, then ENOMEM %ld times\n",
           before.free_pages, r.made, r.nomem);
}

/* Exiting needs no memory; the one write it makes for the process (a
 * thread's tid word) may, and without it the process is killed. */
static void thread_exit_without_memory(void)
{
    struct memory before = memory_now();
    pid_t pid = spawn("tid", 0, -1, -1, -1);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    cowl_failalloc(COWL_FAIL_OFF, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK(wait(&status) > 0); /* its child, an orphan now, ours */
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check_back(before, "thread exit without memory");
}

static int role(char **argv)
{
    long arg = atol(argv[2]);
    int a = atoi(argv[3]), b = atoi(argv[4]), c = atoi(argv[5]);
    if (!strcmp(argv[1], "hold"))
        return role_hold(arg, a, b);
    if (!strcmp(argv[1], "hog"))
        return role_hog(a, arg);
    if (!strcmp(argv[1], "cow"))
        return role_cow();
    if (!strcmp(argv[1], "tid"))
        return role_tid();
    if (!strcmp(argv[1], "bomb"))
        return role_bomb(arg, a, b, c);
    return 1;
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 6)
        return role(argv);
    prepare();
    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    long t0 = now_ms();
    struct memory before = memory_now();
    struct bystander by = start_bystander(before.free_pages / 8 * 7);
    hog(1);
    hog(2);
    cow();
    bomb_out_of_memory();
    release_bystander(by, "bystander");
    bomb_at_limit(); /* with all the memory there is */
    thread_exit_without_memory();
    check_back(before, "whole test");
    printf("oom: done in %ld ms\n", now_ms() - t0);
    return 0;
}
