/* sysfuzz - a seeded system-call fuzzer.  Random calls with random and
 * adversarial arguments (bad pointers, kernel addresses, huge lengths,
 * closed descriptors, unknown numbers), from several processes and
 * threads at once, mixed with fork, exec and exit.  The kernel must answer
 * every call with a result or an error, never panic, and give every page
 * back when the processes are gone (the test runner checks that after
 * user/sysfuzz, with the reference-count auditor).
 *
 *   sysfuzz [-s SEED] [-n CALLS] [-d SECONDS] [-p PROCS] [-t THREADS] [-w W] [-c CASE]
 *           [-f PPM] [-v]
 *
 * -f PPM also makes each allocation the workers' calls need fail with
 * probability PPM/1000000 (fault injection, mm/failalloc.h): then a worker
 * may be killed for want of memory or see its own calls fail, which is
 * not counted against it; what is judged is the kernel (no panic, every
 * page back, the audit clean).
 *
 * Every thread draws its calls from its own generator, seeded from SEED and
 * its place (process i, thread j): rerunning with the same SEED replays the
 * same call sequence in each thread (the interleaving between threads is
 * up to the scheduler).  -w W runs only worker process W of those, to
 * replay one; -c CASE makes only calls of one kind (the case numbers of
 * one_call).  -v prints every call before it is made (and its result
 * after), so the last line before a panic names the call that caused it.
 *
 * Calls that would only stop the fuzzer itself are kept out on purpose:
 * blocking reads of pipes (every pipe it can get is O_NONBLOCK) and the console, munmap/mprotect of
 * its own code and stack (only a playground region and bogus addresses are used), brk below its
 * heap, kill of processes it did not create, clone with random flags (threads are made through
 * pthread_create), signal handlers at random addresses, timers that would fire (SIGALRM ends a
 * process), sigsuspend and pause with nothing to wake them.  Those are not bugs when they hurt the
 * caller.  A bogus frame for rt_sigreturn is tried in a child of its own, which it must kill. */
#include "../include/bench.h"
#include <cowl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

#define PAGE        4096ul
#define PLAYGROUND  0x0000500000000000ul /* + 16 MiB per process: mmap games here */
#define PLAY_SIZE   (16ul << 20)
#define MAX_THREADS 8

struct fuzzer {
    uint64_t rng;
    long calls;
    int id;
};

static uint64_t seed = 1;
static long calls_per_thread = 2000;
static long deadline_ns; /* 0: none */
static int nprocs = 2, nthreads = 2, verbose, only_worker = -1, only_case = -1;
static long fail_ppm; /* -f */
static char *arena;   /* 5 pages: RW, RO, NONE, RW, NONE (a cliff after the 4th) */
static uint64_t playground;
static volatile uint32_t futex_word = 7;

