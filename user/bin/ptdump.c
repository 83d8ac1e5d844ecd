/* ptdump - print page-table trees, for reading or for drawing.
 *
 *   ptdump [PID...]              the tree of each process (default: itself)
 *   ptdump -demo fork|write|tree set up a scenario of forked processes and
 *                                print all their trees (docs/pictures.md)
 *
 * One line per table, in a format tools/ptgraph.py reads to draw the trees
 * of several processes as one graph (a shared table is one node there,
 * with an edge from every process's table that points to it):
 *
 *   ptdump begin NAME
 *   ptdump proc pid=P label=TEXT
 *   ptdump table pid=P level=L table=0x.. parent=0x.. index=I va=0x..
 *                refcount=R entries=E flags=w,cow shared=S writable=W
 *   ptdump end
 *
 * The records come from SYS_cowl_ptdump (include/uapi/ptdump.h). */
#include <cowl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_NODES 512
#define DATA_SIZE (4ul << 20) /* two PTs' worth: pages 0 and 512 are in different PTs */

static struct pt_node nodes[MAX_NODES];

static const char *const level_name[] = {"", "PT", "PD", "PDPT", "PML4"};

static int dump(int pid, const char *label)
{
    long n = cowl_ptdump(pid, nodes, MAX_NODES);
    if (n < 0) {
        printf("ptdump: process %d: no such process with an address space\n", pid);
        return -1;
    }
    if (pid == 0)
        pid = getpid();
    printf("ptdump proc pid=%d label=%s\n", pid, label);
    for (long i = 0; i < n && i < MAX_NODES; i++) {
        const struct pt_node *t = &nodes[i];
        printf("ptdump table pid=%d level=%d name=%s table=0x%lx parent=0x%lx index=%u va=0x%lx "
               "refcount=%u entries=%u flags=%s%s shared=%u writable=%u\n",
               pid, t->level, level_name[t->level], (unsigned long)t->table,
               (unsigned long)t->parent, t->index, (unsigned long)t->va, t->refcount, t->entries,
               t->flags & PTN_WRITABLE ? "w" : "r", t->flags & PTN_COW_TABLE ? ",cow" : "",
               t->pages_shared, t->pages_writable);
    }
    if (n > MAX_NODES)
        printf("ptdump: process %d: %ld tables, only the first %d shown\n", pid, n, MAX_NODES);
    return 0;
}

/* ---- the demos.  The observer (this program) does not take part: it
 * execs a fresh `ptdump -scenario NAME ...` as the root of the scenario, so
 * that nothing it does (its own writes unshare what it shares) shows in the
 * picture.  Every process of the scenario sets up its memory, tells the
 * observer it is ready, and blocks on the go pipe until all are dumped. */

struct ready {
    int pid, rank; /* rank: the order the trees are printed in */
    char label[56];
};

struct scenario {
    const char *name;
    int processes;
    void (*root)(void);
};

static int ready_fd, go_fd; /* the scenario's ends of the two pipes */
static char *data;

static void say_ready(int rank, const char *label)
{
    struct ready r = {getpid(), rank, ""};
    strncpy(r.label, label, sizeof(r.label) - 1);
    write(ready_fd, &r, sizeof(r));
}

/* Block until the observer closes the go pipe; then collect children. */
static void wait_for_go(void)
{
    char c;
    read(go_fd, &c, 1);
    while (wait(NULL) > 0)
        ;
}

static void spawn(void (*body)(void))
{
    if (fork() == 0) {
        body();
        wait_for_go();
        _exit(0);
    }
}

static void child_reads(void) { say_ready(1, "child (has not written)"); }
static void child_b_reads(void) { say_ready(2, "child B (has not written)"); }

static void child_writes(void)
{
    data[0] = 'c'; /* the first write: unshare the path, copy the page */
    say_ready(1, "child (wrote data page 0)");
}

static void grandchild_writes(void)
{
    data[512 * 4096] = 'g'; /* a page under the other PT */
    say_ready(3, "grandchild (wrote data page 512)");
}

static void child_writes_and_forks(void)
{
    data[0] = 'a';
    spawn(grandchild_writes);
    say_ready(1, "child A (wrote page 0, forked)");
}

static void root_fork(void) { spawn(child_reads); }
static void root_write(void) { spawn(child_writes); }
static void root_tree(void)
{
    spawn(child_writes_and_forks);
    spawn(child_b_reads);
}

static const struct scenario scenarios[] = {
    {"fork", 2, root_fork},   /* right after fork */
    {"write", 2, root_write}, /* after the child's first write */
    {"tree", 4, root_tree},   /* three generations */
};

static const struct scenario *find_scenario(const char *name)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        if (!strcmp(scenarios[i].name, name))
            return &scenarios[i];
    printf("ptdump: no demo called '%s' (fork, write, tree)\n", name);
    return NULL;
}

/* The root of a scenario, in a fresh address space. */
static int scenario(const char *name, int rfd, int gfd)
{
    const struct scenario *sc = find_scenario(name);
    ready_fd = rfd;
    go_fd = gfd;
    data = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sc || data == MAP_FAILED)
        return 1;
    data[0] = data[512 * 4096] = 'p'; /* the parent's pages, in two PTs */
    sc->root();
    say_ready(0, "parent");
    wait_for_go();
    return 0;
}

static int demo(const char *name)
{
    const struct scenario *sc = find_scenario(name);
    int rp[2], gp[2];
    if (!sc)
        return 2;
    if (pipe(rp) || pipe(gp)) {
        perror("ptdump: pipe");
        return 1;
    }
    pid_t root = fork();
    if (root == 0) {
        char rfd[12], gfd[12];
        snprintf(rfd, sizeof(rfd), "%d", rp[1]);
        snprintf(gfd, sizeof(gfd), "%d", gp[0]);
        close(rp[0]);
        close(gp[1]);
        char *argv[] = {"ptdump", "-scenario", (char *)name, rfd, gfd, NULL};
        execv("/bin/ptdump", argv);
        _exit(127);
    }
    close(rp[1]);
    close(gp[0]);
    struct ready r[4], t;
    int n = 0;
    while (n < sc->processes && read(rp[0], &r[n], sizeof(r[n])) == sizeof(r[n]))
        n++;
    for (int i = 1; i < n; i++) /* by rank */
        for (int j = i; j > 0 && r[j - 1].rank > r[j].rank; j--)
            t = r[j], r[j] = r[j - 1], r[j - 1] = t;
    printf("ptdump begin %s\n", name);
    for (int i = 0; i < n; i++)
        dump(r[i].pid, r[i].label);
    printf("ptdump end\n");
    close(gp[1]); /* everyone may go */
    close(rp[0]);
    waitpid(root, NULL, 0);
    return n == sc->processes ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "-demo"))
        return demo(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "-scenario"))
        return scenario(argv[2], atoi(argv[3]), atoi(argv[4]));
    static const char usage[] = "usage: ptdump [PID...] | ptdump -demo fork|write|tree\n";
    if (argc > 1 && !strcmp(argv[1], "-h")) {
        printf("%s", usage);
        return 0;
    }
    if (argc > 1 && argv[1][0] == '-') {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    int err = 0;
    printf("ptdump begin pids\n");
    if (argc == 1)
        err |= dump(0, "ptdump");
    for (int i = 1; i < argc; i++)
        err |= dump(atoi(argv[i]), "process");
    printf("ptdump end\n");
    return err ? 1 : 0;
}
