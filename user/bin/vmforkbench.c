/* vmforkbench.c - what forking a VM costs (`make bench`, docs/bench.md
 * "vmfork", docs/virt.md section 13):
 *
 *   vmfork mode=M guest_mib=S forks=N mean_us=... min_us=... ptpages=...
 *       cowl_vm_fork of a guest of S MiB whose every page the guest has
 *       written: only the call is timed, the clone is closed outside the
 *       timed region.  ptpages: nested table pages the fork allocated, the
 *       clone's tables that the parent's tree does not hold (cowl_vm_ptdump).
 *   vmfork firstwrite mode=share guest_mib=S rounds=5 firstwrite_us=...
 *       the clone's first guest write, split by the kernel's own timers
 *       (cowl_vmstat's unshare_ns and cow_ns) like forkcost's firstwrite.
 *
 * The guests are a few hand-assembled bytes of 32-bit protected-mode code
 * with flat segments and no paging, as in vmbench.c.  Every run's exit
 * and the guest's memory are checked: a guest that did something else is
 * an error (exit 1), never a number.
 *
 * Eager mode copies every page, so it needs the guest's size again in
 * free memory: a size that does not fit in this boot (2048 MiB in
 * `make bench`'s 3 GiB) is skipped with a line "vmforkbench: ... skipped"
 * instead of a measurement. */
#include "../include/bench.h"
#include <cowl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE      4096
#define CODE_AT   0x8000 /* guest-physical address of the code */
#define WRITE_AT  (CODE_AT + 0x40)
#define ROUNDS    5            /* first-write rounds; the median is printed */
#define MAX_NODES 2048         /* nested tables: 1028 for 2 GiB */
#define MARGIN    (64ul << 20) /* free memory eager mode leaves to everything else */

/* ecx pages from edi on: one byte written in each.  Then hlt.  edi starts
 * at the last byte of page 0, so the loop never writes over itself at
 * CODE_AT. */
static const uint8_t touch_code[] = {
    0xc6, 0x07, 0x01,                   /* 0:  mov byte [edi], 1 */
    0x81, 0xc7, 0x00, 0x10, 0x00, 0x00, /* 3:  add edi, 4096 */
    0x49,                               /* 9:  dec ecx */
    0x75, 0xf4,                         /* 10: jnz 0 */
    0xf4,                               /* 12: hlt */
};
#define TOUCH_HLT_AT (CODE_AT + 12)

/* One byte, al, at edi.  Then hlt.  Put at WRITE_AT before any fork, so
 * that a clone runs it without writing its code page. */
static const uint8_t write_code[] = {
    0x88, 0x07, /* 0: mov byte [edi], al */
    0xf4,       /* 2: hlt */
};
#define WRITE_HLT_AT (WRITE_AT + 2)

static const char *const mode_names[] = {"share", "copy", "eager"};
static const long sizes_mib[] = {16, 256, 1024, 2048};
#define NSIZES (int)(sizeof(sizes_mib) / sizeof(sizes_mib[0]))

static struct pt_node parent_nodes[MAX_NODES], clone_nodes[MAX_NODES];

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void fail(const char *what)
{
    fprintf(stderr, "vmforkbench: %s\n", what);
    exit(1);
}

/* Flat 32-bit protected mode without paging, caches on, at rip; the
 * registers the code reads are set here (as vmbench's guest_reset). */
static void set_regs(int cpu, uint64_t rip, uint64_t rax, uint64_t rcx, uint64_t rdi)
{
    struct cowl_vcpu_regs r;
    if (cowl_vcpu_regs(cpu, &r, COWL_VCPU_GET))
        die("vmforkbench: cowl_vcpu_regs get");
    cowl_flat32_regs(&r, rip);
    r.rax = rax;
    r.rcx = rcx;
    r.rdi = rdi;
    if (cowl_vcpu_regs(cpu, &r, COWL_VCPU_SET))
        die("vmforkbench: cowl_vcpu_regs set");
}

/* Run to the HLT at hlt_at, or fail. */
static void run_to_hlt(int cpu, uint64_t hlt_at)
{
    struct cowl_vm_exit ex;
    memset(&ex, 0, sizeof(ex));
    if (cowl_vcpu_run(cpu, &ex))
        die("vmforkbench: cowl_vcpu_run");
    if (ex.kind != COWL_EXIT_HLT || ex.rip != hlt_at) {
        fprintf(stderr, "vmforkbench: exit kind %u at rip 0x%lx, not HLT at 0x%lx\n", ex.kind,
                (unsigned long)ex.rip, (unsigned long)hlt_at);
        exit(1);
    }
}

static uint8_t peek(int vm, uint64_t gpa)
{
    uint8_t b = 0;
    if (cowl_vm_memory(vm, gpa, &b, 1, COWL_VM_READ)) /* a read: shares stay shared */
        die("vmforkbench: cowl_vm_memory read");
    return b;
}

