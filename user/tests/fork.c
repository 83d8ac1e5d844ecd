/* fork.c - fork semantics over shared copy-on-write page tables: after fork
 * each side sees only its own writes, whichever level of the page-table
 * tree the written pages share (same 2 MiB, same 1 GiB, another 512 GiB
 * slot), across generations, and between siblings. */
#include "check.h"
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 8
#define PAGE  4096

static char data_area[PAGES * PAGE] __attribute__((aligned(PAGE))); /* .bss */
static char *near_area; /* mmap area: another PML4 slot (32) than .bss (0) */
static char *far_area;  /* another PML4 slot (512 GiB away) */

static char *areas[3];
static const char *names[3] = {"bss", "mmap", "far"};

static void fill(char v)
{
    for (int a = 0; a < 3; a++)
        for (int p = 0; p < PAGES; p++)
            memset(areas[a] + p * PAGE, v, PAGE);
}

/* Every byte of every area is v? */
static int holds(char v)
{
    for (int a = 0; a < 3; a++)
        for (int i = 0; i < PAGES * PAGE; i++)
            if (areas[a][i] != v) {
                printf("fork: %s[%d] = %d, want %d (pid %d)\n", names[a], i, areas[a][i], v,
                       getpid());
                return 0;
            }
    return 1;
}

static int wait_ok(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Parent and child each write their own value after fork, both orders. */
static void own_writes_only(void)
{
    fill('P');
    int to_child[2], to_parent[2];
    CHECK_EQ(pipe(to_child), 0);
    CHECK_EQ(pipe(to_parent), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    char token;
    if (pid == 0) {
        if (!holds('P'))
            _exit(2);
        fill('C'); /* child writes first */
        write(to_parent[1], "c", 1);
        read(to_child[0], &token, 1); /* parent has written 'Q' by now */
        _exit(holds('C') ? 0 : 3);
    }
    read(to_parent[0], &token, 1);
    CHECK(holds('P')); /* the child's writes stayed in the child */
    fill('Q');
    write(to_child[1], "p", 1);
    CHECK(wait_ok(pid));
    CHECK(holds('Q'));
    for (int i = 0; i < 2; i++) {
        close(to_child[i]);
        close(to_parent[i]);
    }
}

/* fork in fork in fork: each generation writes its depth; every process
 * checks that its own view holds its own depth after its children ran. */
static int generation(int depth)
{
    fill('0' + depth);
    if (depth < 4) {
        pid_t pid = fork();
        if (pid < 0)
            return 0;
        if (pid == 0)
            _exit(generation(depth + 1) ? 0 : 1);
        if (!wait_ok(pid))
            return 0;
    }
    return holds('0' + depth);
}

/* Siblings writing the same pages at once. */
static void siblings(void)
{
    fill('S');
    pid_t kids[6];
    for (int k = 0; k < 6; k++) {
        kids[k] = fork();
        CHECK(kids[k] >= 0);
        if (kids[k] == 0) {
            for (int round = 0; round < 20; round++) {
                fill('a' + k);
                sched_yield();
                if (!holds('a' + k))
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (int k = 0; k < 6; k++)
        CHECK(wait_ok(kids[k]));
    CHECK(holds('S'));
}

int main(void)
{
    areas[0] = data_area;
    near_area =
        mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    far_area = mmap((void *)0x0000300000000000ul, PAGES * PAGE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(near_area != MAP_FAILED && far_area != MAP_FAILED);
    areas[1] = near_area;
    areas[2] = far_area;
    own_writes_only();
    CHECK(generation(0));
    siblings();
    printf("fork: ok\n");
    return 0;
}
