/* badargs.c - every system call that takes a pointer gets NULL, a
 * kernel-half address, an unmapped address and a huge length; each must
 * fail with an error (EFAULT, EINVAL, ...) and change nothing. */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifndef __cowl__
#include <sys/syscall.h>
#endif
#include <time.h>
#include <unistd.h>

#define KERNEL   ((void *)0xffffffff80100000ul)
#define UNMAPPED ((void *)0x0000600000000000ul)
#define LOW      ((void *)0x1000ul)

static void *const bad[] = {NULL, KERNEL, UNMAPPED, LOW};

/* Opaque to the compiler: glibc's headers mark argv nonnull and gcc knows
 * the largest object, so it would refuse to build these calls, which are
 * wrong on purpose, for make test-linux. */
static char **volatile null_argv = NULL;
static volatile size_t huge = SIZE_MAX;

/* Where cowl and Linux give different errors (make test-linux). */
#ifdef __cowl__
#define ERR_FIXED_OUTSIDE EINVAL /* POSIX: "invalid", or ENOMEM */
#define ERR_FILE_MAP      EINVAL /* no file mappings at all (docs/memory.md) */
#else
#define ERR_FIXED_OUTSIDE ENOMEM /* "exceeds the address space" */
#define ERR_FILE_MAP      EBADF  /* POSIX: descriptor 3 is not open */
#endif

#define FAILS_WITH(call, err)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(call);                                                                    \
        if (r_ != -1 || errno != (err)) {                                                          \
            printf("FAIL %s:%d: %s gave %ld errno %d, want -1 errno %d\n", __FILE__, __LINE__,     \
                   #call, r_, errno, err);                                                         \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

int main(void)
{
    int fd = open("badargs.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    char ok[16];
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        void *p = bad[i];
        FAILS_WITH(read(fd, p, 5), EFAULT);
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0); /* a failed read does not move the offset */
        FAILS_WITH(write(fd, p, 5), EFAULT);
        FAILS_WITH(open(p, O_RDONLY), EFAULT);
        FAILS_WITH(stat(p, (struct stat *)ok), EFAULT);
        FAILS_WITH(stat("/", p), EFAULT);
        FAILS_WITH(fstat(fd, p), EFAULT);
        FAILS_WITH(pipe(p), EFAULT);
        FAILS_WITH(chdir(p), EFAULT);
        FAILS_WITH(mkdir(p, 0755), EFAULT);
        FAILS_WITH(unlink(p), EFAULT);
        FAILS_WITH(rmdir(p), EFAULT);
        FAILS_WITH(link(p, "badargs.lnk"), EFAULT);
        FAILS_WITH(link("badargs.txt", p), EFAULT);
        FAILS_WITH(access(p, F_OK), EFAULT);
        FAILS_WITH(execve(p, null_argv, NULL), EFAULT);
#ifdef __cowl__
        FAILS_WITH(clock_gettime(CLOCK_MONOTONIC, p), EFAULT);
#else /* glibc answers from the vDSO, in user space: it would fault; ask the kernel */
        FAILS_WITH(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p), EFAULT);
#endif
        FAILS_WITH(nanosleep(p, NULL), EFAULT);
#ifndef __cowl__
        if (p) /* glibc's getcwd(NULL, n) allocates the buffer (POSIX leaves it open) */
#endif
            FAILS_WITH(getcwd(p, 64) == NULL ? -1 : 0, EFAULT);
        if (p) { /* with NULL, argv would just end early: a valid exec */
            char *argv[] = {"/bin/echo", p, NULL};
            FAILS_WITH(execve("/bin/echo", argv, NULL), EFAULT);
            FAILS_WITH(execve("/bin/echo", (char **)p, NULL), EFAULT);
            FAILS_WITH(execve("/bin/echo", null_argv, (char **)p), EFAULT);
        }
    }
    /* huge lengths and wrap-around */
    FAILS_WITH(read(fd, ok, huge), EFAULT);
    FAILS_WITH(write(fd, ok, huge), EFAULT);
    FAILS_WITH(write(fd, (char *)0x00007ffffffff000ul, 0x2000), EFAULT);
    FAILS_WITH(getcwd(ok, 1) == NULL ? -1 : 0, ERANGE);
    /* nothing leaked: the next descriptor is the one after fd */
    int next = dup(fd);
    CHECK_EQ(next, fd + 1);
    close(next);
    /* the file is intact */
    char back[10];
    CHECK_EQ(read(fd, back, 10), 10);
    CHECK(!memcmp(back, "0123456789", 10));
    FAILS_WITH(lseek(fd, 0, 99), EINVAL); /* no such whence */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10); /* and the offset stayed */
