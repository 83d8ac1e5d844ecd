/* test_virt.c - virtual machines from inside the kernel: a few bytes of
 * real-mode guest code each, run on a vCPU, and the exit they must give.
 * They cover the VMCB's setup (intercepts, the register round trip), the
 * world switch (registers in and out), the exits cowl turns into records,
 * and the nested page tables (demand-zero faults on guest RAM, MMIO
 * beyond it, no kernel half).  Skipped where the CPU has no SVM. */
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/time.h"
#include "mm/tlb.h"
#include "lib/string.h"
#include "mm/pgtable.h"
#include "mm/vm.h"
#include "virt/vm.h"

#define RAM       (16ul << 20)
#define CODE_AT   0x8000
#define SKIP_IF_NO_SVM()                                                                           \
    do {                                                                                           \
        if (!virt_available())                                                                     \
            SKIP("no SVM with nested paging on this CPU");                                         \
    } while (0)

struct guest {
    struct vm *vm;
    struct vcpu *cpu;
    struct cowl_vm_exit exit;
};

/* A VM with `code` at CODE_AT and a vCPU about to run it in real mode. */
static bool guest_start(struct guest *g, const uint8_t *code, size_t len)
{
    int err;
    memset(g, 0, sizeof(*g));
    g->vm = vm_create(RAM, &err);
    if (!g->vm)
        return false;
    g->cpu = vcpu_create(g->vm, &err);
    if (!g->cpu || mm_copy_in(g->vm->mm, CODE_AT, code, len))
        return false;
    struct cowl_vcpu_regs r;
    vcpu_get_regs(g->cpu, &r);
    r.cs = (struct cowl_seg){0, 0x9b, 0xffff, 0};
    r.rip = CODE_AT;
    return vcpu_set_regs(g->cpu, &r) == 0;
}

static void guest_end(struct guest *g)
{
    if (g->cpu)
        vcpu_put(g->cpu);
    if (g->vm)
        vm_put(g->vm);
}

static uint64_t guest_reg_rax(struct guest *g)
{
    struct cowl_vcpu_regs r;
    vcpu_get_regs(g->cpu, &r);
    return r.rax;
}

KTEST(virt, hypercall_and_hlt_exits)
{
    SKIP_IF_NO_SVM();
    static const uint8_t code[] = {
        0x66, 0xb8, 0x03, 0x00, 0x00, 0x00, /* mov eax, COWL_HC_REPORT */
        0x66, 0xbb, 0x34, 0x12, 0x00, 0x00, /* mov ebx, 0x1234 */
        0x0f, 0x01, 0xd9,                   /* vmmcall */
        0xf4,                               /* hlt */
    };
    struct guest g;
    ASSERT(guest_start(&g, code, sizeof(code)));
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HYPERCALL);
    EXPECT_EQ(g.exit.hypercall.nr, COWL_HC_REPORT);
    EXPECT_EQ(g.exit.hypercall.args[0], 0x1234);
    EXPECT_EQ(g.exit.rip, CODE_AT + 12);
    g.exit.hypercall.ret = 77; /* the monitor's answer lands in RAX */
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HLT);
    EXPECT_EQ(guest_reg_rax(&g), 77);
    guest_end(&g);
}

KTEST(virt, port_io_in_and_out)
{
    SKIP_IF_NO_SVM();
    static const uint8_t code[] = {
        0xba, 0xf8, 0x03, /* mov dx, 0x3f8 */
        0xb0, 0x78,       /* mov al, 'x' */
        0xee,             /* out dx, al */
        0xec,             /* in al, dx */
        0xf4,             /* hlt */
    };
    struct guest g;
    ASSERT(guest_start(&g, code, sizeof(code)));
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_IO);
    EXPECT_EQ(g.exit.io.port, 0x3f8);
    EXPECT_EQ(g.exit.io.size, 1);
    EXPECT_EQ(g.exit.io.write, 1);
    EXPECT_EQ(g.exit.io.data, 'x');
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_IO);
    EXPECT_EQ(g.exit.io.write, 0);
    g.exit.io.data = 0x5a;
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HLT);
    EXPECT_EQ(guest_reg_rax(&g) & 0xffff, 0x5a); /* AL from the monitor, AH kept (0) */
    guest_end(&g);
}

/* mov byte [es:0x10], 0x99; hlt -- with ES's base chosen by the test */
static const uint8_t store_code[] = {0x26, 0xc6, 0x06, 0x10, 0x00, 0x99, 0xf4};

