/* basics.c - the first system calls: identity, files, heap, time. */
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A working directory that is removed stays usable as a place, but has no
 * path and takes no new entries (cowl once let it, and then freed it under
 * them).  In a child, so that our own directory stays. */
static void removed_cwd(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        char buf[4096];
        CHECK_EQ(mkdir("tmp_gone", 0755), 0);
        CHECK_EQ(chdir("tmp_gone"), 0);
        CHECK_EQ(rmdir("../tmp_gone"), 0);
        CHECK(getcwd(buf, sizeof(buf)) == NULL);
        CHECK_EQ(errno, ENOENT);
        CHECK_EQ(mkdir("sub", 0755), -1);
        CHECK_EQ(errno, ENOENT);
        CHECK_EQ(open("file", O_CREAT | O_RDWR, 0644), -1);
        CHECK_EQ(errno, ENOENT);
        _exit(0);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
    CHECK(argc >= 1 && !strcmp(argv[0], "/tests/basics"));
    CHECK(getpid() > 0);
    CHECK(getenv("PATH") != NULL);

    /* Relative names: the working directory is "/" on cowl (checked below)
     * and a scratch directory under make test-linux. */
    int fd = open("tmp_basics", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 3);
    CHECK_EQ(write(fd, "hello, cowl", 11), 11);
    CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
    char buf[16] = {0};
    CHECK_EQ(read(fd, buf, sizeof(buf)), 4);
    CHECK(!strcmp(buf, "cowl"));
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 11);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(close(fd), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(unlink("tmp_basics"), 0);
    CHECK_EQ(open("tmp_basics", O_RDONLY), -1);
    CHECK_EQ(errno, ENOENT);

    char *p = malloc(100000); /* from mmap */
    char *q = malloc(100);    /* from brk */
    CHECK(p && q);
    memset(p, 1, 100000);
    memset(q, 2, 100);
    CHECK(p[99999] == 1 && q[99] == 2);
    free(p);
    free(q);

    struct timespec a, b;
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
    CHECK_EQ(usleep(20000), 0);
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
    long us = (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
    CHECK(us >= 10000); /* slept at least one whole tick */

#ifdef __cowl__
    char cwd[64];
    CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"));
#else
    char cwd[4096]; /* make test-linux: somewhere in a scratch directory */
    CHECK(getcwd(cwd, sizeof(cwd)) && cwd[0] == '/');
#endif
    removed_cwd();
    printf("basics: pid %d ok\n", getpid());
    return 0;
}