#ifdef __cowl__
    /* an offset that would pass INT64_MAX: EINVAL, and the offset stays.
     * (Linux refuses offsets past its file system's largest file size
     * already at SEEK_SET, so there the first call fails.) */
    CHECK_EQ(lseek(fd, INT64_MAX - 1, SEEK_SET), INT64_MAX - 1);
    FAILS_WITH(lseek(fd, 2, SEEK_CUR), EINVAL);
    FAILS_WITH(lseek(fd, INT64_MAX, SEEK_END), EINVAL);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), INT64_MAX - 1);
#endif
    close(fd);
    /* descriptors */
    FAILS_WITH(read(-1, ok, 1), EBADF);
    FAILS_WITH(write(99, ok, 1), EBADF);
    FAILS_WITH(close(1000), EBADF);
    FAILS_WITH(dup2(0, -1), EBADF);
    FAILS_WITH(lseek(0, 0, SEEK_SET), ESPIPE); /* the console (a pipe under make test-linux) */
#ifdef __cowl__
    /* Both errors apply; POSIX gives no order.  cowl checks the file first,
     * Linux the whence (EINVAL). */
    FAILS_WITH(lseek(0, 0, 99), ESPIPE);
#endif
    /* memory calls: misaligned, out of range, unsupported */
    FAILS_WITH(munmap((void *)0x400001, 4096), EINVAL);
    FAILS_WITH(mprotect((void *)0x400001, 4096, PROT_READ), EINVAL);
    FAILS_WITH(munmap(KERNEL, 4096), EINVAL);
    FAILS_WITH(mmap((void *)0x500001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                    0) == MAP_FAILED
                   ? -1
                   : 0,
               EINVAL);
    FAILS_WITH(mmap(KERNEL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
                       MAP_FAILED
                   ? -1
                   : 0,
               ERR_FIXED_OUTSIDE);
    FAILS_WITH(mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL);
    FAILS_WITH(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) == MAP_FAILED ? -1 : 0, ERR_FILE_MAP);
    FAILS_WITH(mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
                       MAP_FAILED
                   ? -1
                   : 0,
               ENOMEM);
    FAILS_WITH(mprotect((void *)0x0000500000000000ul, 4096, PROT_READ), ENOMEM);
    void *before = sbrk(0);
    CHECK(brk(KERNEL) == -1);
    CHECK(sbrk(0) == before); /* brk unchanged */
    /* processes */
    FAILS_WITH(waitpid(-1, NULL, 0), ECHILD);
#ifdef __cowl__
    FAILS_WITH(kill(99999, SIGKILL), ESRCH); /* on a shared Linux host, that pid may be anyone */
#endif
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    CHECK_EQ(waitpid(gone, NULL, 0), gone);
    FAILS_WITH(kill(gone, 0), ESRCH);       /* signal 0 asks whether the process exists */
    CHECK_EQ(kill(getpid(), 0), 0);         /* ... and sends nothing */
    FAILS_WITH(kill(getpid(), 99), EINVAL); /* no such signal */
    pid_t child = fork();
    if (child == 0)
        _exit(7);
    FAILS_WITH(waitpid(child, KERNEL, 0), EFAULT);
#ifdef __cowl__
    /* cowl rejects a status pointer outside user space before it collects
     * anything; Linux collects the child, then fails to store its status. */
    CHECK_EQ(waitpid(child, NULL, 0), child); /* the rejected call collected nothing */
#endif
    CHECK_EQ(unlink("badargs.txt"), 0);
    printf("badargs: ok\n");
    return 0;
}
