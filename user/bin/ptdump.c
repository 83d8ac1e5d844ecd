/* ptdump - print page-table trees, for reading or for drawing.
 *
 *   ptdump [PID...]              the tree of each process (default: itself)
 *   ptdump -demo fork|write|tree set up a scenario of forked processes and
 *                                print all their trees (docs/pictures.md)
 *   ptdump -demo vmfork|vmwrite  the same for a VM forked twice with
 *                                cowl_vm_fork: its nested tables
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
 * A VM's tree says `ptdump vm vm=N label=TEXT` and `ptdump table vm=N ...`
 * instead (N: its generation in the demo), and va= is a guest-physical
 * address: a VM's nested page tables map guest-physical to host memory.
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

/* Print the n records in nodes[] as the tree of owner `key`=id: key is
 * "pid" for a process (its line says `proc`), "vm" for a VM. */
static void print_tree(const char *key, int id, const char *label, long n)
{
    printf("ptdump %s %s=%d label=%s\n", strcmp(key, "pid") ? key : "proc", key, id, label);
    for (long i = 0; i < n && i < MAX_NODES; i++) {
        const struct pt_node *t = &nodes[i];
        printf("ptdump table %s=%d level=%d name=%s table=0x%lx parent=0x%lx index=%u va=0x%lx "
               "refcount=%u entries=%u flags=%s%s shared=%u writable=%u\n",
               key, id, t->level, level_name[t->level], (unsigned long)t->table,
               (unsigned long)t->parent, t->index, (unsigned long)t->va, t->refcount, t->entries,
               t->flags & PTN_WRITABLE ? "w" : "r", t->flags & PTN_COW_TABLE ? ",cow" : "",
               t->pages_shared, t->pages_writable);
    }
    if (n > MAX_NODES)
        printf("ptdump: %s %d: %ld tables, only the first %d shown\n", key, id, n, MAX_NODES);
}

