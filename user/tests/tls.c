/* tls.c - per-thread errno and the thread pointer behind it: threads that
 * fail different calls at the same time each read their own errno back;
 * arch_prctl(ARCH_SET_FS) refuses a base outside user space with EPERM
 * (a non-canonical one would make the kernel's wrmsr fault), ARCH_GET_FS
 * with a bad pointer gives EFAULT; a forked child keeps the thread
 * pointer; on cowl a thread pointer set by hand is kept across switches,
 * and clone refuses a bad CLONE_SETTLS base. */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __cowl__
#include "uapi/prctl.h"
#include "uapi/sched.h"
long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);
#else
#include <asm/prctl.h>
#include <sys/syscall.h>
#endif

#define NT     4
#define ROUNDS 2000

static long arch_prctl_call(int code, uint64_t addr)
{
#ifdef __cowl__
    long r = __syscall(158, code, (long)addr, 0, 0, 0, 0);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
#else
    return syscall(SYS_arch_prctl, code, addr);
#endif
}

static volatile int go;

/* Thread i fails a call whose errno is its own, then yields so that the
 * others run (and fail theirs) before it looks. */
static void *fail_own_way(void *arg)
{
    long i = (long)arg;
    while (!go)
        sched_yield();
    for (int r = 0; r < ROUNDS; r++) {
        switch (i) {
        case 0:
            CHECK_EQ(close(-1), -1); /* EBADF */
            break;
        case 1:
            CHECK_EQ(open("/no/such/file", O_RDONLY), -1); /* ENOENT */
            break;
        case 2:
            CHECK_EQ(lseek(0x7fff, 0, SEEK_SET), -1); /* EBADF too: then set it by hand */
            errno = 1000 + r;
            break;
        default:
            errno = -r; /* any value at all, by hand */
            break;
        }
        int want = i == 0 ? EBADF : i == 1 ? ENOENT : i == 2 ? 1000 + r : -r;
        sched_yield();
        if (errno != want) {
            printf("FAIL thread %ld round %d: errno %d, want %d\n", i, r, errno, want);
            exit(1);
        }
    }
    return NULL;
}

static void errno_per_thread(void)
{
    pthread_t t[NT];
    errno = 4242;
    for (long i = 0; i < NT; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, fail_own_way, (void *)i), 0);
    go = 1;
    for (int i = 0; i < NT; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    CHECK_EQ(errno, 4242); /* the main thread's own, untouched by the others */
}

/* Addresses no thread pointer may have: Linux says EPERM for all. */
static void bad_bases(void)
{
    uint64_t base = 0;
    CHECK_EQ(arch_prctl_call(ARCH_GET_FS, (uint64_t)&base), 0);
    CHECK(base != 0);
    static const uint64_t bad[] = {0x0000800000000000ull, 0x0000fffffffff000ull,
                                   0xffff800000000000ull, 0xffffffff80000000ull,
                                   0x8000000000000000ull, 0x00007ffffffff000ull};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errno = 0;
        CHECK_EQ(arch_prctl_call(ARCH_SET_FS, bad[i]), -1);
        CHECK_EQ(errno, EPERM);
    }
    uint64_t now = 0;
    CHECK_EQ(arch_prctl_call(ARCH_GET_FS, (uint64_t)&now), 0);
    CHECK_EQ(now, base); /* refused calls changed nothing */
    CHECK_EQ(arch_prctl_call(ARCH_GET_FS, 0), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(arch_prctl_call(ARCH_GET_FS, 0xffff800000000000ull), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(arch_prctl_call(0x1fff, 0), -1);
    CHECK_EQ(errno, EINVAL);
}

/* fork copies the thread pointer: the child's errno works and is its own. */
static void fork_keeps_base(void)
{
    uint64_t base = 0;
    CHECK_EQ(arch_prctl_call(ARCH_GET_FS, (uint64_t)&base), 0);
    errno = 77;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        uint64_t mine = 0;
        if (arch_prctl_call(ARCH_GET_FS, (uint64_t)&mine) != 0 || mine != base || errno != 77)
            _exit(1);
        errno = 5;
        _exit(close(-1) == -1 && errno == EBADF ? 0 : 2);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
    CHECK_EQ(errno, 77);
}

#ifdef __cowl__
/* A thread pointer of our own making: it stays while other threads run
 * and switch (the scheduler saves and loads it); errno lands in it. */
struct block {
    struct block *self;
    int err;
    void *thread;
};

static void *busy(void *arg)
{
    for (int i = 0; i < 200; i++)
        sched_yield();
    return arg;
}

static void own_base(void)
{
    static struct block mine = {.self = &mine};
    uint64_t old = 0;
    CHECK_EQ(arch_prctl_call(ARCH_GET_FS, (uint64_t)&old), 0);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, busy, NULL), 0);
    long r = __syscall(158, ARCH_SET_FS, (long)&mine, 0, 0, 0, 0);
    for (int i = 0; i < 200 && r == 0; i++) {
        sched_yield();
        uint64_t fs0;
        __asm__ volatile("mov %%fs:0, %0" : "=r"(fs0));
        if (fs0 != (uint64_t)&mine)
            r = -1000;
    }
    close(-1); /* errno -> mine.err */
    __syscall(158, ARCH_SET_FS, (long)old, 0, 0, 0, 0);
    CHECK_EQ(r, 0);
    CHECK_EQ(mine.err, EBADF);
    CHECK_EQ(pthread_join(t, NULL), 0);

    /* clone with a thread pointer outside user space: EPERM, no thread. */
    static char stack[4096] __attribute__((aligned(16)));
    long top = (long)(stack + sizeof(stack)), flags = CLONE_THREAD_FLAGS | CLONE_SETTLS;
    CHECK_EQ(__syscall(56, flags, top, 0, 0, (long)0x0000800000000000ul, 0), -EPERM);
    CHECK_EQ(__syscall(56, flags, top, 0, 0, (long)0xffffffff80000000ul, 0), -EPERM);
}
#endif

int main(void)
{
    errno_per_thread();
    bad_bases();
    fork_keeps_base();
#ifdef __cowl__
    own_base();
#endif
    printf("tls: ok\n");
    return 0;
}
