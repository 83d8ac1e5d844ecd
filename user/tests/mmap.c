/* mmap.c - anonymous private mappings: demand-zero, munmap splitting a
 * region, mprotect, MAP_FIXED over existing pages, and all of it after fork
 * (each change in one process must not show in the other). */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static int wait_ok(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    for (int i = 0; i < 8 * PAGE; i++)
        CHECK(p[i] == 0); /* demand-zero */
    memset(p, 'a', 8 * PAGE);

    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* Changes in the child, under tables still shared with the parent. */
        if (munmap(p + 2 * PAGE, 2 * PAGE) || mprotect(p + 5 * PAGE, PAGE, PROT_READ))
            _exit(1);
        char *q = mmap(p + 6 * PAGE, PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (q != p + 6 * PAGE || q[0] != 0) /* MAP_FIXED replaced the page */
            _exit(2);
        p[0] = 'c';
        _exit(p[PAGE] == 'a' && p[4 * PAGE] == 'a' ? 0 : 3);
    }
    CHECK(wait_ok(pid));
    for (int i = 0; i < 8 * PAGE; i++)
        CHECK(p[i] == 'a'); /* none of the child's changes reached us */
    p[5 * PAGE] = 'b';      /* still writable here */
    p[6 * PAGE] = 'b';

    CHECK_EQ(munmap(p + PAGE, PAGE), 0); /* a hole: the region splits in two */
    CHECK(p[0] == 'a' && p[2 * PAGE] == 'a');
    CHECK_EQ(mprotect(p, 8 * PAGE, PROT_READ), -1); /* the hole is not mapped */
    CHECK_EQ(errno, ENOMEM);
    CHECK_EQ(mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ), 0);
    CHECK_EQ(mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE), 0);
    p[2 * PAGE] = 'd'; /* writable again */
    /* The kernel copies obey the regions' permissions too. */
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(mprotect(p + 3 * PAGE, PAGE, PROT_NONE), 0);
    CHECK_EQ(write(fds[1], p + 3 * PAGE, 1), -1); /* cannot be read from */
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(mprotect(p + 3 * PAGE, PAGE, PROT_READ), 0);
    CHECK_EQ(write(fds[1], p + 3 * PAGE, 1), 1); /* readable now */
    CHECK_EQ(read(fds[0], p + 3 * PAGE, 1), -1); /* but not writable */
    CHECK_EQ(errno, EFAULT);
    close(fds[0]);
    close(fds[1]);
    CHECK_EQ(munmap(p, 8 * PAGE), 0);
    printf("mmap: ok\n");
    return 0;
}
