/* threads.c - pthreads on clone() and futex(): create and join, a mutex
 * under contention, threads really spread over CPUs, and the rules of
 * process exit: exit_group and kill end every thread, the last thread's
 * exit ends the process, a fault in one thread ends them all, and any
 * thread may wait for the process's children. */
#include "check.h"
#ifdef __cowl__
#include <cowl.h>
#else
#include <stdint.h>
#include <sys/syscall.h>
#endif
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NT 4

#ifdef __cowl__
long __futex(volatile int *addr, int op, int val);
long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);
#else /* make test-linux: glibc has no futex call of its own */
static long __futex(volatile int *addr, int op, int val)
{
    return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}
#endif

static void *twice(void *arg) { return (void *)((long)arg * 2); }

static void create_join(void)
{
    pthread_t t[NT];
    for (long i = 0; i < NT; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, twice, (void *)(i + 1)), 0);
    for (long i = 0; i < NT; i++) {
        void *r;
        CHECK_EQ(pthread_join(t[i], &r), 0);
        CHECK_EQ((long)r, 2 * (i + 1));
    }
    /* Many short-lived threads: stacks and kernel stacks come back. */
#ifdef __cowl__
    uint64_t before, after;
    CHECK_EQ(cowl_memstat(&before, NULL), 0);
#endif
    for (int round = 0; round < 50; round++) {
        CHECK_EQ(pthread_create(&t[0], NULL, twice, (void *)1), 0);
        CHECK_EQ(pthread_join(t[0], NULL), 0);
    }
#ifdef __cowl__
    CHECK_EQ(cowl_memstat(&after, NULL), 0);
    CHECK(after + 8 >= before); /* a few pages of slack: the heap may grow once */
#endif
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile long counter;
static volatile int arrived;
static volatile int cpu_seen[NT];
#define ROUNDS 20000

static void *add_many(void *arg)
{
    long me = (long)arg;
    __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
    do /* the last to arrive records its CPU too */
        cpu_seen[me] = sched_getcpu();
    while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < NT); /* start together */
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        long v = counter; /* a read-modify-write that is only safe under the lock */
        if (i % 64 == 0)
            sched_yield(); /* let the others pile up on the mutex */
        counter = v + 1;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void mutex_counts(int ncpus)
{
    pthread_t t[NT];
    for (long i = 0; i < NT; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, add_many, (void *)i), 0);
    for (int i = 0; i < NT; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    CHECK_EQ(counter, (long)NT * ROUNDS);
    CHECK_EQ(pthread_mutex_trylock(&lock), 0);
    CHECK_EQ(pthread_mutex_trylock(&lock), EBUSY);
    CHECK_EQ(pthread_mutex_unlock(&lock), 0);
    int distinct = 0;
    for (int i = 0; i < NT; i++) {
        int seen_before = 0;
        for (int j = 0; j < i; j++)
            seen_before |= cpu_seen[j] == cpu_seen[i];
        distinct += !seen_before;
    }
    printf("threads: %d threads ran on %d of %d CPUs\n", NT, distinct, ncpus);
#ifdef __cowl__ /* placement, not POSIX: Linux balances over milliseconds, these spin for less */
    if (ncpus > 1)
        CHECK(distinct > 1); /* spinning threads must be spread out */
#endif
}

static void *spin_forever(void *arg)
{
    (void)arg;
    for (;;)
        __asm__ volatile("pause");
    return NULL;
}

static void *exit_seven(void *arg)
{
    (void)arg;
    exit(7); /* exit_group: every thread of the process */
}

static int child_status(pid_t pid)
{
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    return st;
}

static void exit_group_ends_all(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t a, b;
        pthread_create(&a, NULL, spin_forever, NULL);
        pthread_create(&b, NULL, exit_seven, NULL);
        spin_forever(NULL);
    }
    int st = child_status(pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 7);
}

static int pipe_fds[2];

static void *late_writer(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    CHECK_EQ(write(pipe_fds[1], "L", 1), 1);
    return NULL;
}

