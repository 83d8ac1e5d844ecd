/* sigintr.c - signals and the system calls they interrupt
 * (docs/signals.md, "Restart"): a read from an empty pipe, waitpid and
 * nanosleep return EINTR after the handler ran, or carry on with
 * SA_RESTART (nanosleep never: it says how much time was left); SIGCHLD
 * arrives when a child ends, with its pid and status, when the child can
 * already be collected; SIGPIPE ends a writer whose pipe has no reader,
 * unless it is ignored or caught, and then the write fails with EPIPE.
 * Runs on Linux too (make test-linux). */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static void count(int sig)
{
    (void)sig;
    hits++;
}

static void handle(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa = {0};
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

static void every(long us)
{
    struct itimerval it = {{0, us}, {0, us}};
    CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
}

/* Without SA_RESTART: the child signals until the parent says its read
 * was interrupted (so a signal that came before the read cannot make the
 * test wait forever). */
static void pipe_read_eintr(void)
{
    int data[2], done[2];
    CHECK_EQ(pipe(data), 0);
    CHECK_EQ(pipe2(done, O_NONBLOCK), 0);
    handle(SIGUSR1, count, 0);
    hits = 0;
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        char c;
        for (int i = 0; i < 400 && read(done[0], &c, 1) != 1; i++) {
            kill(parent, SIGUSR1);
            usleep(20000);
        }
        _exit(0);
    }
    char c;
    CHECK_EQ(read(data[0], &c, 1), -1);
    CHECK_EQ(errno, EINTR);
    CHECK(hits >= 1);
    CHECK_EQ(write(done[1], "x", 1), 1);
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    close(data[0]), close(data[1]), close(done[0]), close(done[1]);
}

/* With SA_RESTART: five signals, then a byte; the read returns the byte. */
static void pipe_read_restart(void)
{
    int data[2];
    CHECK_EQ(pipe(data), 0);
    handle(SIGUSR1, count, SA_RESTART);
    hits = 0;
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 5; i++) {
            usleep(30000);
            kill(parent, SIGUSR1);
        }
        usleep(30000);
        write(data[1], "y", 1);
        _exit(0);
    }
    close(data[1]);
    char c = 0;
    CHECK_EQ(read(data[0], &c, 1), 1);
    CHECK_EQ(c, 'y');
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK_EQ(hits, 5);
    close(data[0]);
    signal(SIGUSR1, SIG_DFL);
}

static void wait_and_sleep(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    /* waitpid, interrupted: the child lives on (it would end in 5 s). */
    pid_t pid = fork();
    if (pid == 0) {
        sleep(5);
        _exit(9);
    }
    handle(SIGALRM, count, 0);
    every(20000);
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), -1);
    CHECK_EQ(errno, EINTR);
    setitimer(ITIMER_REAL, &off, NULL);
    kill(pid, SIGKILL);
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    /* waitpid with SA_RESTART: it waits on until the child exits. */
    pid = fork();
    if (pid == 0) {
        usleep(200000);
        _exit(5);
    }
    handle(SIGALRM, count, SA_RESTART);
    hits = 0;
    every(20000);
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    setitimer(ITIMER_REAL, &off, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
    CHECK(hits >= 1);

    /* nanosleep: EINTR even with SA_RESTART, and the time left. */
    struct timespec req = {2, 0}, rem = {0, 0};
    every(20000);
    CHECK_EQ(nanosleep(&req, &rem), -1);
    CHECK_EQ(errno, EINTR);
    setitimer(ITIMER_REAL, &off, NULL);
    CHECK(rem.tv_sec <= 2 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
    CHECK(rem.tv_sec < 2 || rem.tv_nsec == 0);
    signal(SIGALRM, SIG_DFL);
}

static volatile int chld_pid, chld_code, chld_status, reaped, reaped_status;
static void on_child(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    chld_pid = si->si_pid;
    chld_code = si->si_code;
    chld_status = si->si_status;
    int st = 0;
    reaped = waitpid(si->si_pid, &st, WNOHANG); /* it must be collectable now */
    reaped_status = st;
}

static void sigchld(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = on_child;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ(sigaction(SIGCHLD, &sa, NULL), 0);
    sigset_t block, empty;
    sigemptyset(&block);
    sigemptyset(&empty);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, NULL);

    hits = 0;
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    while (hits == 0)
        sigsuspend(&empty);
    CHECK_EQ(chld_pid, pid);
    CHECK_EQ(chld_code, CLD_EXITED);
    CHECK_EQ(chld_status, 7);
    CHECK_EQ(reaped, pid);
    CHECK(WIFEXITED(reaped_status) && WEXITSTATUS(reaped_status) == 7);

    hits = 0;
    pid = fork();
    if (pid == 0)
        for (;;)
            pause();
    kill(pid, SIGKILL);
    while (hits == 0)
        sigsuspend(&empty);
    CHECK_EQ(chld_pid, pid);
    CHECK_EQ(chld_code, CLD_KILLED);
    CHECK_EQ(chld_status, SIGKILL);
    CHECK_EQ(reaped, pid);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    signal(SIGCHLD, SIG_DFL);
}

/* Write to a pipe whose reader is gone, with SIGPIPE as `how` says. */
static int write_to_broken_pipe(void (*how)(int))
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    close(fds[0]);
    pid_t pid = fork();
    if (pid == 0) {
        hits = 0;
        if (how != SIG_DFL)
            handle(SIGPIPE, how, 0);
        if (write(fds[1], "z", 1) != -1 || errno != EPIPE)
            _exit(2);
        _exit(how == count ? 10 + hits : 0);
    }
    close(fds[1]);
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    return st;
}

static void sigpipe(void)
{
    int st = write_to_broken_pipe(SIG_DFL);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
    st = write_to_broken_pipe(SIG_IGN);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = write_to_broken_pipe(count);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 11); /* the handler ran once */
}

int main(void)
{
    pipe_read_eintr();
    pipe_read_restart();
    wait_and_sleep();
    sigchld();
    sigpipe();
    printf("sigintr: ok\n");
    return 0;
}