static void set_es_base(struct guest *g, uint64_t base)
{
    struct cowl_vcpu_regs r;
    vcpu_get_regs(g->cpu, &r);
    r.es.base = base;
    vcpu_set_regs(g->cpu, &r);
}

KTEST(virt, nested_fault_fills_guest_ram)
{
    SKIP_IF_NO_SVM();
    struct guest g;
    ASSERT(guest_start(&g, store_code, sizeof(store_code)));
    uint64_t target = 0x200000;
    EXPECT(!pgtable_translate(g.vm->mm->pml4, target, NULL, NULL)); /* untouched yet */
    set_es_base(&g, target);
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HLT);
    uint64_t pa;
    pte_t leaf;
    ASSERT(pgtable_translate(g.vm->mm->pml4, target, &pa, &leaf));
    EXPECT_EQ(*(uint8_t *)phys_to_virt(pa + 0x10), 0x99);
    EXPECT(leaf & PTE_U); /* nested walks are user accesses: U at every level */
    EXPECT(g.vm->mm->pml4[0] & PTE_U);
    for (unsigned i = PT_USER_ENTRIES; i < PT_ENTRIES; i++)
        EXPECT_EQ(g.vm->mm->pml4[i], 0); /* no host kernel half in nested tables */
    guest_end(&g);
}

KTEST(virt, access_beyond_ram_is_mmio)
{
    SKIP_IF_NO_SVM();
    struct guest g;
    ASSERT(guest_start(&g, store_code, sizeof(store_code)));
    set_es_base(&g, RAM + 0x100000);
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_MMIO);
    EXPECT_EQ(g.exit.mmio.gpa, RAM + 0x100010);
    EXPECT_EQ(g.exit.mmio.write, 1);
    guest_end(&g);
}

KTEST(virt, cpuid_says_cowl)
{
    SKIP_IF_NO_SVM();
    static const uint8_t code[] = {
        0x66, 0xb8, 0x00, 0x00, 0x00, 0x40, /* mov eax, 0x40000000 */
        0x0f, 0xa2,                         /* cpuid */
        0xf4,                               /* hlt */
    };
    struct guest g;
    ASSERT(guest_start(&g, code, sizeof(code)));
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HLT);
    struct cowl_vcpu_regs r;
    vcpu_get_regs(g.cpu, &r);
    EXPECT_EQ(r.rbx, 0x6c776f63); /* "cowl" */
    EXPECT_EQ(r.rax, 0x40000010); /* the last leaf: the TSC's frequency */
    guest_end(&g);
}

KTEST(virt, inconsistent_state_is_refused)
{
    SKIP_IF_NO_SVM();
    struct guest g;
    ASSERT(guest_start(&g, store_code, sizeof(store_code)));
    struct cowl_vcpu_regs good, bad;
    vcpu_get_regs(g.cpu, &good);
    bad = good;
    bad.cr0 = 0x80000000; /* paging without protected mode */
    EXPECT_EQ(vcpu_set_regs(g.cpu, &bad), -EINVAL);
    bad = good;
    bad.efer = 1ull << 20; /* a reserved EFER bit */
    EXPECT_EQ(vcpu_set_regs(g.cpu, &bad), -EINVAL);
    struct cowl_vcpu_regs now;
    vcpu_get_regs(g.cpu, &now);
    EXPECT_EQ(now.cr0, good.cr0); /* a refused call changed nothing */
    EXPECT_EQ(now.efer, good.efer);
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HLT);
    guest_end(&g);
}

/* A state that got into the VMCB anyway (here written straight into it, as
 * a guest's own instructions might leave it) is refused by the run. */
KTEST(virt, bad_vmcb_state_does_not_run)
{
    SKIP_IF_NO_SVM();
    struct guest g;
    ASSERT(guest_start(&g, store_code, sizeof(store_code)));
    g.cpu->vmcb->save.cr0 = 0x80000000;
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), -EINVAL);
    guest_end(&g);
}

/* The runner boots every TCG machine with -cpu max, which has SVM and
 * nested paging: there, a hypervisor that says "unavailable" is a bug
 * (the other tests would all skip). */
KTEST(virt, svm_found_where_expected)
{
    if (!cmdline_get("expect_svm"))
        SKIP("booted without expect_svm=1");
    EXPECT(virt_available());
}

static int run_until_killed(void *arg)
{
    struct guest *g = arg;
    return vcpu_run(g->cpu, &g->exit) == -EINTR ? 0 : 1;
}

