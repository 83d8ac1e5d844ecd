/* sys_vm.c - the system calls of virtual machines (uapi/vm.h): a VM and
 * each of its vCPUs are file descriptors of the process that made them.
 * The last descriptor of a vCPU frees it; a VM lives as long as a
 * descriptor or a vCPU holds it.  Every argument is checked before
 * anything changes. */
#include "fs/file.h"
#include "kernel/process.h"
#include "kernel/sys.h"
#include "kernel/usercopy.h"
#include "mm/vm.h"
#include "virt/vm.h"

static void vm_release(void *object) { vm_put(object); }
static void vcpu_release(void *object) { vcpu_put(object); }

static const struct file_object_type vm_type = {"vm", vm_release};
static const struct file_object_type vcpu_type = {"vcpu", vcpu_release};

/* A descriptor for a new VM or vCPU (its reference goes to the file), or
 * err; on failure the object is dropped. */
static int64_t vm_fd(struct vm *vm, int err)
{
    if (!vm)
        return err;
    int fd = fd_open_object(vm, &vm_type);
    if (fd < 0)
        vm_put(vm);
    return fd;
}

static int64_t vcpu_fd(struct vcpu *v, int err)
{
    if (!v)
        return err;
    int fd = fd_open_object(v, &vcpu_type);
    if (fd < 0)
        vcpu_put(v);
    return fd;
}

int64_t sys_cowl_vm_create(uint64_t ram_bytes)
{
    int err;
    struct vm *vm = vm_create(ram_bytes, &err);
    return vm_fd(vm, err);
}

int64_t sys_cowl_vm_memory(int vmfd, uint64_t gpa, void *ubuf, size_t len, int dir)
{
    if (dir != COWL_VM_READ && dir != COWL_VM_WRITE)
        return -EINVAL;
    if (!user_range_ok((uint64_t)ubuf, len))
        return -EFAULT;
    struct file *f;
    struct vm *vm = fd_get_object(vmfd, &vm_type, &f);
    if (!vm)
        return -EBADF;
    int err = vm_copy(vm, gpa, ubuf, len, dir == COWL_VM_WRITE);
    file_put(f);
    return err;
}

int64_t sys_cowl_vcpu_create(int vmfd)
{
    struct file *f;
    struct vm *vm = fd_get_object(vmfd, &vm_type, &f);
    if (!vm)
        return -EBADF;
    int err;
    struct vcpu *v = vcpu_create(vm, &err);
    file_put(f);
    return vcpu_fd(v, err);
}

int64_t sys_cowl_vcpu_regs(int vcpufd, struct cowl_vcpu_regs *uregs, int dir)
{
    if (dir != COWL_VCPU_GET && dir != COWL_VCPU_SET)
        return -EINVAL;
    struct cowl_vcpu_regs r;
    if (dir == COWL_VCPU_SET && copy_from_user(&r, uregs, sizeof(r)))
        return -EFAULT;
    struct file *f;
    struct vcpu *v = fd_get_object(vcpufd, &vcpu_type, &f);
    if (!v)
        return -EBADF;
    int err = dir == COWL_VCPU_SET ? vcpu_set_regs(v, &r) : vcpu_get_regs(v, &r);
    file_put(f);
    if (!err && dir == COWL_VCPU_GET && copy_to_user(uregs, &r, sizeof(r)))
        return -EFAULT;
    return err;
}

int64_t sys_cowl_vcpu_run(int vcpufd, struct cowl_vm_exit *uexit)
{
    struct cowl_vm_exit exit;
    /* It brings the answer to the last exit in, and must take the next one
     * out: check both ways before the guest runs, or an exit would be lost. */
    if (copy_from_user(&exit, uexit, sizeof(exit)) || copy_to_user(uexit, &exit, sizeof(exit)))
        return -EFAULT;
    struct file *f;
    struct vcpu *v = fd_get_object(vcpufd, &vcpu_type, &f);
    if (!v)
        return -EBADF;
    int err = vcpu_run(v, &exit);
    file_put(f);
    if (!err && copy_to_user(uexit, &exit, sizeof(exit)))
        return -EFAULT;
    return err;
}

int64_t sys_cowl_virtstat(struct cowl_virt_stats *ust)
{
    struct cowl_virt_stats st = virt_stats; /* a snapshot, field by field */
    return copy_to_user(ust, &st, sizeof(st));
}

/* mode -1: the caller's process's fork mode (cowl_fork_mode). */
int64_t sys_cowl_vm_fork(int vmfd, int mode)
{
    if (mode < -1 || mode >= COWL_FORK_MODES)
        return -EINVAL;
    if (mode == -1)
        mode = current_process()->fork_mode;
    struct file *f;
    struct vm *parent = fd_get_object(vmfd, &vm_type, &f);
    if (!parent)
        return -EBADF;
    int err;
    struct vm *vm = vm_fork(parent, (enum fork_mode)mode, &err);
    file_put(f);
    return vm_fd(vm, err);
}

int64_t sys_cowl_vcpu_fork(int vcpufd, int vmfd)
{
    struct file *fc, *fv;
    struct vcpu *src = fd_get_object(vcpufd, &vcpu_type, &fc);
    if (!src)
        return -EBADF;
    struct vm *vm = fd_get_object(vmfd, &vm_type, &fv);
    if (!vm) {
        file_put(fc);
        return -EBADF;
    }
    int err = vm->ram_bytes == src->vm->ram_bytes ? 0 : -EINVAL; /* a clone of its own VM */
    struct vcpu *v = err ? NULL : vcpu_fork(src, vm, &err);
    file_put(fc);
    file_put(fv);
    return vcpu_fd(v, err);
}

int64_t sys_cowl_vm_ptdump(int vmfd, struct pt_node *ubuf, size_t max)
{
    struct file *f;
    struct vm *vm = fd_get_object(vmfd, &vm_type, &f);
    if (!vm)
        return -EBADF;
    int64_t r = ptdump_to_user(vm->mm, ubuf, max);
    file_put(f);
    return r;
}
