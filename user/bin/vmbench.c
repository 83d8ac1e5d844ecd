/* vmbench.c - what the hypervisor costs (`make bench`, docs/bench.md,
 * "Virtual machines"):
 *
 *   vmbench hypercall   a VMMCALL answered in the kernel (COWL_HC_NOP) and
 *                       one that comes back to this monitor (COWL_HC_REPORT)
 *   vmbench fault       a nested demand-zero fault against a process's own
 *   vmbench write       a guest writing its RAM against a process writing its own
 *
 * Each guest is a few hand-assembled bytes of 32-bit protected-mode code
 * with flat segments and no paging (guest-virtual = guest-physical), given
 * its parameters in registers.  Every run's exit record and the guest's
 * registers afterwards are checked: a guest that did not do what the
 * benchmark counts is an error (exit 1), never a number.
 *
 * Lines: "vmbench KIND where=... key=value ...", where= saying which side
 * of a pair (not kind=: in build/bench.json, kind is the word after the
 * program's name). */
#include "../include/bench.h"
#include <cowl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE        4096
#define RUNS        9             /* each figure is the median of this many */
#define CODE_AT     0x8000        /* guest-physical address of the code */
#define RAM         (256ul << 20) /* guest RAM: demand-zero, only touched pages cost */
#define FAULT_PAGES 4096          /* pages per fault run (16 MiB) */
#define FAULT_AT    (16ul << 20)  /* run r touches FAULT_AT + r * FAULT_PAGES pages */
#define WRITE_AT    (1ul << 20)   /* the write block */
#define WRITE_BYTES (4ul << 20)
#define WRITE_REPS  32 /* 128 MiB per run */

/* ecx times: mov eax, COWL_HC_NOP; vmmcall.  Then hlt. */
static const uint8_t hc_kernel_code[] = {
    0xb8, 0x00, 0x00, 0x00, 0x00, /* 0:  mov eax, 0 (COWL_HC_NOP) */
    0x0f, 0x01, 0xd9,             /* 5:  vmmcall */
    0x49,                         /* 8:  dec ecx */
    0x75, 0xf5,                   /* 9:  jnz 0 */
    0xf4,                         /* 11: hlt */
};
#define HC_VMMCALL_AT 5
#define HC_HLT_AT     11

/* The same with COWL_HC_REPORT (RBX, RCX, RDX go to the monitor). */
static const uint8_t hc_monitor_code[] = {
    0xb8, 0x03, 0x00, 0x00, 0x00, /* 0:  mov eax, 3 (COWL_HC_REPORT) */
    0x0f, 0x01, 0xd9,             /* 5:  vmmcall */
    0x49,                         /* 8:  dec ecx */
    0x75, 0xf5,                   /* 9:  jnz 0 */
    0xf4,                         /* 11: hlt */
};

/* ecx pages from edi on: one byte written in each.  Then hlt. */
static const uint8_t fault_code[] = {
    0xc6, 0x07, 0x01,                   /* 0:  mov byte [edi], 1 */
    0x81, 0xc7, 0x00, 0x10, 0x00, 0x00, /* 3:  add edi, 4096 */
    0x49,                               /* 9:  dec ecx */
    0x75, 0xf4,                         /* 10: jnz 0 */
    0xf4,                               /* 12: hlt */
};
#define FAULT_HLT_AT 12

/* edx times: esi dwords of eax from ebx on.  Then hlt. */
static const uint8_t write_code[] = {
    0x89, 0xdf, /* 0: mov edi, ebx */
    0x89, 0xf1, /* 2: mov ecx, esi */
    0xf3, 0xab, /* 4: rep stosd */
    0x4a,       /* 6: dec edx */
    0x75, 0xf7, /* 7: jnz 0 */
    0xf4,       /* 9: hlt */
};
#define WRITE_HLT_AT 9

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void fail(const char *bench, const char *what)
{
    fprintf(stderr, "vmbench: %s: %s\n", bench, what);
    exit(1);
}

