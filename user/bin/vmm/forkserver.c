/* forkserver.c - vmm -f N: the fork server.
 *
 * The guest runs once, up to its COWL_HC_SNAPSHOT hypercall (RBX = the
 * guest-physical address of its input buffer, RCX = its size).  That VM
 * and vCPU are the snapshot, never run again.  Each execution forks them
 * (cowl_vm_fork shares the snapshot's nested page tables copy-on-write, so
 * it costs the same whatever the guest had set up), writes one random input
 * into the clone's buffer (which breaks copy-on-write in the clone only),
 * answers the clone's pending snapshot hypercall with the input's length,
 * and runs the clone to its end:
 *
 *                 snapshot VM (frozen in COWL_HC_SNAPSHOT)
 *              fork /        |         \ fork
 *        clone 1: input A   clone 2: B  ...  clone N: input Z
 *        runs, ends, closed ...              runs, ends, closed
 *
 * A clone ends well by COWL_HC_EXIT 0 or HLT.  A crash is a triple fault,
 * an access outside RAM, an unhandled exit, or COWL_HC_EXIT with another
 * status (a target reports its own crashes that way).  A clone that makes
 * MAX_CLONE_EXITS exits is a hang; one that loops without any exit cannot
 * be stopped from here (cowl has no signal to interrupt cowl_vcpu_run), so
 * a target's parser must end by itself, as user/guests/fuzzme.c's does.
 * At the end the snapshot must be as it was: no clone's write reached it. */
#include "vmm.h"

#define MAX_CLONE_EXITS 10000
#define MAX_INPUT       4096        /* bytes per input at most, whatever the buffer */
#define MAX_FINDINGS    16          /* distinct crashes and hangs kept for the report */
#define RANGE           (2ul << 20) /* guest RAM a page table covers */

struct finding {
    uint32_t kind;        /* the clone's last exit; 0 for a hang */
    uint64_t rip, detail; /* detail: the exit status, or the MMIO address */
    uint8_t *input;
    size_t len;
    char why[96];
};

struct fork_server {
    struct vmm *snap;             /* the snapshot: its vm and cpu */
    struct cowl_vm_exit at;       /* its pending exit: the snapshot hypercall */
    uint64_t buf_gpa, buf_size;   /* the guest's input buffer */
    uint64_t rng;                 /* splitmix64 state, from -s */
    unsigned long crashes, hangs; /* executions that crashed or hung */
    struct finding found[MAX_FINDINGS];
    int nfound;
};

/* splitmix64 (Steele, Lea, Flood 2014): a 64-bit state, any seed will do. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* One input: 1 to min(buffer size, MAX_INPUT) random bytes; its length. */
static size_t make_input(struct fork_server *fs, uint8_t *in)
{
    uint64_t max = fs->buf_size < MAX_INPUT ? fs->buf_size : MAX_INPUT;
    size_t len = 1 + next_random(&fs->rng) % max;
    for (size_t i = 0; i < len; i++)
        in[i] = next_random(&fs->rng) & 0xff;
    return len;
}

/* FNV-1a over len bytes, continuing from h. */
static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* The checksum of RAM in the ranges [va, va + RANGE) that have a nested
 * page table in vm (cowl_vm_ptdump): elsewhere RAM is all zeros.  The
 * ranges' addresses go into the sum too.  0 if vm cannot be read. */
static uint64_t checksum_ranges(int vm, uint64_t ram)
{
    size_t max = ram / RANGE + 16; /* the tables above the PTs are a few */
    struct pt_node *nodes = malloc(max * sizeof(*nodes));
    uint8_t *chunk = malloc(RANGE);
    long n = nodes && chunk ? cowl_vm_ptdump(vm, nodes, max) : -1;
    uint64_t h = n < 0 || (size_t)n > max ? 0 : 0xcbf29ce484222325ull;
    for (long i = 0; h && i < n; i++) {
        uint64_t va = nodes[i].va;
        if (nodes[i].level != 1 || va >= ram)
            continue;
        size_t len = ram - va < RANGE ? ram - va : RANGE;
        if (cowl_vm_memory(vm, va, chunk, len, COWL_VM_READ) < 0)
            h = 0;
        else
            h = fnv1a(fnv1a(h, (uint8_t *)&va, sizeof(va)), chunk, len);
    }
    free(nodes);
    free(chunk);
    return h;
}

/* A checksum of the snapshot's RAM, read through a share-mode fork of it:
 * reading a page no one has touched fills it with a zeroed one, and in the
 * snapshot those pages would then be copied by every eager-mode fork.  In a
 * fork they are the fork's own and go when it is closed; what it reads is
 * the snapshot's memory.  0 with errno if it cannot be read. */
