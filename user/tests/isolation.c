/* isolation.c - one process cannot reach another's memory or the kernel's,
 * and a stack that overflows runs into a guard page, not into other memory.
 *
 * segv.c checks that touching a forbidden address kills the process; this
 * test checks what the protection is for: that the data on the other side
 * stays as it was.
 *   - fork, in every fork mode: a child's writes never reach its parent, a
 *     parent's writes after the fork never reach the child, and a page the
 *     parent maps after the fork does not exist in the child;
 *   - read() and write() refuse kernel pointers with EFAULT and change
 *     nothing, even for a pointer to this process's own page-table entry
 *     through the kernel's direct map, which stays as it was;
 *   - a runaway recursion on the main stack and on a thread's stack dies
 *     with SIGSEGV in the page just below that stack: each frame reports its
 *     address to the parent through a pipe, and the lowest one reported must
 *     lie inside the stack and within a frame of its bottom. */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __cowl__
#include <cowl.h>
#endif

#define PAGE 4096ul

static int wait_status(pid_t pid)
{
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    return status;
}

static int exited_ok(int st) { return WIFEXITED(st) && WEXITSTATUS(st) == 0; }
static int killed_by(int st, int sig) { return WIFSIGNALED(st) && WTERMSIG(st) == sig; }

/* ---- Another process's memory */

static char global_secret[32];

struct secrets {
    char *where[4]; /* data segment, heap, mmap, stack */
};

static void set_all(struct secrets *s, const char *value)
{
    for (int i = 0; i < 4; i++)
        strcpy(s->where[i], value);
}

static int all_equal(struct secrets *s, const char *value)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s->where[i], value))
            return 0;
    return 1;
}

/* The child writes over every copy of the secret; the parent's stay. */
static void child_writes_stay_in_child(struct secrets *s)
{
    set_all(s, "parent");
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        int saw_parent = all_equal(s, "parent"); /* its own copy, as of the fork */
        set_all(s, "child");
        _exit(saw_parent && all_equal(s, "child") ? 0 : 1);
    }
    CHECK(exited_ok(wait_status(pid)));
    CHECK(all_equal(s, "parent"));
}

/* The parent writes after the fork; the child still sees the old values. */
static void parent_writes_stay_in_parent(struct secrets *s)
{
    int go[2];
    CHECK_EQ(pipe(go), 0);
    set_all(s, "before");
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char c;
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(2);
        _exit(all_equal(s, "before") ? 0 : 1);
    }
    close(go[0]);
    set_all(s, "after");
    CHECK_EQ(write(go[1], "g", 1), 1);
    close(go[1]);
    CHECK(exited_ok(wait_status(pid)));
    CHECK(all_equal(s, "after"));
}

/* Is p readable by this process?  The kernel copies from it for write(),
 * so an unmapped or PROT_NONE page gives EFAULT instead of a fault. */
static int readable_via(int fds[2], const void *p)
{
    char c;
    if (write(fds[1], p, 1) == 1)
        return read(fds[0], &c, 1) == 1;
    return errno == EFAULT ? 0 : -1;
}

/* A page the parent maps after the fork is not in the child at all. */
static void later_mapping_is_not_in_child(void)
{
    int addr_pipe[2];
    CHECK_EQ(pipe(addr_pipe), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char *p;
        int probe[2];
        close(addr_pipe[1]);
        if (read(addr_pipe[0], &p, sizeof(p)) != sizeof(p) || pipe(probe))
            _exit(2);
        if (readable_via(probe, p) != 0)
            _exit(3); /* the kernel could read it for us: it is mapped */
        *(volatile char *)p = 'c';
        _exit(4); /* the write went somewhere */
    }
    close(addr_pipe[0]);
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    strcpy(p, "made after the fork");
    CHECK_EQ(write(addr_pipe[1], &p, sizeof(p)), sizeof(p));
    close(addr_pipe[1]);
    int st = wait_status(pid);
    CHECK(!WIFEXITED(st) || WEXITSTATUS(st) != 3);
    CHECK(killed_by(st, SIGSEGV));
    CHECK(!strcmp(p, "made after the fork"));
    CHECK_EQ(munmap(p, PAGE), 0);
}