struct guest {
    int vm, cpu;
    struct cowl_vm_exit exit;
};

/* A VM with `code` at CODE_AT and a vCPU.  No hypervisor: say so, exit 0. */
static void guest_create(struct guest *g, const uint8_t *code, size_t len)
{
    memset(g, 0, sizeof(*g));
    g->vm = cowl_vm_create(RAM);
    if (g->vm < 0 && (errno == ENOSYS || errno == ENODEV)) {
        printf("vmbench: no hypervisor\n");
        exit(0);
    }
    if (g->vm < 0)
        die("vmbench: cowl_vm_create");
    if (cowl_vm_memory(g->vm, CODE_AT, (void *)code, len, COWL_VM_WRITE))
        die("vmbench: cowl_vm_memory");
    g->cpu = cowl_vcpu_create(g->vm);
    if (g->cpu < 0)
        die("vmbench: cowl_vcpu_create");
}

static void guest_destroy(struct guest *g)
{
    close(g->cpu);
    close(g->vm);
}

/* Start over at CODE_AT in flat 32-bit protected mode without paging,
 * with the caches on (CR0.CD and NW clear, unlike the reset state), so a
 * guest's write is an ordinary write on hardware too.  The registers the
 * code reads are set here. */
static void guest_reset(struct guest *g, uint64_t rax, uint64_t rbx, uint64_t rcx, uint64_t rdx,
                        uint64_t rsi, uint64_t rdi)
{
    struct cowl_vcpu_regs r;
    if (cowl_vcpu_regs(g->cpu, &r, COWL_VCPU_GET))
        die("vmbench: cowl_vcpu_regs get");
    cowl_flat32_regs(&r, CODE_AT);
    r.rax = rax;
    r.rbx = rbx;
    r.rcx = rcx;
    r.rdx = rdx;
    r.rsi = rsi;
    r.rdi = rdi;
    if (cowl_vcpu_regs(g->cpu, &r, COWL_VCPU_SET))
        die("vmbench: cowl_vcpu_regs set");
}

static void guest_run(struct guest *g)
{
    if (cowl_vcpu_run(g->cpu, &g->exit))
        die("vmbench: cowl_vcpu_run");
}

static struct cowl_vcpu_regs guest_regs(struct guest *g)
{
    struct cowl_vcpu_regs r;
    if (cowl_vcpu_regs(g->cpu, &r, COWL_VCPU_GET))
        die("vmbench: cowl_vcpu_regs get");
    return r;
}

/* The run ended at the code's HLT with `reg` (the loop counter) at 0. */
static void expect_hlt(struct guest *g, const char *bench, unsigned hlt_at, uint64_t reg)
{
    if (g->exit.kind != COWL_EXIT_HLT) {
        fprintf(stderr, "vmbench: %s: exit kind %u at rip 0x%lx, not HLT\n", bench, g->exit.kind,
                (unsigned long)g->exit.rip);
        exit(1);
    }
    if (g->exit.rip != CODE_AT + hlt_at)
        fail(bench, "HLT at the wrong place");
    if (reg != 0)
        fail(bench, "the loop stopped before its end");
}

static uint64_t virtstat(size_t offset)
{
    struct cowl_virt_stats st;
    if (cowl_virtstat(&st))
        die("vmbench: cowl_virtstat");
    return *(uint64_t *)((char *)&st + offset);
}
#define VIRTSTAT(field) virtstat(__builtin_offsetof(struct cowl_virt_stats, field))

/* Each pair of lines is measured in alternating runs (one of each, RUNS
 * times), so that both figures of a ratio see the same host. */

