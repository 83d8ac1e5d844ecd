/* vm.c - a virtual machine: its guest-physical memory (an mm whose page
 * tables are the nested page tables), its ASID, its lifetime, and the
 * monitor's reads and writes of guest memory. */
#include "virt/vm.h"
#include "arch.h"
#include "kernel/printk.h"
#include "kernel/usercopy.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/vm.h"

static bool svm_ok;                /* SVM with nested paging, and the host pages */
static uint32_t svm_nasids;        /* ASIDs the CPU has; 0 is the host's */
static int next_vm_id = 1;         /* [a] */
struct cowl_virt_stats virt_stats; /* [a] each field */
static struct spinlock all_vms_lock = SPINLOCK_INIT("all_vms");
struct list_head all_vms = LIST_HEAD_INIT(all_vms); /* [all_vms_lock] for gdb */

bool virt_available(void) { return svm_ok; }

void virt_init(int ncpus)
{
    if (!svm_supported(&svm_nasids) || svm_nasids < 2) {
        pr_info("virt: no SVM with nested paging: virtual machines unavailable\n");
        return;
    }
    svm_ok = svm_init(ncpus) && vmcb_maps_init();
    pr_info("virt: SVM with nested paging, %u ASIDs%s\n", svm_nasids,
            svm_ok ? "" : "; no memory for the host save areas");
}

/* Nested page tables translate guest-physical addresses only: the kernel
 * half that every process's PML4 shares must not be reachable from a
 * guest (its entries lack the U bit, which a nested walk needs, but no
 * guest should depend on that). */
static void drop_kernel_half(struct mm *mm)
{
    for (unsigned i = PT_USER_ENTRIES; i < PT_ENTRIES; i++)
        if (mm->pml4[i])
            pte_set(&mm->pml4[i], 0);
}

/* A guest-physical space: RAM is one region, readable, writable and
 * executable, filled with zeroed pages on first touch (nested page faults
 * go through vm_fault like a process's faults). */
static struct mm *guest_mm_create(uint64_t ram_bytes, int *err)
{
    struct mm *mm = mm_create();
    if (!mm) {
        *err = -ENOMEM;
        return NULL;
    }
    drop_kernel_half(mm);
    down_write(&mm->lock);
    *err = mm_insert_vma(mm, 0, ram_bytes, VM_READ | VM_WRITE | VM_EXEC);
    up_write(&mm->lock);
    if (*err) {
        mm_put(mm);
        return NULL;
    }
    return mm;
}

/* The parts of a new VM around its guest-physical space. */
static struct vm *vm_new(struct mm *mm, uint64_t ram_bytes)
{
    struct vm *vm = kzalloc(sizeof(*vm));
    if (!vm)
        return NULL;
    vm->mm = mm;
    vm->refs = 1;
    vm->ram_bytes = ram_bytes;
    vm->id = __atomic_fetch_add(&next_vm_id, 1, __ATOMIC_RELAXED);
    /* VMs share the ASIDs round robin; vcpu.c flushes whenever a CPU
     * switches between vCPUs, so two VMs with one ASID never see each
     * other's translations. */
    vm->asid = 1 + (uint32_t)vm->id % (svm_nasids - 1);
    vm->vcpus_lock = (struct spinlock)SPINLOCK_INIT("vm vcpus");
    list_init(&vm->vcpus);
    virt_count(vms, 1);
    spin_lock(&all_vms_lock);
    list_add_tail(&vm->link, &all_vms);
    spin_unlock(&all_vms_lock);
    return vm;
}

struct vm *vm_create(uint64_t ram_bytes, int *err)
{
    if (!svm_ok) {
        *err = -ENODEV;
        return NULL;
    }
    if (ram_bytes == 0 || ram_bytes % PAGE_SIZE || ram_bytes > COWL_VM_MAX_RAM) {
        *err = -EINVAL;
        return NULL;
    }
    struct mm *mm = guest_mm_create(ram_bytes, err);
    struct vm *vm = mm ? vm_new(mm, ram_bytes) : NULL;
    if (mm && !vm) {
        mm_put(mm);
        *err = -ENOMEM;
    }
    return vm;
}

/* vmfork: the new VM's guest-physical space is a fork of the parent's,
 * made by the same code as a process's fork (mm_fork).  In share mode that
 * touches only the nested PML4: the cost does not grow with the guest's
 * memory.  mm_fork write-protects the parent's entries and flushes its
 * tables, which reaches every CPU running one of its vCPUs (mm/tlb.h). */
struct vm *vm_fork(struct vm *parent, enum fork_mode mode, int *err)
{
    down_write(&parent->mm->lock);
    struct mm *mm = mm_fork(parent->mm, mode, 0);
    up_write(&parent->mm->lock);
    if (mm)
        drop_kernel_half(mm);
    struct vm *vm = mm ? vm_new(mm, parent->ram_bytes) : NULL;
    if (mm && !vm)
        mm_put(mm);
    *err = vm ? 0 : -ENOMEM;
    if (vm)
        virt_count(vm_forks, 1);
    return vm;
}

void vm_get(struct vm *vm) { __atomic_add_fetch(&vm->refs, 1, __ATOMIC_RELAXED); }

void vm_put(struct vm *vm)
{
    if (__atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL))
        return;
    spin_lock(&all_vms_lock);
    list_del(&vm->link);
    spin_unlock(&all_vms_lock);
    mm_put(vm->mm); /* every guest page and nested table goes back */
    kfree(vm);
    virt_count(vms, -1);
}

/* Page by page: each is resolved (demand-zero, or copy-on-write for a
 * write) and held while it is copied.  A fault on the monitor's buffer
 * meanwhile takes the monitor's own mm lock: the order is guest, then
 * monitor, and nothing takes them the other way round. */
int vm_copy(struct vm *vm, uint64_t gpa, void *ubuf, size_t len, bool write)
{
    if (gpa >= vm->ram_bytes || len > vm->ram_bytes - gpa)
        return -EINVAL;
    while (len) {
        size_t n = MIN(len, PAGE_SIZE - gpa % PAGE_SIZE);
        int err;
        void *k = mm_page_hold(vm->mm, gpa, write, &err);
        if (k) {
            err = write ? copy_from_user(k, ubuf, n) : copy_to_user(ubuf, k, n);
            mm_page_release(vm->mm);
        }
        if (err)
            return err;
        gpa += n;
        ubuf = (char *)ubuf + n;
        len -= n;
    }
    return 0;
}
