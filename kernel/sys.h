/* sys.h - the system call handlers (kernel/sys_*.c, fs/sys_file.c, virt/sys_vm.c). */
#ifndef SYS_H
#define SYS_H

#include "lib/types.h"
#include "uapi/signal.h"

struct stat;
struct timespec;

int64_t sys_read(int fd, void *buf, size_t n);
int64_t sys_write(int fd, const void *buf, size_t n);
int64_t sys_open(const char *path, int flags, int mode);
int64_t sys_close(int fd);
int64_t sys_stat(const char *path, struct stat *st);
int64_t sys_fstat(int fd, struct stat *st);
int64_t sys_lseek(int fd, int64_t off, int whence);
int64_t sys_pipe(int *fds);
int64_t sys_pipe2(int *fds, int flags);
int64_t sys_dup(int fd);
int64_t sys_dup2(int fd, int to);
int64_t sys_getcwd(char *buf, size_t size);
int64_t sys_chdir(const char *path);
int64_t sys_mkdir(const char *path, int mode);
int64_t sys_unlink(const char *path);
int64_t sys_rmdir(const char *path);
int64_t sys_link(const char *oldpath, const char *newpath);
int64_t sys_access(const char *path, int mode);
int64_t sys_getdents64(int fd, void *buf, size_t size);

int64_t sys_fork(void);
int64_t sys_clone(uint64_t flags, uint64_t stack, int *parent_tid, int *child_tid, uint64_t tls);
int64_t sys_gettid(void);
int64_t sys_futex(uint32_t *uaddr, int op, uint32_t val, const void *timeout);
int64_t sys_cowl_cpustat(void *buf, size_t size);
struct pt_node;
int64_t sys_cowl_ptdump(int pid, struct pt_node *buf, size_t max);
int64_t sys_cowl_failalloc(int op, int64_t arg);
/* virt/sys_vm.c: virtual machines (uapi/vm.h) */
struct cowl_vcpu_regs;
struct cowl_vm_exit;
int64_t sys_cowl_vm_create(uint64_t ram_bytes);
int64_t sys_cowl_vm_memory(int vmfd, uint64_t gpa, void *ubuf, size_t len, int dir);
int64_t sys_cowl_vcpu_create(int vmfd);
int64_t sys_cowl_vcpu_regs(int vcpufd, struct cowl_vcpu_regs *uregs, int dir);
int64_t sys_cowl_vcpu_run(int vcpufd, struct cowl_vm_exit *uexit);
struct cowl_virt_stats;
int64_t sys_cowl_virtstat(struct cowl_virt_stats *ust);
int64_t sys_cowl_vm_fork(int vmfd, int mode);
int64_t sys_cowl_vcpu_fork(int vcpufd, int vmfd);
struct pt_node;
int64_t sys_cowl_vm_ptdump(int vmfd, struct pt_node *ubuf, size_t max);
/* kernel/sys_mm.c: an mm's tree into a user buffer (cowl_ptdump, cowl_vm_ptdump) */
struct mm;
int64_t ptdump_to_user(struct mm *mm, struct pt_node *ubuf, size_t max);
int64_t sys_prctl(int option, uint64_t arg2);
/* kernel/sys_tls.c: the thread pointer (FS base); tls_base_ok says whether
 * a thread may have this one (arch_prctl, clone's CLONE_SETTLS). */
int64_t sys_arch_prctl(int code, uint64_t addr);
bool tls_base_ok(uint64_t base);
int64_t sys_getcpu(unsigned *cpu, unsigned *node, void *unused);
int64_t sys_execve(const char *path, char *const *argv, char *const *envp);
__attribute__((noreturn)) int64_t sys_exit(int code);
__attribute__((noreturn)) int64_t sys_exit_group(int code);
int64_t sys_wait4(int pid, int *status, int options, void *rusage);
int64_t sys_kill(int pid, int sig);
/* kernel/sys_signal.c */
struct k_sigaction;
struct itimerval;
int64_t sys_rt_sigaction(int sig, const struct k_sigaction *uact, struct k_sigaction *uold,
                         size_t size);
int64_t sys_rt_sigprocmask(int how, const uint64_t *uset, uint64_t *uold, size_t size);
int64_t sys_rt_sigpending(uint64_t *uset, size_t size);
int64_t sys_rt_sigsuspend(const uint64_t *umask, size_t size);
int64_t sys_rt_sigreturn(void);
int64_t sys_pause(void);
int64_t sys_tkill(int tid, int sig);
int64_t sys_tgkill(int tgid, int tid, int sig);
int64_t sys_alarm(unsigned seconds);
int64_t sys_setitimer(int which, const struct itimerval *unew, struct itimerval *uold);
int64_t sys_getitimer(int which, struct itimerval *ucur);
/* kernel/pgrp.c: process groups and sessions */
int64_t sys_setpgid(int pid, int pgid);
int64_t sys_getpgid(int pid);
int64_t sys_getpgrp(void);
int64_t sys_setsid(void);
int64_t sys_getsid(int pid);
/* fs/sys_file.c: the console's foreground group (TIOCSPGRP, TIOCGPGRP) */
int64_t sys_ioctl(int fd, unsigned long cmd, uint64_t arg);
int64_t sys_getpid(void);
int64_t sys_getppid(void);
int64_t sys_sched_yield(void);
int64_t sys_nanosleep(const struct timespec *req, struct timespec *rem);
int64_t sys_clock_gettime(int clock, struct timespec *ts);
int64_t sys_reboot(int magic1, int magic2, int cmd, void *arg);
int64_t sys_cowl_procs(void *buf, size_t size);
int64_t sys_cowl_memstat(uint64_t *out, size_t n);
int64_t sys_cowl_fork_mode(int mode);
int64_t sys_cowl_vmstat(void *buf, size_t size);

int64_t sys_brk(uint64_t addr);
int64_t sys_mmap(uint64_t addr, size_t len, int prot, int flags, int fd, int64_t off);
int64_t sys_munmap(uint64_t addr, size_t len);
int64_t sys_mprotect(uint64_t addr, size_t len, int prot);

/* kernel/process.c */
/* Replace the current program (kernel strings); the process is unchanged
 * on failure. */
int process_exec(const char *path, char *const argv[], char *const envp[]);
/* Start /path as a new user process, child of the caller. pid or -errno. */
#define SPAWN_FAILALLOC 1u /* arm fault injection (mm/failalloc.h) in the new process */
int process_spawn(const char *path, char *const argv[], unsigned flags);
/* What process_spawn takes at most (more is -E2BIG): init= and the tests. */
#define SPAWN_MAX_ARGS     32
#define SPAWN_MAX_ARGBYTES 4096
/* kernel/fault.c: a page fault in user mode at addr (FAULT_* access):
 * resolved, or a SIGSEGV (which kills unless a handler catches it). */
void process_page_fault(uint64_t addr, unsigned access, uint64_t rip, uint64_t sp);

#endif