static uint64_t next(struct fuzzer *f)
{
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return f->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(struct fuzzer *f, uint64_t n) { return next(f) % n; }

/* A pointer argument: sometimes good, mostly not. */
static long ptr(struct fuzzer *f)
{
    switch (pick(f, 10)) {
    case 0:
        return 0;
    case 1:
        return (long)0xffffffff80100000ul; /* kernel text */
    case 2:
        return (long)0xffff800000001000ul; /* direct map */
    case 3:
        return (long)0x0000800000000000ul; /* non-canonical */
    case 4:
        return (long)(arena + PAGE); /* read-only */
    case 5:
        return (long)(arena + 2 * PAGE); /* no access */
    case 6:
        return (long)(arena + 4 * PAGE - pick(f, 64)); /* runs off a cliff */
    case 7:
        return (long)0x0000600000000000ul; /* unmapped (until huge mmaps reach it) */
    case 8:
        return (long)(arena + pick(f, PAGE)); /* fine */
    default:
        return (long)next(f); /* anything */
    }
}

/* A pointer the kernel can neither read nor write. */
static long bad_ptr(struct fuzzer *f)
{
    static const long bad[] = {0,
                               (long)0xffffffff80100000ul,
                               (long)0xffff800000001000ul,
                               (long)0x0000800000000000ul,
                               (long)0xfff8ul, /* below USER_MIN: never mappable */
                               1};
    return pick(f, 4) ? bad[pick(f, 6)] : (long)(arena + 2 * PAGE); /* or the no-access page */
}

/* An address for mmap, mprotect and munmap: in the playground, or bogus. */
static long map_addr(struct fuzzer *f)
{
    static const long bogus[] = {
        0, (long)0xffffffff80100000ul, (long)0x0000800000000000ul, (long)0x00007ffffffff000ul,
        1, (long)0xfffffffffffff000ul};
    return pick(f, 3) ? (long)(playground + pick(f, 4096) * PAGE) : bogus[pick(f, 6)];
}

static long len(struct fuzzer *f)
{
    switch (pick(f, 6)) {
    case 0:
        return 0;
    case 1:
        return 1 + (long)pick(f, 64);
    case 2:
        return (long)PAGE;
    case 3:
        return -1;
    case 4:
        return (long)(1ul << 40);
    default:
        return (long)pick(f, 3 * PAGE);
    }
}

/* A descriptor: never 0 (the console: reads would block). */
static long fd(struct fuzzer *f)
{
    switch (pick(f, 5)) {
    case 0:
        return -1;
    case 1:
        return 1000;
    case 2:
        return (long)(int)next(f);
    default:
        return 3 + (long)pick(f, 14);
    }
}

/* Paths: the fuzzer may create, write, truncate and remove only its own,
 * under /fz; the system's files are only looked at (stat, open read-only,
 * chdir, exec of a non-program), so that what it does to the file system
 * is undone by removing /fz. */
static const char *const own_paths[] = {"/fz",     "/fz/a", "/fz/a/b",        "/fz/f",
                                        "/fz/a/f", "",      "/nonexistent/x", "/fz/f/x"};
static const char *const system_paths[] = {"/etc/motd", "/bin", "/", "/etc", "/tests"};

/* For calls that create or remove: our names, or pointers the kernel cannot
 * read (never bytes from the arena, which could spell any name). */
static long own_path(struct fuzzer *f)
{
    return pick(f, 4) ? (long)own_paths[pick(f, 8)] : bad_ptr(f);
}

/* For calls that only look: anything. */
static long any_path(struct fuzzer *f)
{
    switch (pick(f, 3)) {
    case 0:
        return (long)system_paths[pick(f, 5)];
    case 1:
        return (long)own_paths[pick(f, 8)];
    default:
        return ptr(f);
    }
}

/* p if it is one of our names (or unreadable), else 0. */
static long own_path_of(long p)
{
    for (int i = 0; i < 8; i++)
        if (p == (long)own_paths[i])
            return p;
    for (int i = 0; i < 5; i++)
        if (p == (long)system_paths[i])
            return 0;
    return p < 0x10000 || p >= (long)0x0000800000000000ul || p == (long)(arena + 2 * PAGE) ? p : 0;
}

/* Signal sets for rt_sigprocmask and rt_sigsuspend. */
static uint64_t fuzz_set[4] = {0, ~0ull, 1ull << 16, 0x5555555555555555ull};

/* What rt_sigaction may install: SIG_IGN or SIG_DFL with any flags and
 * mask, or nothing (NULL, a bad pointer). */
static long safe_action(struct fuzzer *f)
{
    static uint64_t act[4][4]; /* struct k_sigaction: handler, flags, restorer, mask */
    uint64_t *a = act[f->id % 4];
    if (pick(f, 3) == 0)
        return pick(f, 2) ? 0 : bad_ptr(f);
    a[0] = pick(f, 2);      /* SIG_DFL or SIG_IGN */
    a[1] = next(f);         /* any flags */
    a[2] = next(f);         /* any restorer: never used */
    a[3] = next(f);         /* any mask */
    return (long)a;
}

/* A child that hands rt_sigreturn a frame of junk: the kernel must end it
 * with SIGSEGV (and run on). */
static void bogus_sigreturn(struct fuzzer *f)
{
    static uint64_t junk[512];
    for (int i = 0; i < 512; i++)
        junk[i] = pick(f, 4) ? next(f) : pick(f, 2) ? 0x2b : 0x23ull << 48 | 0x2b;
    __asm__ volatile("mov %0, %%rsp\n"
                     "mov $15, %%eax\n"
                     "syscall\n"
                     "ud2\n" ::"r"(&junk[256])
                     : "memory");
}

/* One system call with arguments from f; returns the kernel's answer. */
static long one_call(struct fuzzer *f)
{
    long a = 0, b = 0, c = 0, d, nr;
    uint64_t which = pick(f, 42);
    if (only_case >= 0)
        which = (uint64_t)only_case;
    switch (which) {
    case 0:
        nr = 0, a = fd(f), b = ptr(f), c = len(f);
        break; /* read: files, bad fds */
    case 1:
        nr = 1, a = fd(f), b = ptr(f), c = len(f);
        break; /* write: files, bad fds */
    case 2:
        nr = 2, a = pick(f, 2) ? own_path(f) : any_path(f); /* open */
        b = (long)pick(f, 0x1000), c = 0644;
        if (a != own_path_of(a))
            b = 0; /* read-only: it may create or truncate only our own files */
        break;
    case 3:
        nr = 3, a = fd(f);
        break; /* close */
    case 4:
        nr = 4, a = any_path(f), b = ptr(f);
        break; /* stat */
    case 5:
        nr = 5, a = fd(f), b = ptr(f);
        break; /* fstat */
    case 6:
        nr = 8, a = fd(f), b = (long)next(f), c = (long)pick(f, 5) - 1;
        break; /* lseek */
    case 7:
        nr = 9, a = map_addr(f); /* mmap */
        b = len(f), c = (long)pick(f, 8);
        d = pick(f, 2) ? 0x22 : (long)next(f) & 0xff;
        if (verbose)
            printf("sysfuzz %d: call 9 (0x%lx, 0x%lx, 0x%lx, 0x%lx)\n", f->id, a, b, c, d);
        return __syscall(nr, a, b, c, d, -1, 0);
    case 8:
        nr = 10, a = map_addr(f), b = len(f), c = (long)pick(f, 8);
        break; /* mprotect */
    case 9:
        nr = 11, a = map_addr(f), b = len(f);
        break; /* munmap */
    case 10:
        nr = 12, a = pick(f, 2) ? 0 : (long)0xffffffff80000000ul;
        break; /* brk */
    case 11:
        /* pipe with a bad pointer, or pipe2 half on the cliff, so that the
         * kernel must give back a pair it could not report.  Neither may
         * ever give us a pipe (the kernel reserves the numbers and opens
         * them only after the copy); O_NONBLOCK is there in case one did:
         * a process holding both ends of a blocking pipe waits forever. */
        nr = 22, a = bad_ptr(f);
        if (pick(f, 2))
            nr = 293, a = (long)(arena + 4 * PAGE - 4), b = O_NONBLOCK;
        break;
    case 12:
        nr = 32, a = fd(f);
        break; /* dup */
    case 13:
        nr = 33, a = fd(f), b = 3 + (long)pick(f, 20);
        break; /* dup2 */
    case 14:
        /* nanosleep: 1 us, or pointers outside user space (a readable
         * pointer could hold any time at all: a legal sleep of hours) */
        nr = 35, a = pick(f, 2) ? 0 : (long)0xffffffff80100000ul, b = ptr(f);
        if (pick(f, 2)) {
            static const struct timespec us = {0, 1000};
            a = (long)&us;
        }
        break;
    case 15:
        nr = 61, a = pick(f, 2) ? -1 : (long)(int)next(f), b = ptr(f);
        c = 1 | (long)pick(f, 16);
        break; /* wait4, always WNOHANG */
    case 16:
        nr = 62, a = (pick(f, 2) ? -1 : 1) * (100000 + (long)pick(f, 9));
        b = (long)pick(f, 70) - 2;
        break; /* kill: no process or group that exists (0 would be our own
                * group); bad signal numbers too */
    case 17:
        nr = 79, a = ptr(f), b = len(f);
        break; /* getcwd */
    case 18:
        nr = 80, a = any_path(f);
        break; /* chdir */
    case 19:
        nr = 83, a = own_path(f), b = 0755;
        break; /* mkdir */
    case 20:
        nr = 87, a = own_path(f);
        break; /* unlink */
    case 21:
        nr = 217, a = fd(f), b = ptr(f), c = len(f);
        break; /* getdents64 */
    case 22:
        nr = 228, a = (long)pick(f, 8) - 2, b = ptr(f);
        break; /* clock_gettime */
    case 23:
        nr = 202, a = pick(f, 2) ? ptr(f) : (long)&futex_word; /* futex: never sleeps */
        b = (long)pick(f, 4), c = 8;                           /* WAIT with 8 != 7 returns EAGAIN */
        if (b == 0 && a != (long)&futex_word)
            b = 1;
        break;
    case 24:
        nr = 309, a = ptr(f), b = ptr(f);
        break; /* getcpu */
    case 25:
        nr = 59, a = any_path(f), b = ptr(f), c = ptr(f); /* execve: never a program */
        break;
    case 26:
        nr = 500 + (long)pick(f, 6), a = ptr(f), b = len(f);
        break; /* cowl_* */
    case 27:
        nr = 505, a = (long)pick(f, 40) - 4, b = ptr(f), c = len(f);
        break; /* ptdump */
    case 28:
        nr = pick(f, 2) ? 1000 + (long)pick(f, 100000) : -(long)pick(f, 1000);
        a = (long)next(f), b = (long)next(f), c = (long)next(f);
        break; /* no such call */
    case 29:
        nr = 86, a = own_path(f), b = own_path(f);
        break; /* link: both names ours, so no system file gets a name we may write */
    case 30:
        nr = 21, a = any_path(f), b = (long)pick(f, 10) - 1;
        break; /* access: -1 and 8, 9 are bad modes */
    case 31:
        nr = 84, a = own_path(f);
        break; /* rmdir */
    case 33:
        /* rt_sigaction: bad signals (KILL, STOP, 0, 65 and past), bad
         * pointers, bad sizes; the actions it may install are SIG_IGN and
         * SIG_DFL only (a random handler would run on the next SIGCHLD) */
        nr = 13, a = (long)pick(f, 70) - 2, b = safe_action(f), c = ptr(f);
        d = pick(f, 4) ? 8 : (long)next(f);
        if (verbose)
            printf("sysfuzz %d: call 13 (0x%lx, 0x%lx, 0x%lx, 0x%lx)\n", f->id, a, b, c, d);
        return __syscall(nr, a, b, c, d, 0, 0);
    case 34:
        /* rt_sigprocmask: any how, any set (blocking a signal is harmless:
         * SIGSEGV blocked still kills on a fault), bad pointers and sizes */
        nr = 14, a = (long)pick(f, 5) - 1, b = pick(f, 2) ? ptr(f) : (long)&fuzz_set[pick(f, 4)];
        c = ptr(f), d = pick(f, 4) ? 8 : (long)pick(f, 20);
        if (verbose)
            printf("sysfuzz %d: call 14 (0x%lx, 0x%lx, 0x%lx, 0x%lx)\n", f->id, a, b, c, d);
        return __syscall(nr, a, b, c, d, 0, 0);
    case 35:
        nr = 127, a = ptr(f), b = pick(f, 4) ? 8 : (long)next(f);
        break; /* rt_sigpending */
    case 36:
        /* rt_sigsuspend and the timers, with arguments they must refuse:
         * a valid mask would sleep forever, a valid timer end the worker */
        switch (pick(f, 4)) {
        case 0:
            nr = 130, a = bad_ptr(f), b = 8;
            break;
        case 1:
            nr = 130, a = (long)&fuzz_set[0], b = pick(f, 2) ? 0 : 9 + (long)pick(f, 100);
            break;
        case 2:
            nr = 38, a = pick(f, 2) ? 0 : (long)pick(f, 10) - 3, b = bad_ptr(f), c = bad_ptr(f);
            break; /* setitimer */
        default:
            nr = 36, a = (long)pick(f, 10) - 3, b = ptr(f);
            break; /* getitimer */
        }
        break;
    case 37:
        /* tkill/tgkill: no such thread, bad numbers, or ourselves with a
         * signal we ignore (0, SIGCHLD, SIGURG, SIGWINCH, SIGCONT) */
        if (pick(f, 2)) {
            static const long harmless[] = {0, 17, 23, 28, 18};
            nr = 234, a = getpid(), b = gettid(), c = harmless[pick(f, 5)];
        } else {
            nr = pick(f, 2) ? 200 : 234;
            a = pick(f, 2) ? 100000 + (long)pick(f, 9) : -(long)pick(f, 3);
            b = pick(f, 2) ? 100000 + (long)pick(f, 9) : (long)pick(f, 70) - 2;
            c = (long)pick(f, 70) - 2;
        }
        break;
    case 38:
        nr = 37, a = 0;
        break; /* alarm(0): disarms; a real alarm would end the worker */
    case 40:
        /* arch_prctl: ARCH_GET_FS into any pointer, unknown codes, and
         * ARCH_SET_FS only with bases the kernel must refuse (EPERM): a
         * base it took would leave this thread without its errno. */
        nr = 158, a = pick(f, 2) ? 0x1003 : (long)pick(f, 0x2000), b = ptr(f);
        if (a == 0x1002 || pick(f, 3) == 0)
            a = 0x1002, b = (long)(next(f) | 0x0000800000000000ul) - (long)pick(f, 2) * 4096;
        break;
    case 41: {
        /* Process groups and sessions (a worker may move itself or its
         * children, or leave the test's session), and the terminal ioctls
         * on any descriptor with any pointer. */
        static const long calls[] = {109, 111, 112, 121, 124, 16};
        static const long ids[] = {0, -1, 1, 100003, -100003};
        nr = calls[pick(f, 6)];
        a = pick(f, 4) ? ids[pick(f, 5)] : (long)(int)next(f);
        b = pick(f, 4) ? ids[pick(f, 5)] : (long)(int)next(f);
        if (nr == 16)
            a = pick(f, 2) ? (long)pick(f, 3) : fd(f),
            b = pick(f, 3) ? 0x540f + (long)pick(f, 2) : (long)next(f), c = ptr(f);
        break;
    }
    default:
        nr = 24;
        break; /* sched_yield */
    }
    if (nr == 502) /* cowl_fork_mode: a valid mode, or it changes later forks' cost only */
        a = (long)pick(f, 5) - 1;
    if (verbose)
        printf("sysfuzz %d: call %ld (0x%lx, 0x%lx, 0x%lx)\n", f->id, nr, a, b, c);
    long r = __syscall(nr, a, b, c, (long)next(f), (long)next(f), (long)next(f));
    if (verbose)
        printf("sysfuzz %d:   = %ld\n", f->id, r);
    return r;
}

/* Call after call; now and then touch the playground (faults), fork a child
 * that fuzzes a little and exits, or exec /bin/true from one. */
static void fuzz(struct fuzzer *f)
{
    for (long i = 0; i < calls_per_thread; i++) {
        if (deadline_ns && (i & 63) == 0 && now_ns() > deadline_ns)
            break;
        uint64_t what = pick(f, 100);
        if (what == 0 && f->id < 1000) { /* a short-lived child */
            pid_t pid = fork();
            if (pid == 0) {
                struct fuzzer g = {f->rng ^ 0x9e3779b97f4a7c15ull, 0, f->id + 1000};
                for (int k = 0; k < 50; k++)
                    one_call(&g);
                if (pick(&g, 2)) {
                    char *argv[] = {"true", NULL};
                    execv("/bin/true", argv);
                }
                _exit(0);
            }
            if (pid > 0 && pick(f, 2))
                waitpid(pid, NULL, 0); /* else a zombie until wait4(-1) or the end */
        } else if (what == 1 && f->id < 1000) { /* a child with a bogus signal frame */
            pid_t pid = fork();
            if (pid == 0)
                bogus_sigreturn(f);
            if (pid > 0)
                waitpid(pid, NULL, 0);
        } else {
            one_call(f);
        }
        f->calls++;
    }
}

static void *thread_main(void *arg)
{
    fuzz(arg);
    return NULL;
}

/* One fuzzing process: threads share its descriptors and address space. */
static int worker(int w)
{
    static struct fuzzer fz[MAX_THREADS];
    static pthread_t th[MAX_THREADS];
    /* The arena must be exactly as described, or a "bad" pointer could be a
     * good one (a pipe() into a writable page gives a pipe whose reads
     * block forever): set up and checked before any allocation may fail. */
    arena = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED || mprotect(arena + PAGE, PAGE, PROT_READ) ||
        mprotect(arena + 2 * PAGE, PAGE, PROT_NONE) || mprotect(arena + 4 * PAGE, PAGE, PROT_NONE))
        return 1;
    if (fail_ppm && cowl_failalloc(COWL_FAIL_PPM, fail_ppm))
        return 1;
    playground = PLAYGROUND + (uint64_t)w * PLAY_SIZE;
    for (int t = 0; t < nthreads; t++) {
        fz[t].rng = (seed + 1) * 0x9e3779b97f4a7c15ull + (uint64_t)w * 131 + (uint64_t)t * 7919;
        fz[t].id = w * 10 + t;
        if (t > 0 && pthread_create(&th[t], NULL, thread_main, &fz[t]))
            return 1;
    }
    fuzz(&fz[0]);
    long calls = fz[0].calls;
    for (int t = 1; t < nthreads; t++) {
        pthread_join(th[t], NULL);
        calls += fz[t].calls;
    }
    while (wait(NULL) > 0) /* the children it left */
        ;
    printf("sysfuzz: worker %d: %ld calls\n", w, calls);
    return calls > 0 ? 0 : 1;
}

