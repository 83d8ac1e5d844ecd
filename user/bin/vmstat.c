/* vmstat - what the virtual-memory system holds and has done.
 *
 *   vmstat                 memory, page tables by level (private, shared,
 *                          kernel), events since boot, and per-CPU TLB work
 *   vmstat PROGRAM ARGS... run the program and print only what changed
 *                          while it ran (events; the table census is as
 *                          it is afterwards)
 *
 * The numbers come from SYS_cowl_vmstat (include/uapi/vmstat.h),
 * SYS_cowl_cpustat (include/uapi/cpustat.h) and, for virtual machines,
 * SYS_cowl_virtstat (include/uapi/vm.h). */
#include <cowl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CPUS 8

static const char *const level_name[VM_LEVELS] = {"", "PT", "PD", "PDPT", "PML4"};

static unsigned long u(uint64_t v) { return (unsigned long)v; }

static void print_memory(const struct vm_stats *s)
{
    printf("memory: %lu pages, %lu free, %lu user data, %lu heap, %lu other kernel\n",
           u(s->total_pages), u(s->free_pages), u(s->user_pages), u(s->heap_pages),
           u(s->kernel_pages));
}

/* The census of user page tables, and the unshares, one row per level. */
static void print_tables(const struct vm_stats *s, const struct vm_stats *before)
{
    printf("tables: level  private  shared  sharers  kernel  unshare-copies  unshare-takebacks\n");
    for (int l = 4; l >= 1; l--) {
        uint64_t copies = s->ev.unshare_copies[l], backs = s->ev.unshare_takebacks[l];
        if (before) {
            copies -= before->ev.unshare_copies[l];
            backs -= before->ev.unshare_takebacks[l];
        }
        printf("        %-5s %8lu %7lu %8lu %7lu %15lu %18lu\n", level_name[l],
               u(s->tables_private[l]), u(s->tables_shared[l]), u(s->table_sharers[l]),
               u(s->kernel_tables[l]), u(copies), u(backs));
    }
}

static void print_events(const struct vm_events *e, const struct vm_events *before)
{
    struct vm_events d = *e;
    if (before) {
        d.faults -= before->faults;
        d.zero_fills -= before->zero_fills;
        d.cow_copies -= before->cow_copies;
        d.cow_reuses -= before->cow_reuses;
        for (int m = 0; m < 3; m++)
            d.forks[m] -= before->forks[m];
    }
    printf("faults: %lu (demand-zero %lu, cow-copies %lu, cow-reuses %lu)\n", u(d.faults),
           u(d.zero_fills), u(d.cow_copies), u(d.cow_reuses));
    printf("forks:  share %lu, copy %lu, eager %lu\n", u(d.forks[0]), u(d.forks[1]), u(d.forks[2]));
}

static void print_cpus(const struct cpu_stats *st, const struct cpu_stats *before, int n)
{
    printf("cpu  shootdowns  ipis-sent  ipis-received  flushes  full-flushes\n");
    for (int i = 0; i < n; i++) {
        struct cpu_stats c = st[i];
        if (before) {
            c.tlb_shootdowns -= before[i].tlb_shootdowns;
            c.tlb_ipis_sent -= before[i].tlb_ipis_sent;
            c.tlb_ipis_received -= before[i].tlb_ipis_received;
            c.tlb_flushes -= before[i].tlb_flushes;
            c.tlb_full_flushes -= before[i].tlb_full_flushes;
        }
        printf("%3d %11lu %10lu %14lu %8lu %13lu\n", i, u(c.tlb_shootdowns), u(c.tlb_ipis_sent),
               u(c.tlb_ipis_received), u(c.tlb_flushes), u(c.tlb_full_flushes));
    }
}

/* The hypervisor's line: VMs and vCPUs now, then what happened (or what
 * changed while PROGRAM ran): runs, exits handled in the kernel, exits to
 * the monitor by kind.  Nothing if the kernel has no such call. */
static void print_virt(const struct cowl_virt_stats *v, const struct cowl_virt_stats *before)
{
    struct cowl_virt_stats d = *v;
    if (before) {
        uint64_t *f = (uint64_t *)&d;
        const uint64_t *b = (const uint64_t *)before;
        for (size_t i = 2; i < sizeof(d) / sizeof(uint64_t); i++) /* all but vms, vcpus */
            f[i] -= b[i];
    }
    printf("virt:   %lu VMs, %lu vCPUs, %lu vmforks; runs %lu, in-kernel: intr %lu, "
           "nested-faults %lu (copy-on-write %lu), cpuid %lu, hypercall %lu\n",
           u(d.vms), u(d.vcpus), u(d.vm_forks), u(d.runs), u(d.exits_intr), u(d.nested_faults),
           u(d.nested_cow_faults), u(d.cpuids), u(d.hypercalls_kernel));
    printf("        to the monitor: io %lu, hypercall %lu, hlt %lu, mmio %lu, shutdown %lu, other %lu,"
           " timeout %lu; tlb flushes %lu\n",
           u(d.exits[COWL_EXIT_IO]), u(d.exits[COWL_EXIT_HYPERCALL]), u(d.exits[COWL_EXIT_HLT]),
           u(d.exits[COWL_EXIT_MMIO]), u(d.exits[COWL_EXIT_SHUTDOWN]),
           u(d.exits[COWL_EXIT_UNHANDLED]), u(d.exits[COWL_EXIT_TIMEOUT]), u(d.tlb_flushes));
}

static int run(char **argv)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("vmstat: fork");
        return -1;
    }
    if (pid == 0) {
        execv(argv[0], argv);
        perror("vmstat: exec");
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    return status;
}

int main(int argc, char **argv)
{
    static struct vm_stats s, before;
    static struct cpu_stats cpus[MAX_CPUS], cpus_before[MAX_CPUS];
    static struct cowl_virt_stats virt, virt_before;
    static const char usage[] = "usage: vmstat [PROGRAM [ARG...]]\n";
    if (argc > 1 && argv[1][0] == '-') {
        bool help = !strcmp(argv[1], "-h");
        fprintf(help ? stdout : stderr, "%s", usage);
        return help ? 0 : 2;
    }
    bool delta = argc > 1;
    if (delta) {
        cowl_vmstat(&before);
        cowl_cpustat(cpus_before, MAX_CPUS);
        cowl_virtstat(&virt_before);
        int status = run(argv + 1);
        if (status < 0)
            return 1;
        printf("vmstat: %s exited with status %d; changes while it ran:\n", argv[1], status);
    }
    if (cowl_vmstat(&s) < 0) {
        perror("vmstat");
        return 1;
    }
    int n = cowl_cpustat(cpus, MAX_CPUS);
    if (delta)
        printf("memory: %ld pages more free than before (user %ld, heap %ld, other kernel %ld)\n",
               (long)s.free_pages - (long)before.free_pages,
               (long)s.user_pages - (long)before.user_pages,
               (long)s.heap_pages - (long)before.heap_pages,
               (long)s.kernel_pages - (long)before.kernel_pages);
    else
        print_memory(&s);
    print_tables(&s, delta ? &before : NULL);
    print_events(&s.ev, delta ? &before.ev : NULL);
    print_cpus(cpus, delta ? cpus_before : NULL, n < 0 ? 0 : n);
    if (cowl_virtstat(&virt) == 0)
        print_virt(&virt, delta ? &virt_before : NULL);
    return 0;
}