static uint64_t ram_checksum(struct vmm *v)
{
    int probe = cowl_vm_fork(v->vm, COWL_FORK_SHARE);
    if (probe < 0)
        return 0;
    uint64_t h = checksum_ranges(probe, v->ram);
    close(probe);
    return h;
}

/* Run the guest to its COWL_HC_SNAPSHOT and check the buffer it names is
 * in RAM.  0, or the status to end with. */
static int take_snapshot(struct fork_server *fs)
{
    struct vmm *v = fs->snap;
    memset(&fs->at, 0, sizeof(fs->at));
    int status = run_from(v, &fs->at);
    if (status == ST_SETUP && !v->why[0])
        return ST_SETUP; /* cowl_vcpu_run failed; fail() said why */
    if (status != ST_SNAPSHOT) {
        fprintf(stderr, "vmm: %s: no COWL_HC_SNAPSHOT: %s\n", v->image, v->why);
        return ST_SETUP;
    }
    fs->buf_gpa = fs->at.hypercall.args[0];
    fs->buf_size = fs->at.hypercall.args[1];
    if (fs->buf_size == 0 || fs->buf_gpa >= v->ram || fs->buf_size > v->ram - fs->buf_gpa) {
        fprintf(stderr, "vmm: %s: snapshot input buffer 0x%lx, %lu bytes: not in RAM\n", v->image,
                (unsigned long)fs->buf_gpa, (unsigned long)fs->buf_size);
        return ST_SETUP;
    }
    return 0;
}

/* How a clone ended, from its last exit, for the report. */
static void describe(struct finding *f, const struct cowl_vm_exit *e, unsigned long exits)
{
    unsigned long rip = e->rip;
    if (f->kind == 0)
        snprintf(f->why, sizeof(f->why), "%lu exits and no end, the last at rip 0x%lx", exits, rip);
    else if (f->kind == COWL_EXIT_SHUTDOWN)
        snprintf(f->why, sizeof(f->why), "triple fault at rip 0x%lx", rip);
    else if (f->kind == COWL_EXIT_MMIO)
        snprintf(f->why, sizeof(f->why), "MMIO %s at gpa 0x%lx, rip 0x%lx",
                 e->mmio.write ? "write" : "read", (unsigned long)f->detail, rip);
    else if (f->kind == COWL_EXIT_HYPERCALL)
        snprintf(f->why, sizeof(f->why), "exit status %lu at rip 0x%lx", (unsigned long)f->detail,
                 rip);
    else
        snprintf(f->why, sizeof(f->why), "exit kind %u (code 0x%lx) at rip 0x%lx", f->kind,
                 (unsigned long)f->detail, rip);
}

/* Keep the first input of each distinct crash or hang: distinct by how it
 * ended and where. */
static void remember(struct fork_server *fs, struct finding *f, const uint8_t *in, size_t len,
                     const struct cowl_vm_exit *e, unsigned long exits)
{
    for (int i = 0; i < fs->nfound; i++) {
        struct finding *g = &fs->found[i];
        if (g->kind == f->kind && g->rip == f->rip && g->detail == f->detail)
            return;
    }
    if (fs->nfound == MAX_FINDINGS || !(f->input = malloc(len)))
        return;
    memcpy(f->input, in, len);
    f->len = len;
    describe(f, e, exits);
    fs->found[fs->nfound++] = *f;
}

/* Sort one finished clone: ok, crash or hang. */
static void classify(struct fork_server *fs, int status, const struct cowl_vm_exit *e,
                     const uint8_t *in, size_t len, unsigned long exits)
{
    struct finding f = {.kind = e->kind, .rip = e->rip};
    if (status == ST_HANG) {
        f.kind = 0;
        fs->hangs++;
    } else if (e->kind == COWL_EXIT_HLT ||
               (e->kind == COWL_EXIT_HYPERCALL && e->hypercall.args[0] == 0)) {
        return; /* HLT, or COWL_HC_EXIT 0: it went well */
    } else {
        fs->crashes++;
        f.detail = e->kind == COWL_EXIT_HYPERCALL ? e->hypercall.args[0]
                   : e->kind == COWL_EXIT_MMIO    ? e->mmio.gpa
                                                  : e->unhandled.code;
    }
    remember(fs, &f, in, len, e, exits);
}

/* One execution: fork the snapshot, give the clone its input, run it to
 * its end.  0, or ST_SETUP if the kernel refused something. */
