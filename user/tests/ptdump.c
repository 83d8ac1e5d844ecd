/* ptdump.c - SYS_cowl_ptdump describes the real tree: records come parents
 * first and each level hangs below the one above; after a fork (share mode)
 * parent and child reach the same PDPT, marked COW_TABLE, refcount 2; after
 * the child's first write its whole path to that page is its own, while
 * the tables it did not touch are still the parent's.  Bad arguments get
 * errors. */
#include "check.h"
#include <cowl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define MAXN 256
#define SIZE (4ul << 20) /* two PTs */

static struct pt_node mine[MAXN], theirs[MAXN];

static long dump(int pid, struct pt_node *n)
{
    long count = cowl_ptdump(pid, n, MAXN);
    CHECK(count > 0 && count <= MAXN);
    return count;
}

/* The table at `level` on the path to va, or NULL. */
static const struct pt_node *on_path(const struct pt_node *n, long count, uint64_t va, int level)
{
    uint64_t span = 1ul << (12 + 9 * level); /* what one table at `level` covers */
    for (long i = 0; i < count; i++)
        if (n[i].level == level && va - n[i].va < span)
            return &n[i];
    return NULL;
}

static void shape_is_a_tree(void)
{
    long count = dump(0, mine);
    CHECK_EQ(mine[0].level, 4);
    CHECK_EQ(mine[0].parent, 0);
    for (long i = 1; i < count; i++) {
        long p = -1;
        for (long j = 0; j < i; j++)
            if (mine[j].table == mine[i].parent)
                p = j;
        CHECK(p >= 0); /* parents first */
        CHECK_EQ(mine[i].level, mine[p].level - 1);
        CHECK(mine[i].va >= mine[p].va);
    }
    /* Our own code is mapped: the PT covering main() has pages. */
    const struct pt_node *pt = on_path(mine, count, (uint64_t)&shape_is_a_tree, 1);
    CHECK(pt != NULL);
    CHECK(pt->entries > 0);
}

static void fork_shares_then_write_unshares(void)
{
    int old_mode = cowl_fork_mode(COWL_FORK_SHARE);
    char *data = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(data != MAP_FAILED);
    uint64_t va = (uint64_t)data, other = va + SIZE / 2; /* under another PT */
    data[0] = data[SIZE / 2] = 1;
    int go[2], done[2];
    CHECK_EQ(pipe(go), 0);
    CHECK_EQ(pipe(done), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char c;
        read(go[0], &c, 1);
        data[0] = 2; /* the first write */
        write(done[1], "d", 1);
        read(go[0], &c, 1);
        _exit(0);
    }
    long nm = dump(0, mine), nt = dump(pid, theirs);
    const struct pt_node *a = on_path(mine, nm, va, 3), *b = on_path(theirs, nt, va, 3);
    CHECK(a && b);
    CHECK_EQ(a->table, b->table); /* one PDPT for both */
    CHECK_EQ(a->refcount, 2);
    CHECK(a->flags & PTN_COW_TABLE);
    CHECK(!(a->flags & PTN_WRITABLE));
    CHECK(on_path(mine, nm, va, 4)->table != on_path(theirs, nt, va, 4)->table);

    char c;
    write(go[1], "g", 1);
    CHECK_EQ(read(done[0], &c, 1), 1);
    nm = dump(0, mine);
    nt = dump(pid, theirs);
    for (int level = 3; level >= 1; level--) {
        a = on_path(mine, nm, va, level);
        b = on_path(theirs, nt, va, level);
        CHECK(a && b);
        CHECK(a->table != b->table); /* the child's path is its own now */
        CHECK_EQ(b->refcount, 1);
        CHECK(b->flags & PTN_WRITABLE);
        CHECK(!(b->flags & PTN_COW_TABLE));
    }
    /* The PT of the other half was not written: the child's new PD points
     * to the same PT as ours.  (Not our code's tables: dumping into `mine`
     * writes our .bss, which unshares that path on our side.) */
    a = on_path(mine, nm, other, 1);
    b = on_path(theirs, nt, other, 1);
    CHECK(a && b);
    CHECK_EQ(a->table, b->table);
    CHECK_EQ(a->refcount, 2);
    CHECK(on_path(mine, nm, other, 2)->table != on_path(theirs, nt, other, 2)->table);
    write(go[1], "g", 1);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(go[0]);
    close(go[1]);
    close(done[0]);
    close(done[1]);
    CHECK_EQ(munmap(data, SIZE), 0);
    cowl_fork_mode(old_mode);
}

static void bad_arguments(void)
{
    errno = 0;
    CHECK_EQ(cowl_ptdump(99999, mine, MAXN), -1);
    CHECK_EQ(errno, ESRCH);
    errno = 0;
    CHECK_EQ(cowl_ptdump(0, (struct pt_node *)0x10, MAXN), -1);
    CHECK_EQ(errno, EFAULT);
    errno = 0;
    CHECK_EQ(cowl_ptdump(0, (struct pt_node *)0xffffffff80000000ul, MAXN), -1);
    CHECK_EQ(errno, EFAULT);
    long all = cowl_ptdump(0, mine, MAXN);
    CHECK(all > 1);
    CHECK_EQ(cowl_ptdump(0, mine, 1), all); /* the whole count, one record */
    CHECK_EQ(cowl_ptdump(0, NULL, 0), all);
}

int main(void)
{
    shape_is_a_tree();
    fork_shares_then_write_unshares();
    bad_arguments();
    return 0;
}
