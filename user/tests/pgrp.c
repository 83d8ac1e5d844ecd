/* pgrp.c - process groups and sessions as POSIX and Linux define them:
 * setsid makes a session and group leader (and refuses a group leader),
 * fork inherits both, setpgid's rules (own group, an existing group of the
 * same session, only the caller or its children, not after the child's
 * exec, never a session leader) with their errors, getpgid/getsid,
 * kill(-pgid) and kill(0) reaching every member and nobody else, and
 * tcgetpgrp/tcsetpgrp: ENOTTY without a controlling terminal or on a pipe.
 * On cowl, the test (a process the kernel started, so a session leader
 * with the console as its terminal) also sets the console's foreground
 * group and sees each error of tcsetpgrp. */
#include "check.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 99999 /* a pid no process has */

/* A child that waits on pipe p until killed (or until the pipe's last
 * writer, the test, closes it); it joins group pgid (0: a new one of its
 * own; -1: stays in ours). */
static pid_t sleeper(int pgid, const int p[2])
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(p[1]);
        if (pgid >= 0 && setpgid(0, pgid) < 0)
            _exit(100);
        char c;
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    if (pgid >= 0) /* both sides set it, so neither has to wait for the other */
        setpgid(pid, pgid ? pgid : pid);
    return pid;
}

/* Wait (5 s at most) for child pid to have made its own session. */
static void await_setsid(pid_t pid)
{
    for (int i = 0; i < 5000 && getsid(pid) != pid; i++)
        usleep(1000);
    CHECK_EQ(getsid(pid), pid);
}

static int wait_status(pid_t pid)
{
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    return status;
}

/* In a new session: ids, inheritance and setsid's refusal. */
static void session_basics(void)
{
    pid_t me = getpid();
    CHECK_EQ(getsid(0), me);
    CHECK_EQ(getpgrp(), me);
    CHECK_EQ(getpgid(0), me);
    CHECK_EQ(getpgid(me), me);
    CHECK_EQ(setsid(), -1); /* a group leader may not */
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(setpgid(0, 0), -1); /* a session leader stays in its group */
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(getpgid(NOBODY), -1);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(getsid(NOBODY), -1);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(getpgid(-1), -1);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(setpgid(-1, 0), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(setpgid(0, -1), -1);
    CHECK_EQ(errno, EINVAL);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pid_t self = getpid();
        int ok = getpgrp() == me && getsid(0) == me;           /* inherited */
        ok = ok && setpgid(0, 0) == 0 && getpgrp() == self;    /* a group of its own */
        ok = ok && setpgid(0, me) == 0 && getpgrp() == me;     /* back to an existing one */
        ok = ok && setpgid(0, NOBODY) == -1 && errno == EPERM; /* no such group here */
        ok = ok && setsid() == self && getsid(0) == self && getpgrp() == self;
        ok = ok && setpgid(0, me) == -1 && errno == EPERM; /* another session's group */
        _exit(ok ? 0 : 1);
    }
    CHECK_EQ(wait_status(pid), 0);
}

/* setpgid on others: children only, same session, not after exec. */
static void setpgid_others(void)
{
    CHECK_EQ(setpgid(getppid(), 0), -1); /* not our child */
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(setpgid(NOBODY, 0), -1);
    CHECK_EQ(errno, ESRCH);

    int go[2];
    CHECK_EQ(pipe(go), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) { /* a new session: out of the parent's reach */
        close(go[1]);
        char c;
        _exit(setsid() == getpid() && read(go[0], &c, 1) == 1 ? 0 : 1);
    }
    close(go[0]);
    await_setsid(pid);
    CHECK_EQ(setpgid(pid, pid), -1);
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(write(go[1], "x", 1), 1);
    close(go[1]);
    CHECK_EQ(wait_status(pid), 0);

    /* A child running cat: once it echoes, it has exec'd. */
    int to[2], from[2];
    CHECK_EQ(pipe(to), 0);
    CHECK_EQ(pipe(from), 0);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[0]), close(to[1]), close(from[0]), close(from[1]);
        char *argv[] = {"cat", NULL};
        execv("/bin/cat", argv);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    char c = 0;
    CHECK_EQ(write(to[1], "y\n", 2), 2);
    CHECK_EQ(read(from[0], &c, 1), 1);
    CHECK_EQ(c, 'y');
    CHECK_EQ(setpgid(pid, pid), -1);
    CHECK_EQ(errno, EACCES);
    close(to[1]);
    close(from[0]);
    CHECK_EQ(wait_status(pid), 0);
}

/* kill(-pgid) reaches each member of the group and nobody else; kill(0)
 * the caller's own group. */