/* A change to a VM's nested tables must reach the TLB of every CPU that
 * may run one of its vCPUs (QEMU's TCG flushes on every world switch, so
 * this checks cowl's side of it: the flush generation and the next
 * VMRUN's TLB_CONTROL).  A guest spins on another thread; the test
 * flushes the VM's tables; the vCPU's next run must flush its ASID. */
KTEST(virt, nested_flush_reaches_a_running_vcpu)
{
    SKIP_IF_NO_SVM();
    static const uint8_t spin[] = {0xeb, 0xfe}; /* jmp $ */
    struct guest g;
    ASSERT(guest_start(&g, spin, sizeof(spin)));
    struct thread *runner = kthread_create("vcpu", run_until_killed, &g);
    ASSERT(runner != NULL);
    sched_start(runner);
    uint64_t runs = __atomic_load_n(&virt_stats.runs, __ATOMIC_RELAXED);
    for (int i = 0; i < 500 && __atomic_load_n(&virt_stats.runs, __ATOMIC_RELAXED) < runs + 3; i++)
        sched_sleep_ticks(1); /* the guest is in and out (timer exits) */
    uint64_t flushes = __atomic_load_n(&virt_stats.tlb_flushes, __ATOMIC_RELAXED);
    runs = __atomic_load_n(&virt_stats.runs, __ATOMIC_RELAXED);
    tlb_flush(g.vm->mm->pml4, 0, PAGE_SIZE);
    for (int i = 0; i < 500 && __atomic_load_n(&virt_stats.runs, __ATOMIC_RELAXED) < runs + 3; i++)
        sched_sleep_ticks(1);
    EXPECT(__atomic_load_n(&virt_stats.tlb_flushes, __ATOMIC_RELAXED) > flushes);
    runner->killed = SIGKILL;
    EXPECT_EQ(kthread_join(runner), 0);
    guest_end(&g);
}

static uint8_t guest_byte(struct vm *vm, uint64_t gpa)
{
    uint64_t pa;
    if (!pgtable_translate(vm->mm->pml4, gpa, &pa, NULL))
        return 0; /* never touched: zero */
    return *(uint8_t *)phys_to_virt(pa);
}

static void set_stored_byte(struct vm *vm, uint8_t value)
{
    uint8_t code[sizeof(store_code)];
    memcpy(code, store_code, sizeof(code));
    code[5] = value; /* the immediate of mov byte [es:0x10], imm8 */
    mm_copy_in(vm->mm, CODE_AT, code, sizeof(code)); /* a kernel write: breaks COW */
}

static void rerun_store(struct vcpu *cpu, struct cowl_vm_exit *exit)
{
    struct cowl_vcpu_regs r;
    vcpu_get_regs(cpu, &r);
    r.rip = CODE_AT;
    vcpu_set_regs(cpu, &r);
    vcpu_run(cpu, exit);
}

/* vmfork: the child sees the parent's memory, and from then on each side's
 * writes (its own, and the kernel's into it) stay its own, in every fork
 * mode.  In share mode the fork made one table page (the child's nested
 * PML4) and left the parent's top-level entries read-only + COW_TABLE. */
static void vmfork_case(struct ktest_ctx *t, enum fork_mode mode)
{
    struct guest g;
    ASSERT(guest_start(&g, store_code, sizeof(store_code)));
    set_es_base(&g, 0x200000);
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(guest_byte(g.vm, 0x200010), 0x99);
    int err;
    struct vm *vm2 = vm_fork(g.vm, mode, &err);
    ASSERT(vm2 != NULL);
    struct vcpu *cpu2 = vcpu_fork(g.cpu, vm2, &err);
    ASSERT(cpu2 != NULL);
    if (mode == FORK_SHARE) {
        EXPECT_EQ(vm2->mm->fork_tables, 1);
        EXPECT(g.vm->mm->pml4[0] & PTE_COW_TABLE);
        EXPECT(!(g.vm->mm->pml4[0] & PTE_W));
        EXPECT_EQ(vm2->mm->pml4[0], g.vm->mm->pml4[0]); /* the same PDPT, shared */
    } else {
        EXPECT(vm2->mm->fork_tables > 1); /* every table copied */
    }
    for (unsigned i = PT_USER_ENTRIES; i < PT_ENTRIES; i++)
        EXPECT_EQ(vm2->mm->pml4[i], 0);
    EXPECT_EQ(guest_byte(vm2, 0x200010), 0x99); /* the child sees the parent's memory */
    struct cowl_vm_exit exit2 = {0};
    set_stored_byte(vm2, 0x55);
    rerun_store(cpu2, &exit2);
    EXPECT_EQ(exit2.kind, COWL_EXIT_HLT);
    EXPECT_EQ(guest_byte(vm2, 0x200010), 0x55);
    EXPECT_EQ(guest_byte(g.vm, 0x200010), 0x99); /* ... but not the child's writes */
    set_stored_byte(g.vm, 0x77);
    rerun_store(g.cpu, &g.exit);
    EXPECT_EQ(guest_byte(g.vm, 0x200010), 0x77);
    EXPECT_EQ(guest_byte(vm2, 0x200010), 0x55);
    vcpu_put(cpu2);
    vm_put(vm2);
    guest_end(&g);
}

