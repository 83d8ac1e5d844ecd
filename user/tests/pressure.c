/* pressure.c - memory pressure: with this process holding 70% of free
 * memory, fork in share mode 100 children that all exit at once, and reap
 * them.  Each fork costs a PML4 page and a kernel stack, never a copy of the
 * tables or pages, so all 100 must succeed. */
#include "check.h"
#include <cowl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 100
#define PAGE     4096

int main(void)
{
    CHECK(cowl_fork_mode(COWL_FORK_SHARE) >= 0);
    uint64_t free_pages, total;
    CHECK_EQ(cowl_memstat(&free_pages, &total), 0);
    size_t n = free_pages * 7 / 10 * PAGE;
    char *big = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(big != MAP_FAILED);
    for (size_t i = 0; i < n; i += PAGE)
        big[i] = 1;
    int go[2];
    CHECK_EQ(pipe(go), 0);
    pid_t kids[CHILDREN];
    for (int k = 0; k < CHILDREN; k++) {
        kids[k] = fork();
        CHECK(kids[k] >= 0);
        if (kids[k] > 0) /* share mode: the child's PML4, never the tables below */
            CHECK(cowl_fork_tables() <= 2);
        if (kids[k] == 0) {
            char c;
            close(go[1]);
            read(go[0], &c, 1); /* returns 0 when the parent closes its end */
            _exit(big[PAGE * k] == 1 ? 0 : 1);
        }
    }
    close(go[0]);
    close(go[1]); /* all of them go at once */
    for (int k = 0; k < CHILDREN; k++) {
        int status;
        CHECK_EQ(waitpid(kids[k], &status, 0), kids[k]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK_EQ(munmap(big, n), 0);
    printf("pressure: %d children of a process holding %zu MiB\n", CHILDREN, n >> 20);
    return 0;
}
