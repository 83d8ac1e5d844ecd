/* vmbad.c - the VM system calls with bad arguments and impossible guest
 * states: each fails with the errno uapi/vm.h promises (EINVAL for a bad
 * argument or guest state, EFAULT for a bad pointer, EBADF or EINVAL for a
 * descriptor that is not the right kind), changes nothing, and the vCPU
 * still runs a guest afterwards.  The host must never crash: a guest state
 * the CPU refuses (VMRUN's consistency checks, AMD APM vol. 2, 15.5.1) has
 * to be caught by the kernel, not met by the hardware. */
#include "vmutil.h"
#include <sys/mman.h>

#define MIB        (1ul << 20)
#define KERNEL_PTR ((void *)0xffffffff80000000ul)
#define CR0_PE     (1ul << 0)
#define CR0_ET     (1ul << 4)
#define CR0_NW     (1ul << 29)
#define CR0_PG     (1ul << 31)
#define CR4_PAE    (1ul << 5)
#define EFER_LME   (1ul << 8)
#define EFER_LMA   (1ul << 10)

/* The call must fail with errno `err`. */
#define EXPECT_ERR(call, err)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (call);                                                                          \
        if (r_ != -1 || errno != (err)) {                                                          \
            printf("FAIL %s:%d: %s returned %ld errno %d, expected -1 errno %d\n", __FILE__,       \
                   __LINE__, #call, r_, errno, err);                                               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* A descriptor of the wrong kind: EBADF or EINVAL are both honest. */
#define EXPECT_WRONG_FD(call)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (call);                                                                          \
        if (r_ != -1 || (errno != EBADF && errno != EINVAL)) {                                     \
            printf("FAIL %s:%d: %s returned %ld errno %d, expected EBADF or EINVAL\n", __FILE__,   \
                   __LINE__, #call, r_, errno);                                                    \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static const char rodata[64] = "read-only";
static const struct cowl_vm_exit ro_exit = {.kind = COWL_EXIT_IO}; /* in .rodata */

static void test_create(void)
{
    EXPECT_ERR(cowl_vm_create(0), EINVAL);
    EXPECT_ERR(cowl_vm_create(COWL_VM_MAX_RAM + 4096), EINVAL);
    EXPECT_ERR(cowl_vm_create(1ul << 63), EINVAL);
    EXPECT_ERR(cowl_vm_create(~0ul), EINVAL);
    /* The largest VM is fine: its RAM is given page by page, on first touch */
    int vm = cowl_vm_create(COWL_VM_MAX_RAM);
    CHECK(vm >= 0);
    CHECK_EQ(close(vm), 0);
}

/* Out of range, wrapping around, bad buffers, a bad direction: refused, and
 * the bytes at the edge of RAM are what they were. */
static void test_memory(int vm, int cpu)
{
    char buf[16], edge[8] = "RAM-END";
    CHECK_EQ(cowl_vm_memory(vm, MIB - 8, edge, 8, COWL_VM_WRITE), 0);
    memset(buf, 'x', sizeof(buf));
    EXPECT_ERR(cowl_vm_memory(vm, MIB, buf, 1, COWL_VM_WRITE), EINVAL);
    EXPECT_ERR(cowl_vm_memory(vm, MIB - 4, buf, 8, COWL_VM_WRITE), EINVAL);
    EXPECT_ERR(cowl_vm_memory(vm, MIB - 4, buf, 8, COWL_VM_READ), EINVAL);
    EXPECT_ERR(cowl_vm_memory(vm, ~0ul - 3, buf, 8, COWL_VM_WRITE), EINVAL);
    /* both the guest range and the buffer are wrong: either answer is right */
    errno = 0;
    CHECK(cowl_vm_memory(vm, 0, buf, 1ul << 63, COWL_VM_WRITE) == -1 &&
          (errno == EINVAL || errno == EFAULT));
    EXPECT_ERR(cowl_vm_memory(vm, 0, buf, 8, 2), EINVAL);
    EXPECT_ERR(cowl_vm_memory(vm, 0, buf, 8, -1), EINVAL);
    EXPECT_ERR(cowl_vm_memory(vm, 0, NULL, 8, COWL_VM_WRITE), EFAULT);
    EXPECT_ERR(cowl_vm_memory(vm, 0, NULL, 8, COWL_VM_READ), EFAULT);
    EXPECT_ERR(cowl_vm_memory(vm, 0, KERNEL_PTR, 8, COWL_VM_WRITE), EFAULT);
    EXPECT_ERR(cowl_vm_memory(vm, 0, KERNEL_PTR, 8, COWL_VM_READ), EFAULT);
    EXPECT_ERR(cowl_vm_memory(vm, 0, (void *)rodata, 8, COWL_VM_READ), EFAULT);
    /* a buffer whose second page is not mapped */
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(two != MAP_FAILED);
    CHECK_EQ(munmap(two + 4096, 4096), 0);
    EXPECT_ERR(cowl_vm_memory(vm, 0, two, 8192, COWL_VM_READ), EFAULT);
    EXPECT_ERR(cowl_vm_memory(vm, 0, two, 8192, COWL_VM_WRITE), EFAULT);
    CHECK_EQ(munmap(two, 4096), 0);
    EXPECT_ERR(cowl_vm_memory(-1, 0, buf, 8, COWL_VM_READ), EBADF);
    EXPECT_WRONG_FD(cowl_vm_memory(0, 0, buf, 8, COWL_VM_READ));
    EXPECT_WRONG_FD(cowl_vm_memory(cpu, 0, buf, 8, COWL_VM_READ));
    CHECK_EQ(cowl_vm_memory(vm, MIB - 8, buf, 8, COWL_VM_READ), 0);
    CHECK(memcmp(buf, edge, 8) == 0);
}

static void test_fds(int vm, int cpu)
{
    struct cowl_vcpu_regs regs;
    struct cowl_vm_exit e;
    EXPECT_ERR(cowl_vcpu_create(-1), EBADF);
    EXPECT_WRONG_FD(cowl_vcpu_create(0));
    EXPECT_WRONG_FD(cowl_vcpu_create(cpu));
    EXPECT_WRONG_FD(cowl_vcpu_regs(vm, &regs, COWL_VCPU_GET));
    EXPECT_WRONG_FD(cowl_vcpu_regs(0, &regs, COWL_VCPU_GET));
    EXPECT_WRONG_FD(cowl_vcpu_run(vm, &e));
    EXPECT_WRONG_FD(cowl_vcpu_run(0, &e));
    EXPECT_ERR(cowl_vcpu_run(-1, &e), EBADF);
}

static void test_pointers(int vm, int cpu)
{
    struct cowl_vcpu_regs regs;
    EXPECT_ERR(cowl_vcpu_regs(cpu, NULL, COWL_VCPU_GET), EFAULT);
    EXPECT_ERR(cowl_vcpu_regs(cpu, NULL, COWL_VCPU_SET), EFAULT);
    EXPECT_ERR(cowl_vcpu_regs(cpu, KERNEL_PTR, COWL_VCPU_SET), EFAULT);
    EXPECT_ERR(cowl_vcpu_regs(cpu, (void *)rodata, COWL_VCPU_GET), EFAULT);
    EXPECT_ERR(cowl_vcpu_regs(cpu, &regs, 2), EINVAL);
    EXPECT_ERR(cowl_vcpu_run(cpu, NULL), EFAULT);
    EXPECT_ERR(cowl_vcpu_run(cpu, KERNEL_PTR), EFAULT);
    EXPECT_ERR(cowl_vcpu_run(cpu, (void *)&ro_exit), EFAULT);
    vm_expect_hello(vm, cpu);
}

/* What SET stores, GET gives back. */
static void test_regs_roundtrip(int cpu)
{
    struct cowl_vcpu_regs set, got;
    vm_real_mode_regs(&set);
    set.rbx = 0x1122334455667788ul;
    set.r15 = 0x8877665544332211ul;
    CHECK_EQ(cowl_vcpu_regs(cpu, &set, COWL_VCPU_SET), 0);
    CHECK_EQ(cowl_vcpu_regs(cpu, &got, COWL_VCPU_GET), 0);
    CHECK_EQ(got.rbx, set.rbx);
    CHECK_EQ(got.r15, set.r15);
    CHECK_EQ(got.rip, set.rip);
    CHECK_EQ(got.cr0 & ~CR0_ET, set.cr0 & ~CR0_ET); /* ET is read-only as 1 on some CPUs */
    CHECK_EQ(got.cs.attrib, set.cs.attrib);
    CHECK_EQ(got.ss.limit, set.ss.limit);
}

/* 64-bit long mode on 0x1000's page tables (there are none: the guest
 * never gets to run a single instruction in the bad cases). */
static void long_mode_regs(struct cowl_vcpu_regs *r)
{
    vm_real_mode_regs(r);
    r->cr0 = CR0_PE | CR0_ET | CR0_PG;
    r->cr4 = CR4_PAE;
    r->cr3 = 0x1000;
    r->efer = EFER_LME | EFER_LMA;
    r->cs.attrib |= COWL_SEG_L;
}

/* One impossible state: SET refuses it, or SET takes it and RUN refuses it,
 * both with EINVAL; if SET refused it, the old state is still there. */
static void expect_bad_state(int line, int vm, int cpu, const struct cowl_vcpu_regs *bad)
{
    struct cowl_vcpu_regs before, after;
    struct cowl_vm_exit e;
    vm_real_mode_regs(&before);
    before.rdx = 0x5a5a;
    CHECK_EQ(cowl_vcpu_regs(cpu, &before, COWL_VCPU_SET), 0);
    errno = 0;
    if (cowl_vcpu_regs(cpu, (struct cowl_vcpu_regs *)bad, COWL_VCPU_SET) == 0) {
        memset(&e, 0, sizeof(e));
        long r = cowl_vcpu_run(cpu, &e);
        if (r != -1 || errno != EINVAL) {
            printf("FAIL %s:%d: a bad state ran: run returned %ld errno %d, exit kind %u\n",
                   __FILE__, line, r, errno, r == 0 ? e.kind : 0);
            exit(1);
        }
    } else {
        if (errno != EINVAL) {
            printf("FAIL %s:%d: SET of a bad state: errno %d, not EINVAL\n", __FILE__, line, errno);
            exit(1);
        }
        CHECK_EQ(cowl_vcpu_regs(cpu, &after, COWL_VCPU_GET), 0);
        if (after.rdx != before.rdx || after.rip != before.rip || after.cr0 != before.cr0) {
            printf("FAIL %s:%d: a refused SET changed the state: rdx 0x%lx rip 0x%lx cr0 0x%lx\n",
                   __FILE__, line, (unsigned long)after.rdx, (unsigned long)after.rip,
                   (unsigned long)after.cr0);
            exit(1);
        }
    }
    vm_expect_hello(vm, cpu);
}

static void test_bad_states(int vm, int cpu)
{
    struct cowl_vcpu_regs r;
    vm_real_mode_regs(&r); /* paging without protection */
    r.cr0 = CR0_ET | CR0_PG;
    expect_bad_state(__LINE__, vm, cpu, &r);
    vm_real_mode_regs(&r); /* not-write-through without cache-disable */
    r.cr0 = CR0_ET | CR0_NW;
    expect_bad_state(__LINE__, vm, cpu, &r);
    vm_real_mode_regs(&r); /* CR0's upper half is reserved */
    r.cr0 = CR0_ET | (1ul << 32);
    expect_bad_state(__LINE__, vm, cpu, &r);
    vm_real_mode_regs(&r); /* a reserved CR4 bit */
    r.cr4 = 1ul << 40;
    expect_bad_state(__LINE__, vm, cpu, &r);
    vm_real_mode_regs(&r); /* a reserved EFER bit */
    r.efer = 1ul << 40;
    expect_bad_state(__LINE__, vm, cpu, &r);
    long_mode_regs(&r); /* long mode without PAE */
    r.cr4 = 0;
    expect_bad_state(__LINE__, vm, cpu, &r);
    long_mode_regs(&r); /* long mode without protected mode */
    r.cr0 &= ~CR0_PE;
    expect_bad_state(__LINE__, vm, cpu, &r);
    long_mode_regs(&r); /* a 64-bit code segment cannot also be 32-bit */
    r.cs.attrib |= COWL_SEG_DB;
    expect_bad_state(__LINE__, vm, cpu, &r);
    long_mode_regs(&r); /* CR3's reserved high bits */
    r.cr3 = 1ul << 62 | 0x1000;
    expect_bad_state(__LINE__, vm, cpu, &r);
    long_mode_regs(&r); /* a RIP no 64-bit CPU can fetch from */
    r.rip = 0x0000800000000000ul;
    expect_bad_state(__LINE__, vm, cpu, &r);
}

int main(void)
{
    vm_skip_without_hypervisor();
    test_create();
    int vm, cpu;
    vm_new_guest(MIB, "/guests/hello.bin", &vm, &cpu);
    test_memory(vm, cpu);
    test_fds(vm, cpu);
    test_pointers(vm, cpu);
    test_regs_roundtrip(cpu);
    test_bad_states(vm, cpu);
    CHECK_EQ(close(cpu), 0);
    CHECK_EQ(close(vm), 0);
    return 0; /* the runner's leak check then counts every page back */
}