/* ---- hypercalls: nanoseconds per round trip */
static long hypercall_kernel(struct guest *g, long n)
{
    guest_reset(g, 0, 0, n, 0, 0, 0);
    uint64_t before = VIRTSTAT(hypercalls_kernel);
    long t0 = now_ns();
    guest_run(g);
    long dt = now_ns() - t0;
    expect_hlt(g, "hypercall", HC_HLT_AT, guest_regs(g).rcx);
    if (VIRTSTAT(hypercalls_kernel) - before < (uint64_t)n)
        fail("hypercall", "the kernel answered fewer NOPs than the guest made");
    return dt / n;
}

static long hypercall_monitor(struct guest *g, long n)
{
    guest_reset(g, 0, 0, n, 0, 0, 0);
    long t0 = now_ns();
    for (long k = 0; k < n; k++) {
        guest_run(g);
        if (g->exit.kind != COWL_EXIT_HYPERCALL || g->exit.hypercall.nr != COWL_HC_REPORT ||
            g->exit.rip != CODE_AT + HC_VMMCALL_AT ||
            g->exit.hypercall.args[1] != (uint64_t)(n - k))
            fail("hypercall", "not the REPORT hypercall the guest's loop should make");
        g->exit.hypercall.ret = k; /* into the guest's RAX; its next mov overwrites it */
    }
    guest_run(g);
    long dt = now_ns() - t0;
    expect_hlt(g, "hypercall", HC_HLT_AT, guest_regs(g).rcx);
    return dt / n;
}

static void hypercalls(long n)
{
    struct guest gk, gm;
    guest_create(&gk, hc_kernel_code, sizeof(hc_kernel_code));
    guest_create(&gm, hc_monitor_code, sizeof(hc_monitor_code));
    long tk[RUNS], tm[RUNS];
    for (int i = 0; i < RUNS; i++) {
        tk[i] = hypercall_kernel(&gk, n);
        tm[i] = hypercall_monitor(&gm, n);
    }
    guest_destroy(&gk);
    guest_destroy(&gm);
    printf("vmbench hypercall where=kernel n=%ld median_ns=%ld\n", n, median(tk, RUNS));
    printf("vmbench hypercall where=monitor n=%ld median_ns=%ld\n", n, median(tm, RUNS));
}

/* ---- first-touch faults: nanoseconds per page */
static long fault_nested(struct guest *g, int run)
{
    uint64_t at = FAULT_AT + (uint64_t)run * FAULT_PAGES * PAGE; /* pages no run touched */
    guest_reset(g, 0, 0, FAULT_PAGES, 0, 0, at);
    /* each page is mapped by a nested fault, or around one (virt/exit.c) */
    uint64_t before = VIRTSTAT(nested_faults) + VIRTSTAT(nested_fault_around);
    long t0 = now_ns();
    guest_run(g);
    long dt = now_ns() - t0;
    expect_hlt(g, "fault", FAULT_HLT_AT, guest_regs(g).rcx);
    if (VIRTSTAT(nested_faults) + VIRTSTAT(nested_fault_around) - before < FAULT_PAGES)
        fail("fault", "fewer pages mapped by nested faults than fresh pages");
    uint8_t last = 0;
    if (cowl_vm_memory(g->vm, at + (FAULT_PAGES - 1) * PAGE, &last, 1, COWL_VM_READ))
        die("vmbench: cowl_vm_memory");
    if (last != 1)
        fail("fault", "the guest's last write is not in its RAM");
    return dt / FAULT_PAGES;
}