static void kill_groups(void)
{
    int p[2];
    CHECK_EQ(pipe(p), 0);
    pid_t a = sleeper(0, p);     /* leads a new group */
    pid_t b = sleeper(a, p);     /* joins it */
    pid_t c = sleeper(a, p);     /* joins it */
    pid_t other = sleeper(0, p); /* a group of its own */
    pid_t same = sleeper(-1, p); /* stays in ours */
    CHECK_EQ(getpgid(b), a);
    CHECK_EQ(getpgid(c), a);
    CHECK_EQ(getpgid(other), other);
    CHECK_EQ(getpgid(same), getpgrp());
    CHECK_EQ(kill(-a, 0), 0); /* it exists */
    CHECK_EQ(kill(-NOBODY, 0), -1);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(kill(-NOBODY, SIGTERM), -1);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(kill(-a, SIGTERM), 0);
    pid_t members[] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        int status = wait_status(members[i]);
        CHECK(WIFSIGNALED(status));
        CHECK_EQ(WTERMSIG(status), SIGTERM);
    }
    int status;
    CHECK_EQ(waitpid(other, &status, WNOHANG), 0); /* untouched */
    CHECK_EQ(waitpid(same, &status, WNOHANG), 0);
    CHECK_EQ(kill(-a, 0), -1); /* the group is gone */
    CHECK_EQ(errno, ESRCH);

    /* kill(0): a member signals its own group, itself included. */
    pid_t lead = fork();
    CHECK(lead >= 0);
    if (lead == 0) {
        setpgid(0, 0);
        pid_t kid = sleeper(-1, p); /* in lead's group */
        if (getpgid(kid) != getpid())
            _exit(2);
        kill(0, SIGTERM);
        _exit(3); /* not reached */
    }
    status = wait_status(lead);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGTERM);
    CHECK_EQ(waitpid(other, &status, WNOHANG), 0);
    CHECK_EQ(waitpid(same, &status, WNOHANG), 0);
    CHECK_EQ(kill(0, 0), 0); /* our group exists: we are in it */

    close(p[1]); /* the rest end on their own */
    close(p[0]);
    CHECK_EQ(wait_status(other), 0);
    CHECK_EQ(wait_status(same), 0);
}

/* No controlling terminal in a new session; never one on a pipe. */
static void no_terminal(void)
{
    int p[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(tcgetpgrp(p[0]), -1);
    CHECK_EQ(errno, ENOTTY);
    CHECK_EQ(tcsetpgrp(p[1], getpgrp()), -1);
    CHECK_EQ(errno, ENOTTY);
    CHECK_EQ(tcgetpgrp(99), -1);
    CHECK_EQ(errno, EBADF);
    close(p[0]);
    close(p[1]);
    CHECK_EQ(tcsetpgrp(0, getpgrp()), -1); /* stdin: not our terminal (or a pipe) */
    CHECK_EQ(errno, ENOTTY);
}

#ifdef __cowl__
/* The test itself leads the session the console belongs to. */
static void console_foreground(void)
{
    pid_t me = getpid();
    CHECK_EQ(getsid(0), me);
    CHECK_EQ(tcgetpgrp(0), 0); /* none yet */
    CHECK_EQ(tcsetpgrp(0, me), 0);
    CHECK_EQ(tcgetpgrp(1), me);
    CHECK_EQ(tcsetpgrp(0, NOBODY), -1);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(tcsetpgrp(0, -1), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(ioctl(0, TIOCSPGRP, NULL), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(ioctl(0, TIOCGPGRP, (void *)0xffff800000000000ul), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(ioctl(0, 0x1234, NULL), -1);
    CHECK_EQ(errno, ENOTTY);

    /* A group of ours may be the foreground; one in another session not. */
    int p[2];
    CHECK_EQ(pipe(p), 0);
    pid_t kid = sleeper(0, p);
    CHECK_EQ(tcsetpgrp(0, kid), 0);
    CHECK_EQ(tcgetpgrp(0), kid);
    pid_t away = fork();
    CHECK(away >= 0);
    if (away == 0) {
        char c;
        close(p[1]);
        setsid();
        read(p[0], &c, 1);
        _exit(0);
    }
    await_setsid(away);
    CHECK_EQ(tcsetpgrp(0, away), -1);
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(tcgetpgrp(0), kid); /* unchanged */
    CHECK_EQ(tcsetpgrp(0, me), 0);
    close(p[1]);
    close(p[0]);
    CHECK_EQ(wait_status(kid), 0);
    CHECK_EQ(wait_status(away), 0);
}
#endif

int main(void)
{
#ifdef __cowl__
    console_foreground();
#endif
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CHECK_EQ(setsid(), getpid());
        session_basics();
        setpgid_others();
        kill_groups();
        no_terminal();
        exit(0);
    }
    CHECK_EQ(wait_status(pid), 0);
    printf("pgrp: ok\n");
    return 0;
}