static void last_thread_ends_process(void)
{
    CHECK_EQ(pipe(pipe_fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        CHECK_EQ(pthread_create(&t, NULL, late_writer, NULL), 0);
        pthread_exit(NULL); /* the first thread goes; the process lives on */
    }
    close(pipe_fds[1]);
    int st = child_status(pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    char c = 0;
    CHECK_EQ(read(pipe_fds[0], &c, 1), 1); /* written after the first thread had exited */
    CHECK_EQ(c, 'L');
    close(pipe_fds[0]);
}

static void kill_ends_all(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        for (int i = 0; i < 3; i++)
            pthread_create(&t, NULL, spin_forever, NULL);
        spin_forever(NULL);
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    CHECK_EQ(kill(pid, SIGKILL), 0);
    int st = child_status(pid);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGKILL);
}

static volatile int *volatile null_page = (volatile int *)8;

static void *touch_null(void *arg)
{
    (void)arg;
    return (void *)(long)*null_page;
}

static void fault_ends_all(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, spin_forever, NULL);
        pthread_create(&t, NULL, touch_null, NULL);
        spin_forever(NULL);
    }
    int st = child_status(pid);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGSEGV);
}

static volatile int forked_pid;

static void *fork_child(void *arg)
{
    (void)arg;
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    forked_pid = pid;
    return NULL;
}

/* Children belong to the process: a child forked by one thread is waited
 * for by another; and descriptors opened by one thread work in another. */
static void shared_process_state(void)
{
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, fork_child, NULL), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
    int st = child_status(forked_pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
}

/* Threads fault on the same fresh pages at once: each page (and each page
 * table under them) must be installed once, with every thread's write. */
#define FAULT_PAGES 256
static volatile char *fault_area;
static volatile int fault_go;

static void *touch_all(void *arg)
{
    long t = (long)arg;
    while (!fault_go)
        ;
    for (long p = 0; p < FAULT_PAGES; p++)
        fault_area[p * 4096 + t] = (char)(t + 1);
    return NULL;
}

static void concurrent_faults(void)
{
    fault_area =
        mmap(NULL, FAULT_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(fault_area != MAP_FAILED);
    pthread_t t[NT];
    for (long i = 0; i < NT; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, touch_all, (void *)i), 0);
    fault_go = 1;
    for (int i = 0; i < NT; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    for (long p = 0; p < FAULT_PAGES; p++)
        for (long i = 0; i < NT; i++)
            CHECK_EQ(fault_area[p * 4096 + i], i + 1);
    CHECK_EQ(munmap((void *)fault_area, FAULT_PAGES * 4096), 0);
}

static void bad_calls(void)
{
    static int word __attribute__((aligned(8))) = 5;
    CHECK_EQ(__futex((volatile int *)((char *)&word + 1), 0, 5), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(__futex(&word, 0, 6), -1); /* the word is not 6: no sleep */
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(__futex((volatile int *)0x10, 0, 0), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(__futex(&word, 1, 1), 0); /* nobody to wake */
    CHECK_EQ(__futex(&word, 99, 0), -1);
    CHECK_EQ(errno, ENOSYS);
#ifdef __cowl__ /* on Linux these flags make a process or a real thread */
    /* Raw clone calls (a failing one returns in this thread only): a
     * process-style clone, TLS, a stack that is not user memory, a bad
     * tid address in the kernel's half. */
    static char stack[4096] __attribute__((aligned(16)));
    long top = (long)(stack + sizeof(stack));
    CHECK_EQ(__syscall(56, 0x11, top, 0, 0, 0, 0), -EINVAL);
    CHECK_EQ(__syscall(56, 0x10f00, top, 0, 0, 0x1000, 0), -EINVAL);
    CHECK_EQ(__syscall(56, 0x10f00, (long)0xffff800000001000ul, 0, 0, 0, 0), -EINVAL);
    CHECK_EQ(__syscall(56, 0x10f00, top + 8, 0, 0, 0, 0), -EINVAL);
    long kernel = (long)0xffff800000000000ul;
    CHECK_EQ(__syscall(56, 0x10f00 | 0x200000, top, 0, kernel, 0, 0), -EFAULT);
    CHECK_EQ(__syscall(56, 0x10f00 | 0x100000, top, kernel, 0, 0, 0), -EFAULT);
#endif
}

int main(void)
{
#ifdef __cowl__
    struct cpu_stats st[8];
    int ncpus = cowl_cpustat(st, 8);
#else
    cpu_set_t set; /* the CPUs this process may run on */
    CHECK_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
    int ncpus = CPU_COUNT(&set);
#endif
    CHECK(ncpus >= 1);
    create_join();
    mutex_counts(ncpus);
    exit_group_ends_all();
    last_thread_ends_process();
    kill_ends_all();
    fault_ends_all();
    shared_process_state();
    concurrent_faults();
    bad_calls();
    printf("threads: ok\n");
    return 0;
}
