/* vm.h - virtual machines and their virtual CPUs (docs/virt.md).
 *
 * A VM is guest RAM and an ASID; its guest-physical address space is an
 * ordinary struct mm (mm/vm.h) whose page tables are the nested page
 * tables the CPU walks for the guest:
 *
 *   guest virtual --(guest's own tables, in guest RAM)--> guest physical
 *   guest physical --(vm->mm's tables = nested tables)--> host physical
 *
 * So guest memory is faulted in, counted, audited and freed by mm/ like a
 * process's memory.  A vCPU is a VMCB plus the registers VMRUN does not
 * keep there; a monitor process holds both through file descriptors.
 *
 * Lock legend: [-] immutable after creation  [r] vcpu->run_lock  [a] atomic
 *              [v] vm->vcpus_lock (a leaf spinlock) */
#ifndef VIRT_VM_H
#define VIRT_VM_H

#include "kernel/mutex.h"
#include "kernel/spinlock.h"
#include "lib/list.h"
#include "lib/types.h"
#include "svm.h"
#include "uapi/vm.h"
#include "virt/virt.h"

struct mm;

struct vm {
    struct list_head link; /* [all_vms_lock] in all_vms (gdb's cowl-vms walks it) */
    int refs;              /* [a] descriptors and vCPUs that hold it */
    int id;                /* [-] for messages and gdb */
    struct mm *mm;         /* [-] guest-physical space: [0, ram_bytes) of RAM */
    uint64_t ram_bytes;    /* [-] */
    uint32_t asid;         /* [-] its TLB tag (shared by VMs past the ASID count) */
    struct spinlock vcpus_lock;
    struct list_head vcpus; /* [v] its vCPUs, oldest first (gdb's cowl-vcpus walks it) */
};

/* What a vCPU must finish at its next run, for the monitor's answer. */
enum vcpu_pending { PENDING_NONE, PENDING_IN, PENDING_HYPERCALL };

struct vcpu {
    struct vm *vm;             /* [-] with a reference */
    struct vmcb *vmcb;         /* [r] one page: the guest's state and intercepts */
    uint64_t vmcb_pa;          /* [-] */
    struct svm_gprs gprs;      /* [r] the guest's other registers */
    void *fpu;                 /* [r] the guest's x87/SSE state (FPU_AREA_SIZE) */
    struct mutex run_lock;     /* one thread runs (or reads, or sets) it at a time */
    uint64_t serial;           /* [-] never reused (vcpu.c: which vCPU a CPU ran last) */
    int last_cpu;              /* [r] where it ran last, -1 never */
    uint32_t seen_gen;         /* [r] its tables' flush generation at its last run (mm/tlb.h) */
    enum vcpu_pending pending; /* [r] */
    uint8_t pending_size;      /* [r] PENDING_IN: 1, 2 or 4 bytes */
    bool dead;                 /* [r] shut down (triple fault): it runs no more */
    uint64_t timer_period_ns;  /* [r] COWL_HC_TIMER's period; 0: stopped */
    uint64_t timer_next_ns;    /* [r] when its next tick is due (time_now_ns) */
    uint8_t timer_vector;      /* [r] the interrupt each tick raises */
    int refs;                  /* [a] its descriptors */
    struct list_head vm_link;  /* [v] in vm->vcpus, from create to the last put */
    bool in_guest;             /* [r] between VMRUN and #VMEXIT: its registers are in
                                  the CPU, the VMCB's are stale (for gdb) */
};

/* virt/vm.c (virt_init, virt_available: virt/virt.h) */
/* The counters cowl_virtstat reports; add with virt_count. */
extern struct cowl_virt_stats virt_stats;
#define virt_count(field, n) __atomic_add_fetch(&virt_stats.field, (n), __ATOMIC_RELAXED)
/* A VM with ram_bytes of RAM (a page multiple), or NULL with *err. */
struct vm *vm_create(uint64_t ram_bytes, int *err);
/* vmfork: a new VM whose memory is a copy-on-write fork of parent's, made
 * the way `mode` says (mm_fork); NULL with *err -ENOMEM. */
enum fork_mode;
struct vm *vm_fork(struct vm *parent, enum fork_mode mode, int *err);
void vm_get(struct vm *vm);
void vm_put(struct vm *vm);
/* Copy between guest-physical memory and a user buffer, through the same
 * fault path as the guest's own accesses (a write breaks copy-on-write
 * like the guest's would). 0, -EINVAL outside RAM, -EFAULT, -ENOMEM. */
int vm_copy(struct vm *vm, uint64_t gpa, void *ubuf, size_t len, bool write);

/* virt/vcpu.c */
struct vcpu *vcpu_create(struct vm *vm, int *err);
void vcpu_put(struct vcpu *v);
/* A vCPU of vm with src's whole state: registers (VMCB save area and the
 * rest), FPU, and the exit it has yet to finish; NULL with *err. */
struct vcpu *vcpu_fork(struct vcpu *src, struct vm *vm, int *err);
int vcpu_get_regs(struct vcpu *v, struct cowl_vcpu_regs *r);
int vcpu_set_regs(struct vcpu *v, const struct cowl_vcpu_regs *r);
/* Run until an exit for the monitor (filled into *exit, which also brings
 * the monitor's answer to the previous one); 0, or -EINTR when the thread
 * was killed, -EINVAL for a guest state VMRUN refused, -ENOMEM, -EIO for a
 * vCPU that shut down. */
int vcpu_run(struct vcpu *v, struct cowl_vm_exit *exit);

/* virt/vmcb.c: the VMCB's fixed parts and the guest state checks. */
bool vmcb_maps_init(void); /* the I/O and MSR permission maps, at boot */
void vmcb_init(struct vcpu *v);
void vmcb_get_regs(const struct vcpu *v, struct cowl_vcpu_regs *r);
void vmcb_set_regs(struct vcpu *v, const struct cowl_vcpu_regs *r);
/* Why VMRUN would refuse this state, or NULL if it looks runnable: the
 * VMCB's as it is, or the registers a monitor wants to set. */
const char *vmcb_check_state(const struct vmcb *vmcb);
const char *vmcb_check_regs(const struct cowl_vcpu_regs *r);

/* virt/timer.c: the paravirtual timer (COWL_HC_TIMER).  vtimer_set
 * returns the hypercall's result (0, or -1 for a bad argument);
 * vtimer_inject raises a due tick before a VMRUN; vtimer_halt sleeps
 * through a HLT until the next tick (true), or leaves it to the monitor
 * when nothing could wake the guest (false). */
uint64_t vtimer_set(struct vcpu *v, uint64_t period_ns, uint64_t vector);
void vtimer_inject(struct vcpu *v);
bool vtimer_halt(struct vcpu *v);

/* virt/exit.c: one exit.  1: handled, run the guest again; 0: *exit is
 * filled for the monitor; or a negative errno. */
int vcpu_handle_exit(struct vcpu *v, struct cowl_vm_exit *exit);

#endif
