/* vmutil.h - what the vm tests share: the one rule for skipping, and a
 * small monitor of their own (the tests drive the VM system calls directly,
 * so that a bug in /bin/vmm cannot hide one in the kernel, and back).
 * The guest conventions are in user/guests/README.md. */
#ifndef VMUTIL_H
#define VMUTIL_H

#include "memory.h"
#include <cowl.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define GUEST_LOAD_ADDR     0x8000
#define GUEST_RAM_SIZE_ADDR 0x7000
#define GUEST_LSR           (COWL_VM_SERIAL_PORT + 5)

/* The only reason to skip: the CPU lacks SVM or nested paging (ENODEV;
 * under KVM without nested SVM, say).  Where the machine has them, the
 * kernel test virt/svm_found_where_expected fails a kernel that does not
 * see them, so this skip cannot hide a broken hypervisor.  Any other
 * failure to create a small VM is a failure.  This also warms up whatever the kernel
 * sets up on first use, so memory counted after it comes back exactly. */
static inline void vm_skip_without_hypervisor(void)
{
    int vm = cowl_vm_create(1 << 20);
    if (vm < 0 && errno == ENODEV) {
        printf("SKIP: no hypervisor (errno %d)\n", errno);
        exit(0);
    }
    CHECK(vm >= 0);
    CHECK_EQ(close(vm), 0);
}

/* A PC's CPU after reset, but starting at 0:0x8000 (as vmm does it). */
static inline void vm_real_mode_regs(struct cowl_vcpu_regs *r)
{
    const struct cowl_seg data = {0, COWL_SEG_P | COWL_SEG_S | COWL_SEG_TYPE_DATA, 0xffff, 0};
    memset(r, 0, sizeof(*r));
    r->cs = (struct cowl_seg){0, COWL_SEG_P | COWL_SEG_S | COWL_SEG_TYPE_CODE, 0xffff, 0};
    r->ds = r->es = r->fs = r->gs = r->ss = data;
    r->tr = (struct cowl_seg){0, COWL_SEG_P | COWL_SEG_TYPE_TSS, 0xffff, 0};
    r->ldtr = (struct cowl_seg){0, COWL_SEG_P | COWL_SEG_TYPE_LDT, 0xffff, 0};
    r->gdtr.limit = r->idtr.limit = 0xffff;
    r->cr0 = 0x10; /* ET */
    r->rflags = 2;
    r->rip = GUEST_LOAD_ADDR;
}

/* Copy the image at path into the VM at 0x8000, the RAM size to 0x7000. */
static inline void vm_load(int vm, uint64_t ram, const char *path)
{
    static char image[65536];
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    ssize_t len = read(fd, image, sizeof(image));
    CHECK(len > 0 && len < (ssize_t)sizeof(image));
    close(fd);
    CHECK_EQ(cowl_vm_memory(vm, GUEST_LOAD_ADDR, image, len, COWL_VM_WRITE), 0);
    CHECK_EQ(cowl_vm_memory(vm, GUEST_RAM_SIZE_ADDR, &ram, sizeof(ram), COWL_VM_WRITE), 0);
}

/* A VM of ram bytes running the guest at path, with one vCPU in real mode. */
static inline void vm_new_guest(uint64_t ram, const char *path, int *vm, int *cpu)
{
    struct cowl_vcpu_regs regs;
    *vm = cowl_vm_create(ram);
    CHECK(*vm >= 0);
    vm_load(*vm, ram, path);
    *cpu = cowl_vcpu_create(*vm);
    CHECK(*cpu >= 0);
    vm_real_mode_regs(&regs);
    CHECK_EQ(cowl_vcpu_regs(*cpu, &regs, COWL_VCPU_SET), 0);
}

