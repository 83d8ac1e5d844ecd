/* vmstat.c - the virtual-memory counters (SYS_cowl_vmstat) count what
 * really happens: demand-zero fills, forks, unshares by level, COW copies,
 * take-backs and reuses, and the census of shared tables agrees with the
 * refcounts.  Each check is an exact delta around one action whose effect
 * the design fixes (docs/fork.md, sections 3-4), so a counter that is missed,
 * double-counted or counted at the wrong level fails. */
#include "check.h"
#include <cowl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE  4096
#define PAGES 16

static void snap(struct vm_stats *s) { CHECK_EQ(cowl_vmstat(s), 0); }

static void demand_zero(void)
{
    char *m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    struct vm_stats a, b;
    snap(&a);
    for (int i = 0; i < PAGES; i++)
        m[i * PAGE] = 1;
    snap(&b);
    CHECK_EQ(b.ev.zero_fills - a.ev.zero_fills, PAGES);
    CHECK_EQ(b.ev.faults - a.ev.faults, PAGES);
    CHECK_EQ(b.user_pages - a.user_pages, PAGES);
    CHECK(a.free_pages - b.free_pages >= PAGES); /* the pages, and new tables */
    CHECK_EQ(b.ev.cow_copies - a.ev.cow_copies, 0);
    CHECK_EQ(munmap(m, PAGES * PAGE), 0);
    snap(&a);
    CHECK_EQ(b.user_pages - a.user_pages, PAGES);
}

/* In a freshly forked child: the first write to a page the parent also
 * maps copies the PDPT, PD and PT on its path and the page itself. */
static int child_first_write(char *data)
{
    struct vm_stats a, b;
    snap(&a); /* writing `a` unshares the stack's path now, not below */
    snap(&a);
    data[0] = 2;
    snap(&b);
    int bad = 0;
    for (int l = 1; l <= 3; l++) {
        bad |= b.ev.unshare_copies[l] - a.ev.unshare_copies[l] != 1;
        bad |= b.ev.unshare_takebacks[l] - a.ev.unshare_takebacks[l] != 0;
    }
    bad |= b.ev.cow_copies - a.ev.cow_copies != 1;
    bad |= b.ev.faults - a.ev.faults != 1;
    bad |= b.ev.zero_fills - a.ev.zero_fills != 0;
    if (bad)
        printf("child: unshare copies %lu %lu %lu, COW copies %lu, faults %lu\n",
               (unsigned long)(b.ev.unshare_copies[3] - a.ev.unshare_copies[3]),
               (unsigned long)(b.ev.unshare_copies[2] - a.ev.unshare_copies[2]),
               (unsigned long)(b.ev.unshare_copies[1] - a.ev.unshare_copies[1]),
               (unsigned long)(b.ev.cow_copies - a.ev.cow_copies),
               (unsigned long)(b.ev.faults - a.ev.faults));
    return bad;
}

static void fork_unshare_takeback(void)
{
    int old_mode = cowl_fork_mode(COWL_FORK_SHARE);
    char *data = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(data != MAP_FAILED);
    data[0] = 1;
    int go[2];
    CHECK_EQ(pipe(go), 0);
    struct vm_stats a, b;
    snap(&a);
    snap(&a);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char c;
        read(go[0], &c, 1); /* until the parent has looked */
        _exit(child_first_write(data));
    }
    snap(&b);
    CHECK_EQ(b.ev.forks[0] - a.ev.forks[0], 1);
    /* Shared now: some tables, each by exactly the two of us. */
    uint64_t shared = 0;
    for (int l = 1; l <= 3; l++) {
        shared += b.tables_shared[l] - a.tables_shared[l];
        CHECK_EQ(b.table_sharers[l] - a.table_sharers[l],
                 2 * (b.tables_shared[l] - a.tables_shared[l]));
    }
    CHECK(b.tables_shared[3] > a.tables_shared[3]); /* fork shares PDPTs */
    CHECK(shared > 0);
    CHECK_EQ(b.tables_shared[4], 0); /* a PML4 is never shared */
    write(go[1], "g", 1);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* The child copied our tables and page; we are their last user: the
     * write takes each table back and reuses the page, copying nothing. */
    snap(&a);
    data[0] = 3;
    snap(&b);
    for (int l = 1; l <= 3; l++) {
        CHECK_EQ(b.ev.unshare_takebacks[l] - a.ev.unshare_takebacks[l], 1);
        CHECK_EQ(b.ev.unshare_copies[l] - a.ev.unshare_copies[l], 0);
    }
    CHECK_EQ(b.ev.cow_reuses - a.ev.cow_reuses, 1);
    CHECK_EQ(b.ev.cow_copies - a.ev.cow_copies, 0);
    CHECK_EQ(munmap(data, PAGE), 0);
    close(go[0]);
    close(go[1]);
    cowl_fork_mode(old_mode);
}

static void bad_pointer(void)
{
    errno = 0;
    CHECK_EQ(cowl_vmstat((struct vm_stats *)0x10), -1);
    CHECK_EQ(errno, EFAULT);
    errno = 0;
    CHECK_EQ(cowl_vmstat((struct vm_stats *)0xffff800000000000ul), -1);
    CHECK_EQ(errno, EFAULT);
}

int main(void)
{
    demand_zero();
    fork_unshare_takeback();
    bad_pointer();
    return 0;
}