/* Innermost first; what does not exist just fails. */
static void remove_own_files(void)
{
    static const char *const order[] = {"/fz/a/b", "/fz/a/f", "/fz/f/x", "/fz/a", "/fz/f", "/fz"};
    for (int i = 0; i < 6; i++) {
        unlink(order[i]);
        rmdir(order[i]);
    }
}

static const char usage_line[] = "usage: sysfuzz [-s SEED] [-n CALLS] [-d SECONDS] [-p PROCS] "
                                 "[-t THREADS] [-w W] [-c CASE] [-f PPM] [-v]\n";

int main(int argc, char **argv)
{
    seed = (uint64_t)now_ns();
    long seconds = 0;
    int opt;
    while ((opt = getopt(argc, argv, "s:n:d:p:t:w:c:f:vh")) != -1) {
        switch (opt) {
        case 's':
            seed = (uint64_t)atol(optarg);
            break;
        case 'n':
            calls_per_thread = atol(optarg);
            break;
        case 'd':
            seconds = atol(optarg);
            break;
        case 'p':
            nprocs = atoi(optarg);
            break;
        case 't':
            nthreads = atoi(optarg);
            break;
        case 'w':
            only_worker = atoi(optarg);
            break;
        case 'c':
            only_case = atoi(optarg);
            break;
        case 'f':
            fail_ppm = atol(optarg);
            break;
        case 'v':
            verbose = 1;
            break;
        case 'h':
            printf("%s", usage_line);
            return 0;
        default:
            goto usage;
        }
    }
    if (optind < argc)
        goto usage;
    if (nprocs < 1 || nprocs > 16 || nthreads < 1 || nthreads > MAX_THREADS)
        goto usage;
    if (seconds) {
        deadline_ns = now_ns() + seconds * 1000000000L;
        calls_per_thread = 1L << 60;
    }
    printf("sysfuzz: seed=%lu procs=%d threads=%d calls=%ld%s\n", (unsigned long)seed, nprocs,
           nthreads, seconds ? 0 : calls_per_thread * nprocs * nthreads, seconds ? " (timed)" : "");
    for (int d = 3; d < 16; d++) /* what we inherited (a shell's pipes) could block reads */
        close(d);
    remove_own_files();
    long t0 = now_ns();
    for (int w = 0; w < nprocs; w++) {
        if (only_worker >= 0 && w != only_worker)
            continue;
        pid_t pid = fork();
        if (pid == 0)
            _exit(worker(w));
        if (pid < 0) {
            perror("sysfuzz: fork");
            return 1;
        }
    }
    int bad = 0, status;
    long ended_badly = 0;
    while (wait(&status) > 0) {
        int failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        ended_badly += failed;
        bad |= failed && !fail_ppm; /* under -f a worker may rightly die */
    }
    if (fail_ppm) {
        printf("sysfuzz: allocation failures injected %ld; workers that did not end normally "
               "%ld\n",
               cowl_failalloc(COWL_FAIL_STATUS, 0), ended_badly);
        cowl_failalloc(COWL_FAIL_OFF, 0);
    }
    long ms = (now_ns() - t0) / 1000000;
    remove_own_files();
    printf("sysfuzz: done seed=%lu elapsed_ms=%ld %s\n", (unsigned long)seed, ms,
           bad ? "a worker failed" : "ok");
    return bad;

usage:
    fprintf(stderr, "%s", usage_line);
    return 2;
}