static int execute(struct fork_server *fs, uint8_t *in)
{
    size_t len = make_input(fs, in);
    struct vmm c = *fs->snap; /* image name, RAM size; then its own VM and vCPU */
    c.mute = 1;
    c.fork_server = 0; /* a clone's second snapshot is answered -1 */
    c.max_exits = MAX_CLONE_EXITS;
    c.exits = c.other_ports = 0;
    c.why[0] = 0;
    c.cpu = -1;
    int status = ST_SETUP;
    c.vm = cowl_vm_fork(fs->snap->vm, -1); /* -1: our fork mode, share by default */
    if (c.vm < 0) {
        fail(&c, "cowl_vm_fork");
    } else if ((c.cpu = cowl_vcpu_fork(fs->snap->cpu, c.vm)) < 0) {
        fail(&c, "cowl_vcpu_fork");
    } else if (cowl_vm_memory(c.vm, fs->buf_gpa, in, len, COWL_VM_WRITE) < 0) {
        fail(&c, "cowl_vm_memory");
    } else {
        struct cowl_vm_exit e = fs->at; /* the pending snapshot hypercall... */
        e.hypercall.ret = len;          /* ...returns the input's length */
        status = run_from(&c, &e);
        if (status != ST_SETUP || c.why[0]) { /* no why: cowl_vcpu_run failed */
            classify(fs, status, &e, in, len, c.exits);
            status = 0;
        }
    }
    if (c.cpu >= 0)
        close(c.cpu);
    if (c.vm >= 0)
        close(c.vm);
    return status;
}


static void report(struct fork_server *fs, unsigned long n, long ms)
{
    long shown = ms > 0 ? ms : 1;
    printf("vmm: fork server: %lu executions in %ld.%03ld s (%lu exec/s), %lu crashes\n", n,
           ms / 1000, ms % 1000, (unsigned long)(n * 1000 / shown), fs->crashes);
    if (fs->hangs)
        printf("vmm: fork server: %lu hangs (%d exits each)\n", fs->hangs, MAX_CLONE_EXITS);
    for (int i = 0; i < fs->nfound; i++) {
        struct finding *f = &fs->found[i];
        printf("vmm: %s: input", f->kind ? "crash" : "hang");
        for (size_t j = 0; j < f->len; j++)
            printf(" %02x", f->input[j]);
        printf(" (%s)\n", f->why);
        free(f->input);
    }
}

/* The snapshot's input buffer and RAM as they were at the snapshot?
 * 0, or ST_CHANGED. */
static int check_snapshot(struct fork_server *fs, const uint8_t *pristine, uint64_t sum)
{
    struct vmm *v = fs->snap;
    uint8_t *now = malloc(fs->buf_size);
    int same_buf = now &&
                   cowl_vm_memory(v->vm, fs->buf_gpa, now, fs->buf_size, COWL_VM_READ) == 0 &&
                   memcmp(now, pristine, fs->buf_size) == 0;
    free(now);
    uint64_t sum_now = ram_checksum(v);
    if (same_buf && sum_now == sum) {
        printf("vmm: snapshot unchanged\n");
        return 0;
    }
    printf("vmm: snapshot CHANGED: input buffer %s, RAM checksum %016lx, was %016lx\n",
           same_buf ? "same" : "differs", (unsigned long)sum_now, (unsigned long)sum);
    return ST_CHANGED;
}

/* vmm -f N: the snapshot, N executions, the report and the check. */
int fork_server(struct vmm *v, unsigned long n, uint64_t seed)
{
    struct fork_server fs = {.snap = v, .rng = seed};
    v->fork_server = 1;
    int status = take_snapshot(&fs);
    if (status)
        return status;
    uint8_t *pristine = malloc(fs.buf_size);
    uint8_t *in = malloc(fs.buf_size < MAX_INPUT ? fs.buf_size : MAX_INPUT);
    uint64_t sum = ram_checksum(v);
    if (!pristine || !in || !sum ||
        cowl_vm_memory(v->vm, fs.buf_gpa, pristine, fs.buf_size, COWL_VM_READ) < 0) {
        status = fail(v, "reading the snapshot");
        goto out;
    }
    printf("vmm: fork server: snapshot at rip 0x%lx, input buffer 0x%lx (%lu bytes), seed %lu\n",
           (unsigned long)fs.at.rip, (unsigned long)fs.buf_gpa, (unsigned long)fs.buf_size,
           (unsigned long)seed);
    long start = now_ms();
    for (unsigned long i = 0; i < n && status == 0; i++)
        status = execute(&fs, in);
    if (status == 0) {
        report(&fs, n, now_ms() - start);
        status = check_snapshot(&fs, pristine, sum);
    }
out:
    free(pristine);
    free(in);
    return status;
}