/* What a guest did in vm_run_guest. */
struct guest_run {
    char out[4096]; /* its serial output and PRINTed strings, NUL-terminated */
    size_t len;
    uint32_t kind;   /* the last exit: COWL_EXIT_HYPERCALL if it called EXIT */
    uint64_t status; /* COWL_HC_EXIT's status */
    uint64_t report; /* the last COWL_HC_REPORT value */
    int reports;     /* how many it made */
    unsigned long exits;
    struct cowl_vm_exit last;
};

static inline void guest_out(struct guest_run *g, const char *s, size_t n)
{
    if (n > sizeof(g->out) - 1 - g->len)
        n = sizeof(g->out) - 1 - g->len;
    memcpy(g->out + g->len, s, n);
    g->len += n;
    g->out[g->len] = 0;
}

/* Answer one exit like vmm does (input is always at its end: 0); returns 1
 * while the guest should run on. */
static inline int guest_answer(int vm, struct guest_run *g, struct cowl_vm_exit *e)
{
    char buf[256];
    uint64_t *arg = e->hypercall.args;
    if (e->kind == COWL_EXIT_IO) {
        if (e->io.write && e->io.port == COWL_VM_SERIAL_PORT)
            guest_out(g, (char *)&e->io.data, 1);
        else if (!e->io.write)
            e->io.data = e->io.port == GUEST_LSR             ? 0x21
                         : e->io.port == COWL_VM_SERIAL_PORT ? 0
                                                             : ~0u;
        return 1;
    }
    if (e->kind != COWL_EXIT_HYPERCALL)
        return 0;
    e->hypercall.ret = 0;
    if (e->hypercall.nr == COWL_HC_EXIT) {
        g->status = arg[0];
        return 0;
    } else if (e->hypercall.nr == COWL_HC_PRINT && arg[1] <= sizeof(buf)) {
        CHECK_EQ(cowl_vm_memory(vm, arg[0], buf, arg[1], COWL_VM_READ), 0);
        guest_out(g, buf, arg[1]);
    } else if (e->hypercall.nr == COWL_HC_REPORT) {
        g->report = arg[0];
        g->reports++;
    } else if (e->hypercall.nr != COWL_HC_NOP) {
        e->hypercall.ret = -1;
    }
    return 1;
}

/* Run cpu until the guest calls EXIT or exits any other way than IO or a
 * hypercall.  0, or -1 with errno if cowl_vcpu_run failed. */
static inline int vm_run_guest(int vm, int cpu, struct guest_run *g)
{
    memset(g, 0, sizeof(*g));
    for (;;) {
        if (cowl_vcpu_run(cpu, &g->last) < 0)
            return -1;
        g->exits++;
        g->kind = g->last.kind;
        if (!guest_answer(vm, g, &g->last))
            return 0;
    }
}

/* Run the hello guest on cpu from the start and check it said hello: the
 * vCPU still works (after the bad states the tests throw at it). */
static inline void vm_expect_hello(int vm, int cpu)
{
    struct cowl_vcpu_regs regs;
    struct guest_run g;
    vm_real_mode_regs(&regs);
    CHECK_EQ(cowl_vcpu_regs(cpu, &regs, COWL_VCPU_SET), 0);
    CHECK_EQ(vm_run_guest(vm, cpu, &g), 0);
    if (g.kind != COWL_EXIT_HYPERCALL || strcmp(g.out, "hello from real mode\n") != 0) {
        printf("FAIL %s:%d: hello guest: exit kind %u, output \"%s\"\n", __FILE__, __LINE__, g.kind,
               g.out);
        exit(1);
    }
    CHECK_EQ(g.status, 0);
}

/* What a vmm run printed (stdout and stderr together, NUL-terminated, at
 * most size - 1 bytes) and its exit status: read everything from the pipe
 * out, then wait for pid.  For the tests that run /bin/vmm. */
static inline int vmm_collect(pid_t pid, int out, char *buf, size_t size)
{
    size_t got = 0;
    ssize_t n;
    while ((n = read(out, buf + got, size - 1 - got)) > 0)
        got += n;
    buf[got] = 0;
    close(out);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    return WEXITSTATUS(status);
}

#endif