KTEST(virt, vmfork_shares_then_separates)
{
    SKIP_IF_NO_SVM();
    vmfork_case(t, FORK_SHARE);
}

KTEST(virt, vmfork_copy_and_eager_separate_too)
{
    SKIP_IF_NO_SVM();
    vmfork_case(t, FORK_COPY);
    vmfork_case(t, FORK_EAGER);
}

/* The paravirtual timer: a real-mode guest points vector 0x20 of its IVT
 * at a handler that counts, asks for a 10 ms tick (COWL_HC_TIMER), and
 * halts until the count reaches 3.  Each HLT sleeps in the host until the
 * next tick, which the run loop raises as a virtual interrupt. */
KTEST(virt, timer_ticks_wake_a_halted_guest)
{
    SKIP_IF_NO_SVM();
    static const uint8_t code[] = {
        0x66, 0xb8, 0x05, 0x00, 0x00, 0x00, /* 8000 mov eax, COWL_HC_TIMER */
        0x66, 0xbb, 0x80, 0x96, 0x98, 0x00, /* 8006 mov ebx, 10000000 (ns) */
        0x66, 0xb9, 0x20, 0x00, 0x00, 0x00, /* 800c mov ecx, 0x20 (vector) */
        0x0f, 0x01, 0xd9,                   /* 8012 vmmcall */
        0xfb,                               /* 8015 sti */
        0xf4,                               /* 8016 hlt */
        0x83, 0x3e, 0x00, 0x90, 0x03,       /* 8017 cmp word [0x9000], 3 */
        0x72, 0xf8,                         /* 801c jb 8016 */
        0xfa,                               /* 801e cli */
        0x66, 0xb8, 0x03, 0x00, 0x00, 0x00, /* 801f mov eax, COWL_HC_REPORT */
        0x66, 0x0f, 0xb7, 0x1e, 0x00, 0x90, /* 8025 movzx ebx, word [0x9000] */
        0x0f, 0x01, 0xd9,                   /* 802b vmmcall */
        0xf4,                               /* 802e hlt (interrupts off: to the monitor) */
    };
    static const uint8_t handler[] = {0xff, 0x06, 0x00, 0x90, 0xcf}; /* inc word [0x9000]; iret */
    static const uint8_t ivt_entry[] = {0x00, 0x81, 0x00, 0x00};    /* 0000:8100 */
    struct guest g;
    ASSERT(guest_start(&g, code, sizeof(code)));
    ASSERT(mm_copy_in(g.vm->mm, 0x8100, handler, sizeof(handler)) == 0);
    ASSERT(mm_copy_in(g.vm->mm, 0x20 * 4, ivt_entry, sizeof(ivt_entry)) == 0);
    uint64_t ticks = __atomic_load_n(&virt_stats.timer_ticks, __ATOMIC_RELAXED);
    uint64_t t0 = time_now_ns();
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HYPERCALL);
    EXPECT_EQ(g.exit.hypercall.nr, COWL_HC_REPORT);
    EXPECT(g.exit.hypercall.args[0] >= 3); /* three ticks taken by the guest's handler */
    EXPECT(__atomic_load_n(&virt_stats.timer_ticks, __ATOMIC_RELAXED) >= ticks + 3);
    EXPECT(time_now_ns() - t0 >= 20 * 1000 * 1000ull); /* it slept through them */
    EXPECT_EQ(vcpu_run(g.cpu, &g.exit), 0);
    EXPECT_EQ(g.exit.kind, COWL_EXIT_HLT); /* no timer can wake it with interrupts off */
    EXPECT_EQ(vtimer_set(g.cpu, 1000, 0x20), (uint64_t)-1); /* too fast */
    EXPECT_EQ(vtimer_set(g.cpu, 10000000, 3), (uint64_t)-1); /* an exception vector */
    guest_end(&g);
}
