/* exit.c - what a #VMEXIT means.  The kernel handles host interrupts,
 * nested page faults on guest RAM, CPUID and the no-op hypercall itself
 * and runs the guest again; port I/O, other hypercalls, HLT, accesses
 * outside RAM (MMIO), a triple fault and anything unexpected go to the
 * monitor as a struct cowl_vm_exit.
 *
 * QEMU's TCG has no NRIPS (the CPU's "next RIP"), so RIP is advanced here
 * by the length of the instruction that exited: VMMCALL 3 bytes, HLT 1,
 * CPUID 2; an IN or OUT reports its next RIP in EXITINFO2. */
#include "kernel/time.h"
#include "mm/vm.h"
#include "virt/vm.h"

#define LEN_VMMCALL 3
#define LEN_HLT     1
#define LEN_CPUID   2

/* The signature a guest finds at CPUID 0x40000000 (the leaf KVM and Xen
 * use to say "you run under a hypervisor"): "cowlcowlcowl". */
#define CPUID_HV_LEAF   0x40000000u /* EAX: the last leaf; the rest: the signature */
#define CPUID_HV_SIG    0x6c776f63u /* "cowl", little-endian */
#define CPUID_HV_TIMING 0x40000010u /* EAX: the TSC's frequency in kHz */

static void cpuid_exit(struct vcpu *v)
{
    struct vmcb_save *s = &v->vmcb->save;
    uint32_t leaf = (uint32_t)s->rax, sub = (uint32_t)v->gprs.rcx, r[4];
    if (leaf == CPUID_HV_LEAF) {
        r[0] = CPUID_HV_TIMING;
        r[1] = r[2] = r[3] = CPUID_HV_SIG;
    } else if (leaf == CPUID_HV_TIMING) {
        r[0] = (uint32_t)(tsc_per_us * 1000); /* the guest runs on this CPU's TSC */
        r[1] = r[2] = r[3] = 0;
    } else {
        svm_host_cpuid(leaf, sub, r);
        if (leaf == 1)
            r[2] |= 1u << 31; /* ECX.hypervisor: "you are a guest" */
        if (leaf == 0x80000001)
            r[2] &= ~(1u << 2); /* no SVM inside (cowl runs no nested guests) */
    }
    s->rax = r[0];
    v->gprs.rbx = r[1];
    v->gprs.rcx = r[2];
    v->gprs.rdx = r[3];
    s->rip += LEN_CPUID;
}

static int io_exit(struct vcpu *v, struct cowl_vm_exit *exit)
{
    const struct vmcb_control *c = &v->vmcb->control;
    uint64_t info = c->exit_info_1;
    if (info & (SVM_IOIO_STRING | SVM_IOIO_REP))
        return -1; /* INS/OUTS: the monitor sees the raw exit */
    unsigned size = SVM_IOIO_SIZE(info) & 4 ? 4 : SVM_IOIO_SIZE(info) & 2 ? 2 : 1;
    exit->kind = COWL_EXIT_IO;
    exit->io.port = SVM_IOIO_PORT(info);
    exit->io.size = size;
    exit->io.write = !(info & SVM_IOIO_IN);
    exit->io.data =
        exit->io.write ? (uint32_t)v->vmcb->save.rax & (uint32_t)((1ull << (8 * size)) - 1) : 0;
    if (!exit->io.write) {
        v->pending = PENDING_IN;
        v->pending_size = size;
    }
    v->vmcb->save.rip = c->exit_info_2;
    return 0;
}

static int hypercall_exit(struct vcpu *v, struct cowl_vm_exit *exit)
{
    struct vmcb_save *s = &v->vmcb->save;
    s->rip += LEN_VMMCALL;
    if (s->rax == COWL_HC_NOP || s->rax == COWL_HC_TIMER) {
        s->rax = s->rax == COWL_HC_TIMER ? vtimer_set(v, v->gprs.rbx, v->gprs.rcx) : 0;
        virt_count(hypercalls_kernel, 1);
        return 1;
    }
    exit->kind = COWL_EXIT_HYPERCALL;
    exit->hypercall.nr = s->rax;
    exit->hypercall.args[0] = v->gprs.rbx;
    exit->hypercall.args[1] = v->gprs.rcx;
    exit->hypercall.args[2] = v->gprs.rdx;
    exit->hypercall.ret = 0;
    v->pending = PENDING_HYPERCALL;
    return 0;
}

