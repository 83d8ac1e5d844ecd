/* syscalls.c - one thin wrapper per system call: negative results become
 * -1 with errno set, as POSIX callers expect. */
#include <cowl.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/reboot.h"
#include "uapi/syscall.h"

long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

char **environ;

static long check(long r)
{
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

#define SYS0(n)          check(__syscall(n, 0, 0, 0, 0, 0, 0))
#define SYS1(n, a)       check(__syscall(n, (long)(a), 0, 0, 0, 0, 0))
#define SYS2(n, a, b)    check(__syscall(n, (long)(a), (long)(b), 0, 0, 0, 0))
#define SYS3(n, a, b, c) check(__syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0))

ssize_t read(int fd, void *buf, size_t n) { return SYS3(SYS_read, fd, buf, n); }
ssize_t write(int fd, const void *buf, size_t n) { return SYS3(SYS_write, fd, buf, n); }
int close(int fd) { return SYS1(SYS_close, fd); }
off_t lseek(int fd, off_t off, int whence) { return SYS3(SYS_lseek, fd, off, whence); }
int dup(int fd) { return SYS1(SYS_dup, fd); }
int dup2(int fd, int to) { return SYS2(SYS_dup2, fd, to); }
int pipe(int fds[2]) { return SYS1(SYS_pipe, fds); }
int pipe2(int fds[2], int flags) { return SYS2(SYS_pipe2, fds, flags); }
pid_t fork(void) { return SYS0(SYS_fork); }
int execve(const char *p, char *const argv[], char *const envp[])
{
    return SYS3(SYS_execve, p, argv, envp);
}
void _exit(int code) /* the whole process: every thread */
{
    __syscall(SYS_exit_group, code, 0, 0, 0, 0, 0);
    for (;;)
        ;
}
pid_t getpid(void) { return SYS0(SYS_getpid); }
pid_t gettid(void) { return SYS0(SYS_gettid); }
int sched_getcpu(void)
{
    unsigned cpu;
    return SYS3(SYS_getcpu, &cpu, 0, 0) < 0 ? -1 : (int)cpu;
}
long __futex(volatile int *addr, int op, int val)
{
    return check(__syscall(SYS_futex, (long)addr, op, val, 0, 0, 0));
}
int cowl_cpustat(struct cpu_stats *st, int max)
{
    return SYS2(SYS_cowl_cpustat, st, (long)max * sizeof(*st));
}
pid_t getppid(void) { return SYS0(SYS_getppid); }
int chdir(const char *path) { return SYS1(SYS_chdir, path); }
int unlink(const char *path) { return SYS1(SYS_unlink, path); }
int rmdir(const char *path) { return SYS1(SYS_rmdir, path); }
int mkdir(const char *path, int mode) { return SYS2(SYS_mkdir, path, mode); }
int link(const char *oldpath, const char *newpath) { return SYS2(SYS_link, oldpath, newpath); }
int access(const char *path, int mode) { return SYS2(SYS_access, path, mode); }
int stat(const char *path, struct stat *st) { return SYS2(SYS_stat, path, st); }
int fstat(int fd, struct stat *st) { return SYS2(SYS_fstat, fd, st); }
int kill(int pid, int sig) { return SYS2(SYS_kill, pid, sig); }
int setpgid(pid_t pid, pid_t pgid) { return SYS2(SYS_setpgid, pid, pgid); }
pid_t getpgid(pid_t pid) { return SYS1(SYS_getpgid, pid); }
pid_t getpgrp(void) { return SYS0(SYS_getpgrp); }
pid_t setsid(void) { return SYS0(SYS_setsid); }
pid_t getsid(pid_t pid) { return SYS1(SYS_getsid, pid); }
int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return SYS3(SYS_ioctl, fd, request, arg);
}
/* The terminal's foreground process group: ioctls, as on Linux. */
pid_t tcgetpgrp(int fd)
{
    int pgid;
    return ioctl(fd, TIOCGPGRP, &pgid) < 0 ? -1 : pgid;
}
int tcsetpgrp(int fd, pid_t pgid) { return ioctl(fd, TIOCSPGRP, &pgid); }
int sched_yield(void) { return SYS0(SYS_sched_yield); }
int clock_gettime(int clock, struct timespec *ts) { return SYS2(SYS_clock_gettime, clock, ts); }
int nanosleep(const struct timespec *req, struct timespec *rem)
{
    return SYS2(SYS_nanosleep, req, rem);
}
pid_t waitpid(pid_t pid, int *status, int options) { return SYS3(SYS_wait4, pid, status, options); }
pid_t wait(int *status) { return waitpid(-1, status, 0); }
int munmap(void *addr, size_t len) { return SYS2(SYS_munmap, addr, len); }
int mprotect(void *addr, size_t len, int prot) { return SYS3(SYS_mprotect, addr, len, prot); }
long cowl_procs(char *buf, size_t size) { return SYS2(SYS_cowl_procs, buf, size); }
int getdents64(int fd, void *buf, size_t size) { return SYS3(SYS_getdents64, fd, buf, size); }

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
    va_end(ap);
    return SYS3(SYS_open, path, flags, mode);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    long r = check(__syscall(SYS_mmap, (long)addr, len, prot, flags, fd, off));
    return r == -1 ? MAP_FAILED : (void *)r;
}

