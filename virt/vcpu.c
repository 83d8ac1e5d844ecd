/* vcpu.c - a virtual CPU: creating one, its registers, and the run loop
 * that enters the guest, lets the kernel handle what it can (nested page
 * faults, host interrupts, CPUID, the no-op hypercall) and returns to the
 * monitor for the rest.
 *
 *   vcpu_run:  finish the monitor's answer (IN data, hypercall result)
 *     loop:    killed? -> -EINTR;  the monitor's time limit passed? -> 0
 *              vcpu_enter: interrupts off, FPU to the guest's, flush the
 *                          TLB if needed, svm_run, FPU back, interrupts on
 *                          (a host interrupt that ended the run is taken
 *                          here, and may switch to another thread)
 *              vcpu_handle_exit: 1 -> loop, 0 -> back to the monitor */
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"
#include "virt/vm.h"

/* Which vCPU each CPU ran last (by serial number, never reused), so that
 * a CPU switching between vCPUs, or a vCPU that moved to another CPU,
 * flushes the guest TLB: VMs share ASIDs, and a vCPU's translations on a
 * CPU it left may be stale when it comes back. */
static uint64_t last_vcpu_on[MAX_CPUS];
static uint64_t next_vcpu_serial = 1; /* [a] */

struct vcpu *vcpu_create(struct vm *vm, int *err)
{
    struct vcpu *v = kzalloc(sizeof(*v));
    struct page *page = pmm_alloc(0, PAGE_KERNEL, PMM_ZERO);
    void *fpu = kmalloc(FPU_AREA_SIZE);
    if (!v || !page || !fpu) {
        kfree(v);
        kfree(fpu);
        if (page)
            page_put(page);
        *err = -ENOMEM;
        return NULL;
    }
    v->vm = vm;
    vm_get(vm);
    v->vmcb = page_to_virt(page);
    v->vmcb_pa = page_to_phys(page);
    v->fpu = fpu;
    arch_fpu_reset(fpu);
    v->run_lock = (struct mutex)MUTEX_INIT(v->run_lock, "vcpu");
    v->last_cpu = -1;
    v->serial = __atomic_fetch_add(&next_vcpu_serial, 1, __ATOMIC_RELAXED);
    v->refs = 1;
    vmcb_init(v);
    virt_count(vcpus, 1);
    return v;
}

struct vcpu *vcpu_fork(struct vcpu *src, struct vm *vm, int *err)
{
    struct vcpu *v = vcpu_create(vm, err);
    if (!v)
        return NULL;
    mutex_lock(&src->run_lock); /* not while it runs: its state is in the CPU */
    v->vmcb->save = src->vmcb->save;
    v->gprs = src->gprs;
    memcpy(v->fpu, src->fpu, FPU_AREA_SIZE);
    v->pending = src->pending;
    v->pending_size = src->pending_size;
    v->dead = src->dead;
    v->timer_period_ns = src->timer_period_ns;
    v->timer_next_ns = src->timer_next_ns;
    v->timer_vector = src->timer_vector;
    mutex_unlock(&src->run_lock);
    return v;
}

void vcpu_put(struct vcpu *v)
{
    if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL))
        return;
    page_put(virt_to_page(v->vmcb));
    kfree(v->fpu);
    vm_put(v->vm);
    kfree(v);
    virt_count(vcpus, -1);
}

int vcpu_get_regs(struct vcpu *v, struct cowl_vcpu_regs *r)
{
    mutex_lock(&v->run_lock);
    vmcb_get_regs(v, r);
    mutex_unlock(&v->run_lock);
    return 0;
}

/* Check first, then change: a refused state leaves the vCPU as it was. */
int vcpu_set_regs(struct vcpu *v, const struct cowl_vcpu_regs *r)
{
    const char *why = vmcb_check_regs(r);
    if (why) {
        pr_info("vcpu: refused guest state: %s\n", why);
        return -EINVAL;
    }
    mutex_lock(&v->run_lock);
    vmcb_set_regs(v, r);
    v->pending = PENDING_NONE; /* new registers: nothing of the old exit to finish */
    mutex_unlock(&v->run_lock);
    return 0;
}

