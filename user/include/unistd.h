#ifndef _UNISTD_H
#define _UNISTD_H
#include <stddef.h>
#include <stdint.h>
typedef long ssize_t;
typedef int pid_t;
typedef long off_t;
#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#include "uapi/seek.h" /* SEEK_*, shared with the kernel */
#include "uapi/access.h" /* F_OK, R_OK, W_OK, X_OK for access() */
extern char **environ;
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int isatty(int fd);
int close(int fd);
off_t lseek(int fd, off_t off, int whence);
int dup(int fd);
int dup2(int fd, int to);
int pipe(int fds[2]);
int pipe2(int fds[2], int flags); /* flags: O_NONBLOCK */
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
void _exit(int code) __attribute__((noreturn));
pid_t getpid(void);
pid_t getppid(void);
/* Process groups and sessions; the terminal's foreground group. */
int setpgid(pid_t pid, pid_t pgid);
pid_t getpgid(pid_t pid);
pid_t getpgrp(void);
pid_t setsid(void);
pid_t getsid(pid_t pid);
pid_t tcgetpgrp(int fd);
int tcsetpgrp(int fd, pid_t pgid);
int chdir(const char *path);
char *getcwd(char *buf, size_t size);
int unlink(const char *path);
int rmdir(const char *path);
int link(const char *oldpath, const char *newpath);
int access(const char *path, int mode);
void *sbrk(intptr_t inc);
int brk(void *addr);
unsigned sleep(unsigned seconds);
unsigned alarm(unsigned seconds);
int pause(void);
pid_t gettid(void);
extern char *optarg;
extern int optind, opterr, optopt;
int getopt(int argc, char *const argv[], const char *optstring);
int usleep(unsigned us);
#endif