/* Fault-around: a guest that touches a page of RAM for the first time will
 * most likely touch its neighbours next (its page allocator hands out
 * pages in order, and zeroes them).  Every nested fault is an exit and a
 * world switch, the dearest thing a guest does (under TCG: tens of
 * microseconds); mapping the aligned 64 KiB around a first touch at once
 * takes up to 15 of them away.  Only empty entries are filled: a page
 * shared with a vmfork's parent stays shared until the guest writes it. */
#define FAULT_AROUND_PAGES 16

/* A nested page fault: guest RAM is faulted in by mm/ exactly as a
 * process's memory is (demand-zero now, copy-on-write after a vmfork);
 * anything else is MMIO for the monitor. */
static int npf_exit(struct vcpu *v, struct cowl_vm_exit *exit)
{
    uint64_t info = v->vmcb->control.exit_info_1, gpa = v->vmcb->control.exit_info_2;
    /* the CPU writes the guest's page tables (accessed and dirty bits) */
    bool write = (info & SVM_NPF_WRITE) || (info & SVM_NPF_WALK);
    unsigned access =
        FAULT_USER | (write ? FAULT_WRITE : 0) | (info & SVM_NPF_FETCH ? FAULT_EXEC : 0);
    int err = gpa < v->vm->ram_bytes ? vm_fault(v->vm->mm, gpa, access) : -EFAULT;
    if (err == 0) {
        if (!(info & SVM_NPF_PRESENT))
            virt_count(nested_fault_around,
                       vm_fault_around(v->vm->mm, gpa, FAULT_AROUND_PAGES));
        virt_count(nested_faults, 1);
        virt_count(nested_cow_faults, (info & SVM_NPF_PRESENT) && write);
        return 1;
    }
    if (err != -EFAULT)
        return err; /* -ENOMEM: the run fails, the guest can try again */
    exit->kind = COWL_EXIT_MMIO;
    exit->mmio.gpa = gpa;
    exit->mmio.write = write;
    return 0;
}

static void raw_exit(struct vcpu *v, struct cowl_vm_exit *exit)
{
    const struct vmcb_control *c = &v->vmcb->control;
    exit->kind = COWL_EXIT_UNHANDLED;
    exit->unhandled.code = c->exit_code;
    exit->unhandled.info1 = c->exit_info_1;
    exit->unhandled.info2 = c->exit_info_2;
}

static int handle(struct vcpu *v, struct cowl_vm_exit *exit);

int vcpu_handle_exit(struct vcpu *v, struct cowl_vm_exit *exit)
{
    int r = handle(v, exit);
    if (r == 0 && exit->kind < COWL_EXIT_KINDS)
        virt_count(exits[exit->kind], 1);
    return r;
}

static int handle(struct vcpu *v, struct cowl_vm_exit *exit)
{
    uint64_t code = v->vmcb->control.exit_code;
    int r = 0;
    if ((uint32_t)code == (uint32_t)SVM_EXIT_INVALID) /* -1: 64 bits on AMD, 32 under QEMU */
        return -EINVAL;                               /* a state vmcb_check_state did not catch */
    exit->rip = v->vmcb->save.rip;
    switch (code) {
    case SVM_EXIT_INTR: /* taken by the host when vcpu_enter turned interrupts on */
    case SVM_EXIT_NMI:
        virt_count(exits_intr, 1);
        return 1;
    case SVM_EXIT_CPUID:
        cpuid_exit(v);
        virt_count(cpuids, 1);
        return 1;
    case SVM_EXIT_NPF:
        return npf_exit(v, exit);
    case SVM_EXIT_VMMCALL:
        return hypercall_exit(v, exit);
    case SVM_EXIT_IOIO:
        r = io_exit(v, exit);
        break;
    case SVM_EXIT_HLT:
        v->vmcb->save.rip += LEN_HLT;
        if (vtimer_halt(v)) /* the timer will wake it: sleep here, not in the monitor */
            return 1;
        exit->kind = COWL_EXIT_HLT;
        return 0;
    case SVM_EXIT_SHUTDOWN: /* the VMCB's state is undefined now: no more runs */
        v->dead = true;
        exit->kind = COWL_EXIT_SHUTDOWN;
        return 0;
    default:
        r = -1;
    }
    if (r < 0)
        raw_exit(v, exit);
    return 0;
}