char *getcwd(char *buf, size_t size) { return SYS2(SYS_getcwd, buf, size) < 0 ? NULL : buf; }

static char *current_brk;

int brk(void *addr)
{
    char *r = (char *)__syscall(SYS_brk, (long)addr, 0, 0, 0, 0, 0);
    current_brk = r;
    if (r != addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void *sbrk(intptr_t inc)
{
    if (!current_brk)
        current_brk = (char *)__syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
    char *old = current_brk;
    if (inc && brk(old + inc) < 0)
        return (void *)-1;
    return old;
}

int cowl_fork_mode(int mode) { return SYS1(SYS_cowl_fork_mode, mode); }
long cowl_failalloc(int op, long arg) { return SYS2(SYS_cowl_failalloc, op, arg); }
int prctl(int option, unsigned long arg2) { return SYS2(SYS_prctl, option, arg2); }
int cowl_vmstat(struct vm_stats *st) { return SYS2(SYS_cowl_vmstat, st, sizeof(*st)) < 0 ? -1 : 0; }

long cowl_ptdump(int pid, struct pt_node *nodes, size_t max)
{
    return SYS3(SYS_cowl_ptdump, pid, nodes, max);
}

long cowl_fork_tables(void)
{
    uint64_t v[3];
    return SYS2(SYS_cowl_memstat, v, 3) < 0 ? -1 : (long)v[2];
}

int cowl_memstat(uint64_t *free_pages, uint64_t *total_pages)
{
    uint64_t v[2];
    if (SYS2(SYS_cowl_memstat, v, 2) < 0)
        return -1;
    if (free_pages)
        *free_pages = v[0];
    if (total_pages)
        *total_pages = v[1];
    return 0;
}

int poweroff(void)
{
    return check(__syscall(SYS_reboot, (long)REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_POWER_OFF, 0, 0, 0));
}

unsigned sleep(unsigned seconds)
{
    struct timespec ts = {seconds, 0}, rem = {0, 0};
    if (nanosleep(&ts, &rem) == 0)
        return 0;
    return rem.tv_sec + (rem.tv_nsec > 0); /* a signal woke it: the seconds left */
}

int usleep(unsigned us)
{
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    return nanosleep(&ts, NULL);
}

int cowl_vm_create(uint64_t ram_bytes) { return SYS1(SYS_cowl_vm_create, ram_bytes); }
int cowl_vm_memory(int vm, uint64_t gpa, void *buf, size_t len, int dir)
{
    return check(__syscall(SYS_cowl_vm_memory, vm, (long)gpa, (long)buf, (long)len, dir, 0));
}
int cowl_vcpu_create(int vm) { return SYS1(SYS_cowl_vcpu_create, vm); }
int cowl_vcpu_regs(int vcpu, struct cowl_vcpu_regs *regs, int dir)
{
    return SYS3(SYS_cowl_vcpu_regs, vcpu, regs, dir);
}
int cowl_vcpu_run(int vcpu, struct cowl_vm_exit *exit) { return SYS2(SYS_cowl_vcpu_run, vcpu, exit); }
int cowl_virtstat(struct cowl_virt_stats *st) { return SYS1(SYS_cowl_virtstat, st); }
int cowl_vm_fork(int vm, int mode) { return SYS2(SYS_cowl_vm_fork, vm, mode); }
int cowl_vcpu_fork(int vcpu, int vm) { return SYS2(SYS_cowl_vcpu_fork, vcpu, vm); }
long cowl_vm_ptdump(int vm, struct pt_node *nodes, size_t max) { return SYS3(SYS_cowl_vm_ptdump, vm, nodes, max); }