static long fault_process(void)
{
    volatile char *p = mmap(NULL, (long)FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("vmbench: mmap");
    long t0 = now_ns();
    for (long k = 0; k < FAULT_PAGES; k++)
        p[k * PAGE] = 1;
    long dt = now_ns() - t0;
    munmap((void *)p, (long)FAULT_PAGES * PAGE);
    return dt / FAULT_PAGES;
}

static void faults(void)
{
    struct guest g;
    guest_create(&g, fault_code, sizeof(fault_code));
    long tn[RUNS], tp[RUNS];
    for (int i = 0; i < RUNS; i++) {
        tn[i] = fault_nested(&g, i);
        tp[i] = fault_process();
    }
    guest_destroy(&g);
    printf("vmbench fault where=guest pages=%d median_ns=%ld\n", FAULT_PAGES, median(tn, RUNS));
    printf("vmbench fault where=process pages=%d median_ns=%ld\n", FAULT_PAGES, median(tp, RUNS));
}

/* ---- write throughput into memory already faulted in: nanoseconds per
 * run of WRITE_REPS passes over the block */
static long write_guest(struct guest *g, uint32_t pattern)
{
    guest_reset(g, pattern, WRITE_AT, 0, WRITE_REPS, WRITE_BYTES / 4, 0);
    long t0 = now_ns();
    guest_run(g);
    long dt = now_ns() - t0;
    expect_hlt(g, "write", WRITE_HLT_AT, guest_regs(g).rdx);
    uint32_t last = 0;
    if (cowl_vm_memory(g->vm, WRITE_AT + WRITE_BYTES - 4, &last, 4, COWL_VM_READ))
        die("vmbench: cowl_vm_memory");
    if (last != pattern)
        fail("write", "the guest's block does not hold what it wrote");
    return dt;
}

/* The same instruction as the guest's, so that the ratio is the VM's and
 * not the compiler's (libc's memset is a byte loop). */
static void stosd(void *to, uint32_t pattern, unsigned long dwords)
{
    __asm__ volatile("rep stosl" : "+D"(to), "+c"(dwords) : "a"(pattern) : "memory");
}

static long write_process(uint32_t *block, uint32_t pattern)
{
    long t0 = now_ns();
    for (int r = 0; r < WRITE_REPS; r++)
        stosd(block, pattern, WRITE_BYTES / 4);
    long dt = now_ns() - t0;
    if (block[WRITE_BYTES / 4 - 1] != pattern)
        fail("write", "the process's block does not hold what it wrote");
    return dt;
}

static void print_mbps(const char *where, long *t)
{
    long total = WRITE_BYTES * WRITE_REPS, ns = median(t, RUNS);
    printf("vmbench write where=%s mib=%ld how=rep_stosd mbps=%ld\n", where, total >> 20,
           ns ? total * 1000 / ns : 0); /* bytes per ns * 1000 = MB/s (10^6 bytes) */
}

static void writes(void)
{
    struct guest g;
    guest_create(&g, write_code, sizeof(write_code));
    uint32_t *block =
        mmap(NULL, WRITE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (block == MAP_FAILED)
        die("vmbench: mmap");
    write_guest(&g, 0x5a5a5a5a); /* untimed: faults both blocks in */
    write_process(block, 0x5a5a5a5a);
    long tg[RUNS], tp[RUNS];
    for (int i = 0; i < RUNS; i++) { /* a new pattern each run: stale data does not pass */
        tg[i] = write_guest(&g, 0x5a5a0000u + i);
        tp[i] = write_process(block, 0x5a5a0000u + i);
    }
    guest_destroy(&g);
    munmap(block, WRITE_BYTES);
    print_mbps("guest", tg);
    print_mbps("process", tp);
}

static const char usage[] = "usage: vmbench [-n HYPERCALLS] [all|hypercall|fault|write]\n";

int main(int argc, char **argv)
{
    long n = 10000;
    int c;
    while ((c = getopt(argc, argv, "n:h")) != -1) {
        switch (c) {
        case 'n':
            n = atol(optarg);
            break;
        case 'h':
            printf("%s", usage);
            return 0;
        default:
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    const char *what = optind < argc ? argv[optind] : "all";
    int all = !strcmp(what, "all");
    if (n < 1 || optind + 1 < argc ||
        !(all || !strcmp(what, "hypercall") || !strcmp(what, "fault") || !strcmp(what, "write"))) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    if (all || !strcmp(what, "hypercall"))
        hypercalls(n);
    if (all || !strcmp(what, "fault"))
        faults();
    if (all || !strcmp(what, "write"))
        writes();
    return 0;
}