static void fork_isolation(void)
{
    char on_stack[32];
    char *heap = malloc(32);
    char *mapped = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(heap && mapped != MAP_FAILED);
    struct secrets s = {{global_secret, heap, mapped, on_stack}};
#ifdef __cowl__
    static const int modes[] = {COWL_FORK_SHARE, COWL_FORK_COPY, COWL_FORK_EAGER};
    int previous = cowl_fork_mode(-1);
    CHECK(previous >= 0);
    for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        CHECK(cowl_fork_mode(modes[m]) >= 0);
#endif
        child_writes_stay_in_child(&s);
        parent_writes_stay_in_parent(&s);
        later_mapping_is_not_in_child();
#ifdef __cowl__
    }
    CHECK(cowl_fork_mode(previous) >= 0);
#endif
    free(heap);
    CHECK_EQ(munmap(mapped, PAGE), 0);
}

/* ---- Kernel memory through system calls */

#define KERNEL_IMAGE  ((void *)0xffffffff80100000ul)
#define DIRECT_MAP    0xffff800000000000ul           /* all RAM, mapped for the kernel */
#define LAST_USER_PTR ((void *)0x00007ffffffffffcul) /* 8 bytes from here cross into the kernel */

/* read() into kp and write() from kp must both fail with EFAULT and change
 * nothing: the 8 bytes waiting in the pipe stay, and none are added. */