/* Put the monitor's answer to the last exit into the guest's registers. */
static void finish_pending(struct vcpu *v, const struct cowl_vm_exit *exit)
{
    uint64_t *rax = &v->vmcb->save.rax;
    if (v->pending == PENDING_IN) {
        uint64_t mask = v->pending_size == 4 ? 0xffffffffull : (1ull << (8 * v->pending_size)) - 1;
        /* IN to EAX zero-extends into RAX; to AL or AX it keeps the rest */
        *rax = v->pending_size == 4 ? exit->io.data : (*rax & ~mask) | (exit->io.data & mask);
    } else if (v->pending == PENDING_HYPERCALL) {
        *rax = exit->hypercall.ret;
    }
    v->pending = PENDING_NONE;
}

/* Flush the guest's TLB at this VMRUN unless this CPU ran this very vCPU
 * last and its nested tables were not flushed since (gen: mm/tlb.h,
 * tlb_guest_enter).  QEMU's TCG flushes on every world switch anyway; real
 * hardware needs this. */
static void choose_tlb_flush(struct vcpu *v, int cpu, uint32_t gen)
{
    bool stale = last_vcpu_on[cpu] != v->serial || v->last_cpu != cpu || v->seen_gen != gen;
    v->vmcb->control.tlb_control = stale ? SVM_TLB_FLUSH_ALL : SVM_TLB_NOTHING;
    virt_count(tlb_flushes, stale);
    last_vcpu_on[cpu] = v->serial;
    v->last_cpu = cpu;
    v->seen_gen = gen;
}

/* One trip into the guest.  The kernel uses no FPU registers, so what
 * they hold now is the monitor's user state: it is parked in the thread's
 * own FPU area while the guest's is loaded. */
static int vcpu_enter(struct vcpu *v)
{
    struct thread *t = current_thread();
    irq_disable();
    if (!svm_cpu_enable()) {
        irq_enable();
        return -ENODEV;
    }
    vtimer_inject(v);
    pte_t *nested = v->vm->mm->pml4;
    choose_tlb_flush(v, this_cpu()->id, tlb_guest_enter(nested));
    v->vmcb->save.efer |= EFER_SVME; /* a guest may clear it; VMRUN needs it */
    if (t->fpu) /* a kernel thread (the kernel's tests) has no user FPU state */
        arch_fpu_save(t->fpu);
    arch_fpu_restore(v->fpu);
    svm_run(v->vmcb_pa, &v->gprs);
    tlb_guest_exit(nested);
    virt_count(runs, 1);
    arch_fpu_save(v->fpu);
    if (t->fpu)
        arch_fpu_restore(t->fpu);
    irq_enable(); /* a host interrupt that made the guest exit is taken now */
    return 0;
}

/* The monitor's time limit for this run (uapi/vm.h, timeout_ms): when it
 * ends, as an exit of its own; 0 means none. */
static uint64_t run_deadline(const struct cowl_vm_exit *exit)
{
    return exit->timeout_ms ? time_now_ns() + exit->timeout_ms * 1000000ull : 0;
}

static bool timed_out(struct vcpu *v, uint64_t deadline, struct cowl_vm_exit *exit)
{
    if (!deadline || time_now_ns() < deadline)
        return false;
    exit->kind = COWL_EXIT_TIMEOUT;
    exit->rip = v->vmcb->save.rip;
    virt_count(exits[COWL_EXIT_TIMEOUT], 1);
    return true;
}

int vcpu_run(struct vcpu *v, struct cowl_vm_exit *exit)
{
    uint64_t deadline = run_deadline(exit);
    mutex_lock(&v->run_lock);
    int r = v->dead ? -EIO : 1;
    const char *why = r == 1 ? vmcb_check_state(v->vmcb) : NULL;
    if (why) {
        pr_info("vcpu: refused guest state: %s\n", why);
        r = -EINVAL;
    }
    if (r == 1)
        finish_pending(v, exit);
    while (r == 1) {
        if (current_thread()->killed) {
            r = -EINTR;
            break;
        }
        if (timed_out(v, deadline, exit)) {
            r = 0;
            break;
        }
        r = vcpu_enter(v);
        if (r == 0)
            r = vcpu_handle_exit(v, exit);
    }
    mutex_unlock(&v->run_lock);
    return r;
}