static int dump(int pid, const char *label)
{
    long n = cowl_ptdump(pid, nodes, MAX_NODES);
    if (n < 0) {
        printf("ptdump: process %d: no such process with an address space\n", pid);
        return -1;
    }
    print_tree("pid", pid ? pid : getpid(), label, n);
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
    printf("ptdump: no demo called '%s' (fork, write, tree, vmfork, vmwrite)\n", name);
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

/* ---- the VM demos.  Here this program is the monitor: the trees it dumps
 * are the VMs' nested tables, not its own, so it needs no observer.  One
 * VM (vm 1) touches a page in every MiB of its RAM; cowl_vm_fork (share
 * mode) clones it as vm 2, and vm 2 as vm 3.  In `vmwrite`, vm 2 then
 * writes one page, which unshares its path to that page. */

#define VM_RAM      (8ul << 20) /* one PD, four PTs (one per 2 MiB) */
#define VM_CODE_AT  0x8000      /* the code's page, under the first PT */
#define VM_STRIDE   (1ul << 20) /* vm 1 writes one page per MiB ... */
#define VM_TOUCHES  7           /* ... from 1 MiB to 7 MiB: two pages per PT */
#define VM_WRITE_AT (4ul << 20) /* the page vm 2 writes (under the third PT) */

/* ecx times: the byte al at edi, then edi += esi.  Then hlt.  32-bit
 * protected mode, flat segments, no paging (as in vmbench.c). */
static const uint8_t touch_code[] = {
    0x88, 0x07, /* 0: mov [edi], al */
    0x01, 0xf7, /* 2: add edi, esi */
    0x49,       /* 4: dec ecx */
    0x75, 0xf9, /* 5: jnz 0 */
    0xf4,       /* 7: hlt */
};

/* Run the touch code on vCPU cpu: count bytes `value`, from gpa `at` on,
 * `stride` apart.  0 when it ended at its HLT. */
static int vm_touch(int cpu, struct cowl_vm_exit *ex, uint8_t value, uint64_t at, uint64_t stride,
                    uint64_t count)
{
    struct cowl_vcpu_regs r;
    if (cowl_vcpu_regs(cpu, &r, COWL_VCPU_GET))
        return -1;
    cowl_flat32_regs(&r, VM_CODE_AT);
    r.rax = value;
    r.rdi = at;
    r.rsi = stride;
    r.rcx = count;
    if (cowl_vcpu_regs(cpu, &r, COWL_VCPU_SET) || cowl_vcpu_run(cpu, ex))
        return -1;
    return ex->kind == COWL_EXIT_HLT && ex->rip == VM_CODE_AT + sizeof(touch_code) - 1 ? 0 : -1;
}

/* Clone VM vm and its vCPU cpu (share mode, whatever this process's fork
 * mode): the new VM's descriptor, its vCPU's in *cpu2. */
static int vm_clone(int vm, int cpu, int *cpu2)
{
    int vm2 = cowl_vm_fork(vm, COWL_FORK_SHARE);
    *cpu2 = vm2 < 0 ? -1 : cowl_vcpu_fork(cpu, vm2);
    return *cpu2 < 0 ? -1 : vm2;
}

static int vm_dump(int vm, int id, const char *label)
{
    long n = cowl_vm_ptdump(vm, nodes, MAX_NODES);
    if (n < 0)
        return -1;
    print_tree("vm", id, label, n);
    return 0;
}

/* The byte at gpa in VM vm (a read: it unshares nothing). */
static int vm_byte(int vm, uint64_t gpa)
{
    uint8_t b;
    return cowl_vm_memory(vm, gpa, &b, 1, COWL_VM_READ) ? -1 : b;
}

static int vm_demo(const char *name)
{
    int write = !strcmp(name, "vmwrite");
    struct cowl_vm_exit ex = {0};
    int cpu[3], vm[3];
    vm[0] = cowl_vm_create(VM_RAM);
    if (vm[0] < 0) {
        perror("ptdump: cowl_vm_create (no hypervisor?)");
        return 1;
    }
    cpu[0] = cowl_vcpu_create(vm[0]);
    if (cpu[0] < 0 ||
        cowl_vm_memory(vm[0], VM_CODE_AT, (void *)touch_code, sizeof(touch_code), COWL_VM_WRITE) ||
        vm_touch(cpu[0], &ex, 'p', VM_STRIDE, VM_STRIDE, VM_TOUCHES)) {
        printf("ptdump: %s: vm 1 did not run its touch code\n", name);
        return 1;
    }
    if ((vm[1] = vm_clone(vm[0], cpu[0], &cpu[1])) < 0 ||
        (vm[2] = vm_clone(vm[1], cpu[1], &cpu[2])) < 0) {
        perror("ptdump: cowl_vm_fork");
        return 1;
    }
    if (write && vm_touch(cpu[1], &ex, 'c', VM_WRITE_AT, 0, 1)) {
        printf("ptdump: %s: vm 2 did not write its page\n", name);
        return 1;
    }
    printf("ptdump begin %s\n", name);
    int err = vm_dump(vm[0], 1, "parent (wrote a page per MiB)");
    err |= vm_dump(vm[1], 2,
                   write ? "child (vmfork of vm 1, wrote gpa 0x400000)" : "child (vmfork of vm 1)");
    err |= vm_dump(vm[2], 3, "grandchild (vmfork of vm 2)");
    printf("ptdump end\n");
    /* Each VM sees its own bytes: only vm 2's write changed vm 2. */
    if (vm_byte(vm[0], VM_WRITE_AT) != 'p' || vm_byte(vm[2], VM_WRITE_AT) != 'p' ||
        vm_byte(vm[1], VM_WRITE_AT) != (write ? 'c' : 'p')) {
        printf("ptdump: %s: a VM sees another's write\n", name);
        err = -1;
    }
    for (int i = 0; i < 3; i++) {
        close(cpu[i]);
        close(vm[i]);
    }
    return err ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "-demo") &&
        (!strcmp(argv[2], "vmfork") || !strcmp(argv[2], "vmwrite")))
        return vm_demo(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "-demo"))
        return demo(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "-scenario"))
        return scenario(argv[2], atoi(argv[3]), atoi(argv[4]));
    static const char usage[] =
        "usage: ptdump [PID...] | ptdump -demo fork|write|tree|vmfork|vmwrite\n";
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