static void kernel_pointer_is_efault(void *kp)
{
    static const char zeros[8];
    char back[16];
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(write(fds[1], zeros, 8), 8); /* what a wrongly allowed read would store */
    errno = 0;
    CHECK_EQ(read(fds[0], kp, 8), -1);
    CHECK_EQ(errno, EFAULT);
    errno = 0;
    CHECK_EQ(write(fds[1], kp, 8), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(write(fds[1], "!", 1), 1); /* so that the read below cannot block */
    CHECK_EQ(read(fds[0], back, sizeof(back)), 9);
    close(fds[0]);
    close(fds[1]);
}

#ifdef __cowl__
/* The direct-map address of the page-table entry that maps va: kernel
 * memory whose change this process can see (cowl_ptdump counts entries). */
static uint64_t pte_alias(uint64_t va, uint32_t *entries)
{
    static struct pt_node nodes[64];
    long n = cowl_ptdump(0, nodes, 64);
    CHECK(n > 0 && n <= 64);
    for (long i = 0; i < n; i++)
        if (nodes[i].level == 1 && va - nodes[i].va < 512 * PAGE) {
            *entries = nodes[i].entries;
            return DIRECT_MAP + nodes[i].table + 8 * ((va / PAGE) % 512);
        }
    CHECK(!"no page table maps the page");
    return 0;
}

/* Our own page-table entry, through the kernel's direct map: a read() into
 * it would zero the entry and unmap our page. */
static void own_pte_is_out_of_reach(void)
{
    char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(page != MAP_FAILED);
    page[0] = 'S';
    uint32_t entries_before, entries_after;
    uint64_t alias = pte_alias((uint64_t)page, &entries_before);
    kernel_pointer_is_efault((void *)alias);
    pte_alias((uint64_t)page, &entries_after);
    CHECK_EQ(entries_after, entries_before);
    CHECK_EQ(page[0], 'S');
    CHECK_EQ(munmap(page, PAGE), 0);
}
#endif

static void kernel_pointers_refused(void)
{
    kernel_pointer_is_efault(KERNEL_IMAGE);
    kernel_pointer_is_efault((void *)(DIRECT_MAP + 0x100000));
    kernel_pointer_is_efault(LAST_USER_PTR);
#ifdef __cowl__
    own_pte_is_out_of_reach();
#endif
    /* A file with bytes to read (relative: "/" on cowl, a scratch
     * directory on Linux). */
    int fd = open("isolation.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "0123456789abcdef", 16), 16);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    errno = 0;
    CHECK_EQ(read(fd, (void *)(DIRECT_MAP + 0x100000), 16), -1);
    CHECK_EQ(errno, EFAULT);
    close(fd);
    CHECK_EQ(unlink("isolation.tmp"), 0);
}

/* ---- Stack overflow */

#define FRAME     3000                 /* bytes of array per level: less than a page */
#define MAX_DEPTH ((64 << 20) / FRAME) /* 64 MiB of stack without a fault: give up */

static int report_fd;

/* Fill a frame from its top down, so the stack is touched one byte after
 * another, tell the parent how low it got, and go one level deeper. */
static int recurse(long depth)
{
    volatile char frame[FRAME];
    for (int i = FRAME - 1; i >= 0; i--)
        frame[i] = (char)depth;
    uintptr_t low = (uintptr_t)frame;
    if (write(report_fd, &low, sizeof(low)) != sizeof(low))
        _exit(5);
    if (depth >= MAX_DEPTH)
        return 0; /* no fault after 64 MiB: overflow() reports it */
    return recurse(depth + 1) + frame[0];
}

struct stack_report {
    uintptr_t guard;     /* the first page below sp the kernel cannot read */
    int below_readable;  /* and the page under that one is mapped */
    uintptr_t neighbour; /* an address on the neighbouring thread's stack */
};

/* Runs in the doomed process: report where the stack ends, then overflow. */
static void overflow(int fd, uintptr_t neighbour)
{
    int probe[2];
    if (pipe(probe))
        _exit(7);
    struct stack_report r = {0, 0, neighbour};
    uintptr_t page = (uintptr_t)&r & ~(PAGE - 1);
    for (uintptr_t p = page; p > page - (64ul << 20); p -= PAGE)
        if (readable_via(probe, (void *)p) != 1) {
            r.guard = p;
            r.below_readable = readable_via(probe, (void *)(p - 1)) == 1;
            break;
        }
    report_fd = fd;
    if (write(fd, &r, sizeof(r)) != sizeof(r))
        _exit(8);
    recurse(0);
    _exit(6);
}

/* Collect what the doomed child reports and check where it died. */
static void check_overflow(pid_t pid, int fd, int thread)
{
    struct stack_report r;
    CHECK_EQ(read(fd, &r, sizeof(r)), sizeof(r));
    uintptr_t low, lowest = UINTPTR_MAX;
    long frames = 0;
    while (read(fd, &low, sizeof(low)) == sizeof(low)) {
        lowest = low < lowest ? low : lowest;
        frames++;
    }
    close(fd);
    int st = wait_status(pid);
    if (!killed_by(st, SIGSEGV))
        printf("FAIL: overflow child status %#x after %ld frames\n", st, frames);
    CHECK(killed_by(st, SIGSEGV));
    CHECK(r.guard != 0);
#ifdef __cowl__
    /* cowl's pthread places each new stack right below the previous one;
     * glibc places them wherever mmap puts them. */
    if (thread) {
        CHECK(r.neighbour < r.guard); /* the guard lies between the two stacks */
        CHECK(r.below_readable);      /* right above the other thread's stack */
    }
#else
    (void)thread;
#endif
    uintptr_t bottom = r.guard + PAGE;
    CHECK(frames > 2);
    CHECK(lowest >= bottom);            /* never wrote below its own stack */
    CHECK(lowest < bottom + 2 * FRAME); /* and got to its bottom: the guard stopped it */
}

static void main_stack_overflow(void)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        overflow(fds[1], 0);
        _exit(9);
    }
    close(fds[1]);
    check_overflow(pid, fds[0], 0);
}

static int thread_report_fd, never[2];
static volatile uintptr_t neighbour_addr;

/* The thread whose stack lies just below the overflowing one: it marks its
 * place and sleeps until the fault ends the process. */
static void *neighbour(void *arg)
{
    volatile char mine[64];
    mine[0] = 1;
    neighbour_addr = (uintptr_t)mine;
    char c;
    read(never[0], &c, 1);
    return arg;
}

static void *overflower(void *arg)
{
    overflow(thread_report_fd, neighbour_addr);
    return arg;
}

static void thread_stack_overflow(void)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pthread_t a, b;
        close(fds[0]);
        thread_report_fd = fds[1];
        if (pipe(never) || pthread_create(&a, NULL, neighbour, NULL))
            _exit(10);
        while (!neighbour_addr)
            sched_yield();
        if (pthread_create(&b, NULL, overflower, NULL))
            _exit(11);
        pthread_join(b, NULL);
        _exit(12);
    }
    close(fds[1]);
    check_overflow(pid, fds[0], 1);
}

int main(void)
{
    fork_isolation();
    kernel_pointers_refused();
    main_stack_overflow();
    thread_stack_overflow();
    printf("isolation: ok\n");
    return 0;
}