/* Guest pages mapped by nested faults, or around one (virt/exit.c). */
static uint64_t nested_faults(void)
{
    struct cowl_virt_stats st;
    if (cowl_virtstat(&st))
        die("vmforkbench: cowl_virtstat");
    return st.nested_faults + st.nested_fault_around;
}

/* A VM of mib MiB whose guest has written one byte in every page, and its
 * vCPU.  No hypervisor: say so and exit 0. */
static void guest_create(long mib, int *vm, int *cpu)
{
    uint64_t pages = (uint64_t)mib << 20 >> 12;
    *vm = cowl_vm_create((uint64_t)mib << 20);
    if (*vm < 0 && (errno == ENODEV || errno == ENOSYS)) {
        printf("vmforkbench: no hypervisor\n");
        exit(0);
    }
    if (*vm < 0)
        die("vmforkbench: cowl_vm_create");
    if (cowl_vm_memory(*vm, CODE_AT, (void *)touch_code, sizeof(touch_code), COWL_VM_WRITE) ||
        cowl_vm_memory(*vm, WRITE_AT, (void *)write_code, sizeof(write_code), COWL_VM_WRITE))
        die("vmforkbench: cowl_vm_memory");
    *cpu = cowl_vcpu_create(*vm);
    if (*cpu < 0)
        die("vmforkbench: cowl_vcpu_create");
    uint64_t before = nested_faults();
    set_regs(*cpu, CODE_AT, 0, pages, PAGE - 1);
    run_to_hlt(*cpu, TOUCH_HLT_AT);
    /* every page but the code's, which the monitor's write filled */
    if (nested_faults() - before < pages - 1)
        fail("the nested faults mapped fewer pages than the guest has");
    if (peek(*vm, (pages - 1) * PAGE + PAGE - 1) != 1)
        fail("the guest's last write is not in its RAM");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static long dump(int vm, struct pt_node *nodes)
{
    long n = cowl_vm_ptdump(vm, nodes, MAX_NODES);
    if (n < 0)
        die("vmforkbench: cowl_vm_ptdump");
    if (n > MAX_NODES)
        fail("more nested tables than MAX_NODES");
    return n;
}

/* Is x in the sorted v[0..n-1]?  (cowl's libc has no bsearch.) */
static int holds(const uint64_t *v, long n, uint64_t x)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

/* Table pages of the clone that the parent's tree does not hold: the ones
 * the fork made.  A shared table has the same physical address in both
 * dumps. */
static long new_tables(int parent, int clone)
{
    static uint64_t parent_tables[MAX_NODES];
    long np = dump(parent, parent_nodes), nc = dump(clone, clone_nodes), fresh = 0;
    for (long i = 0; i < np; i++)
        parent_tables[i] = parent_nodes[i].table;
    qsort(parent_tables, np, sizeof(uint64_t), cmp_u64);
    for (long i = 0; i < nc; i++)
        fresh += !holds(parent_tables, np, clone_nodes[i].table);
    return fresh;
}

/* Forks per measurement: share forks cost the same at every size; copy
 * and eager grow with the guest, so the big sizes get fewer (the line
 * says how many). */
static long forks_for(int mode, long mib, long n)
{
    if (mode == COWL_FORK_SHARE || mib <= 16)
        return n;
    if (mode == COWL_FORK_COPY)
        return mib <= 256 ? n / 2 : 5;
    return mib <= 256 ? 3 : 2;
}

/* Eager mode copies every page of the guest: it must fit next to it. */
static int fits(int mode, long mib)
{
    uint64_t free_pages = 0;
    if (mode != COWL_FORK_EAGER)
        return 1;
    if (cowl_memstat(&free_pages, NULL))
        die("vmforkbench: cowl_memstat");
    if (free_pages * PAGE >= ((uint64_t)mib << 20) + MARGIN)
        return 1;
    printf("vmforkbench: eager at %ld MiB skipped: needs %ld MiB free, %ld MiB are\n", mib,
           (long)(((uint64_t)mib << 20) + MARGIN) >> 20, (long)(free_pages * PAGE >> 20));
    return 0;
}

static void fork_times(int vm, int mode, long mib, long n)
{
    long total = 0, min = -1, ptpages = -1;
    for (long i = 0; i < n; i++) {
        long t0 = now_ns();
        int clone = cowl_vm_fork(vm, mode);
        long dt = now_ns() - t0;
        if (clone < 0)
            die("vmforkbench: cowl_vm_fork");
        if (i == n - 1)
            ptpages = new_tables(vm, clone);
        close(clone); /* outside the timed region */
        total += dt;
        if (min < 0 || dt < min)
            min = dt;
    }
    printf("vmfork mode=%s guest_mib=%ld forks=%ld mean_us=%ld.%03ld min_us=%ld.%03ld "
           "ptpages=%ld\n",
           mode_names[mode], mib, n, total / n / 1000, total / n % 1000, min / 1000, min % 1000,
           ptpages);
}

/* One round: a share clone with a copy of the vCPU writes one byte in the
 * middle of its RAM, then the same byte again (its own page by then: the
 * run's cost without the fault).  out: the first run, the kernel's
 * unshare time by level (3, 2, 1), its page-copy time, the second run. */
static void firstwrite_round(int vm, int cpu, long mib, long out[6])
{
    uint64_t at = ((uint64_t)mib << 20) / 2 + 0x123;
    int clone = cowl_vm_fork(vm, COWL_FORK_SHARE);
    int ccpu = clone < 0 ? -1 : cowl_vcpu_fork(cpu, clone);
    if (ccpu < 0)
        die("vmforkbench: cowl_vm_fork/cowl_vcpu_fork");
    struct vm_stats a, b;
    set_regs(ccpu, WRITE_AT, 0x77, 0, at);
    cowl_vmstat(&a);
    long t0 = now_ns();
    run_to_hlt(ccpu, WRITE_HLT_AT);
    long t1 = now_ns();
    cowl_vmstat(&b);
    set_regs(ccpu, WRITE_AT, 0x78, 0, at);
    long t2 = now_ns();
    run_to_hlt(ccpu, WRITE_HLT_AT);
    long t3 = now_ns();
    if (b.ev.cow_copies - a.ev.cow_copies != 1 || b.ev.unshare_copies[1] == a.ev.unshare_copies[1])
        fail("firstwrite: the clone's write did not unshare a PT and copy one page");
    if (peek(clone, at) != 0x78 || peek(vm, at) != 0)
        fail("firstwrite: the write is not the clone's alone");
    long v[6] = {t1 - t0,
                 (long)(b.ev.unshare_ns[3] - a.ev.unshare_ns[3]),
                 (long)(b.ev.unshare_ns[2] - a.ev.unshare_ns[2]),
                 (long)(b.ev.unshare_ns[1] - a.ev.unshare_ns[1]),
                 (long)(b.ev.cow_ns - a.ev.cow_ns),
                 t3 - t2};
    memcpy(out, v, sizeof(v));
    close(ccpu);
    close(clone);
}

static void firstwrite(int vm, int cpu, long mib)
{
    long rounds[ROUNDS][6], col[ROUNDS], med[6];
    for (int r = 0; r < ROUNDS; r++)
        firstwrite_round(vm, cpu, mib, rounds[r]);
    for (int k = 0; k < 6; k++) { /* the median of each column */
        for (int r = 0; r < ROUNDS; r++)
            col[r] = rounds[r][k];
        med[k] = median(col, ROUNDS) / 1000;
    }
    printf("vmfork firstwrite mode=share guest_mib=%ld rounds=%d firstwrite_us=%ld "
           "unshare_l3_us=%ld unshare_l2_us=%ld unshare_l1_us=%ld cowcopy_us=%ld rewrite_us=%ld\n",
           mib, ROUNDS, med[0], med[1], med[2], med[3], med[4], med[5]);
}

static void one_size(long mib, int only_mode, long n)
{
    int vm, cpu;
    guest_create(mib, &vm, &cpu);
    for (int mode = 0; mode < COWL_FORK_MODES; mode++)
        if ((only_mode < 0 || mode == only_mode) && fits(mode, mib))
            fork_times(vm, mode, mib, forks_for(mode, mib, n));
    if (only_mode < 0 || only_mode == COWL_FORK_SHARE)
        firstwrite(vm, cpu, mib);
    close(cpu);
    close(vm);
}

static const char usage[] =
    "usage: vmforkbench [-n FORKS] [-s MIB] [-M share|copy|eager]\n"
    "  every guest size (16, 256, 1024, 2048 MiB) and mode unless -s or -M;\n"
    "  -n: forks per share measurement (fewer in copy and eager at big sizes)\n";

int main(int argc, char **argv)
{
    long n = 20, only_size = 0;
    int only_mode = -1, c;
    while ((c = getopt(argc, argv, "n:s:M:h")) != -1) {
        switch (c) {
        case 'n':
            n = atol(optarg);
            break;
        case 's':
            only_size = atol(optarg);
            break;
        case 'M':
            for (only_mode = 2; only_mode >= 0; only_mode--)
                if (!strcmp(optarg, mode_names[only_mode]))
                    break;
            if (only_mode < 0)
                n = 0; /* an unknown mode: usage below */
            break;
        case 'h':
            printf("%s", usage);
            return 0;
        default:
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    if (n < 2 || optind != argc || only_size < 0 || (uint64_t)only_size << 20 > COWL_VM_MAX_RAM) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    if (only_size)
        one_size(only_size, only_mode, n);
    for (int i = 0; !only_size && i < NSIZES; i++)
        one_size(sizes_mib[i], only_mode, n);
    return 0;
}
